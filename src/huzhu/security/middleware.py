"""Security headers (CSP), the idle-session timeout and two-factor enforcement."""
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every response; no caching of pages shown to signed-in staff."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.HUZHU_CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        user = getattr(request, "user", None)
        # Personal data must not stay in a shared computer's browser cache or a proxy's.
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers \
                and not request.path.startswith(settings.STATIC_URL):
            response.headers["Cache-Control"] = "no-store"
        return response


LAST_SEEN = "security.last_seen"


class SessionIdleTimeoutMiddleware:
    """Sign a session out after HUZHU_SESSION_IDLE_SECONDS without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not getattr(request, "_api_token_auth", False):
            now = time.time()
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > settings.HUZHU_SESSION_IDLE_SECONDS:
                logout(request)
                if not _is_api(request):
                    messages.info(request, _("您已长时间未操作，为保护个人信息已自动退出，请重新登录。"))
                    return redirect(f"{reverse('login')}?next={request.path}")
            elif last_seen is None or now - last_seen > 60:  # write the session at most once a minute
                request.session[LAST_SEEN] = now
        return self.get_response(request)


TWO_FACTOR_OK = "security.2fa_ok"


class TwoFactorRequiredMiddleware:
    """A staff member with TOTP must have passed it; a role that requires TOTP must enrol first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or request.session.get(TWO_FACTOR_OK):
            return self.get_response(request)
        from . import services

        if services.has_totp(user):
            # Signed in by a door that skipped the second step: not accepted.
            logout(request)
            if _is_api(request):
                return JsonResponse({"code": "totp_required", "message": "请先完成两步验证登录"}, status=401)
            return redirect("login")
        if not services.totp_required_for(user):
            request.session[TWO_FACTOR_OK] = True
            return self.get_response(request)
        allowed = {reverse("security:totp"), reverse("logout")}
        if request.path in allowed or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        if _is_api(request):
            return JsonResponse({"code": "totp_enrolment_required", "message": "您的角色须先启用两步验证"}, status=403)
        messages.warning(request, _("您的角色须启用两步验证（TOTP）后才能继续使用系统。"))
        return redirect("security:totp")


class ExportAuditMiddleware:
    """Every file a signed-in staff member downloads (XLSX, CSV, PDF, ZIP) leaves an audit event.

    One door for every export view, present and future: a response with
    `Content-Disposition: attachment` is an export. Inline document views are logged by the views
    themselves in the personal-data access log.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        disposition = response.headers.get("Content-Disposition", "")
        user = getattr(request, "user", None)
        if response.status_code == 200 and disposition.startswith("attachment") \
                and user is not None and user.is_authenticated:
            from . import services

            services.record_data_export(actor=user, request=request, disposition=disposition,
                                        content_type=response.headers.get("Content-Type", ""))
        return response


class AdministratorConfinementMiddleware:
    """The three administrators (三员) reach their own pages only; every business page answers 403.

    Their scope is already empty (regions/queries.scope_of), so a business list would show
    nothing; this makes the refusal explicit and closed by default: a page added later is refused
    to them too. The API refuses them itself, with a JSON 403 (security/auth.py).
    """

    OPEN_TO_EVERY_ADMINISTRATOR = ("/security/", "/logout/", "/login/", "/i18n/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not self._may_open(user, request.path):
            from django.shortcuts import render

            return render(request, "403.html", status=403)
        return self.get_response(request)

    def _may_open(self, user, path: str) -> bool:
        from huzhu.regions.models import ADMINISTRATOR_ROLES, Role
        from huzhu.regions.queries import scope_of

        role = scope_of(user).role
        if role not in ADMINISTRATOR_ROLES or user.is_superuser:
            return True  # business roles (pages check their own rights); the break-glass superuser
        if path == "/" or path.startswith(settings.STATIC_URL) or path.startswith(self.OPEN_TO_EVERY_ADMINISTRATOR):
            return True
        return role == Role.ADMIN and path.startswith("/admin/")
