"""Pages: sign-in with lockout and TOTP, TOTP enrolment, own API tokens, revealing a number."""
import time

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from huzhu.core.errors import DomainError
from huzhu.members import queries as member_queries
from huzhu.regions.queries import scope_of

from . import services, worker_session
from .forms import (
    BankCardCodeForm,
    BankCardForm,
    LoginForm,
    RevealForm,
    TokenCreateForm,
    TotpForm,
    WorkerCodeForm,
    WorkerIdentifyForm,
)
from .middleware import TWO_FACTOR_OK
from .models import ApiToken
from .permissions import REVEALABLE_FIELDS, can_hold_api_tokens
from .throttling import client_ip

PENDING = "security.pending_2fa"
PENDING_SECONDS = 300


class LoginView(auth_views.LoginView):
    """Password step; a user with TOTP goes on to the code step before being signed in."""

    template_name = "core/login.html"
    form_class = LoginForm

    def form_valid(self, form):
        user = form.get_user()
        if not services.has_totp(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {"user": user.pk, "backend": user.backend, "at": time.time()}
        return redirect(f"{reverse('security:login_totp')}?next={self.get_redirect_url() or ''}")


def _safe_next(request, fallback: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(fallback)


def login_totp(request):
    """Second sign-in step: the six-digit code from the staff member's authenticator."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        messages.info(request, _("请重新输入用户名和密码。"))
        return redirect("login")
    user = get_object_or_404(get_user_model(), pk=pending["user"], is_active=True)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.verify_totp_login(user=user, code=form.cleaned_data["code"]):
            request.session.pop(PENDING, None)
            login(request, user, backend=pending["backend"])
            request.session[TWO_FACTOR_OK] = True
            return redirect(_safe_next(request))
        # A wrong code counts towards the same lockout as a wrong password.
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        request.session.pop(PENDING, None)
        messages.error(request, _("动态验证码不正确，请重新登录。"))
        return redirect("login")
    return render(request, "security/login_totp.html", {"form": form, "next": request.GET.get("next", "")})


def admin_login(request):
    """The admin site signs in through the same page (lockout and TOTP apply)."""
    return redirect(f"{reverse('login')}?next={request.GET.get('next', '/admin/')}")


@login_required
def totp(request):
    """Enrol an authenticator: a QR code to scan (and the secret to type), confirm with a code."""
    device = getattr(request.user, "totp_device", None)
    if device is not None and device.confirmed_at is not None:
        return render(request, "security/totp.html", {"enabled": True, "device": device})
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_totp_enrolment(actor=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            form.add_error("code", exc.message)
        else:
            request.session[TWO_FACTOR_OK] = True
            messages.success(request, _("两步验证已启用，以后登录需输入动态验证码。"))
            return redirect("security:totp")
    if device is None or request.GET.get("renew"):
        device = services.start_totp_enrolment(actor=request.user)
    secret = services.totp_secret_of(device)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    uri = services.pyotp.TOTP(secret).provisioning_uri(name=request.user.get_username(),
                                                       issuer_name=services.TOTP_ISSUER)
    qr_svg = mark_safe(segno.make(uri, error="m").svg_inline(scale=5, dark="#1f2d3d"))  # our own markup, no input
    return render(request, "security/totp.html",
                  {"enabled": False, "form": form, "secret": grouped, "otpauth_uri": uri, "qr_svg": qr_svg,
                   "required": services.totp_required_for(request.user)})


@login_required
def tokens(request):
    """The signed-in user's own API tokens: create (shown once), revoke."""
    if not can_hold_api_tokens(scope_of(request.user)):
        return render(request, "403.html", status=403)
    form = TokenCreateForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, issued = services.create_api_token(actor=request.user, user=request.user,
                                                  name=form.cleaned_data["name"],
                                                  expires_in_days=form.cleaned_data["expires_in_days"])
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            form = TokenCreateForm()
    own = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(request, "security/tokens.html", {"form": form, "issued": issued, "tokens": own})


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("已吊销令牌：%(name)s") % {"name": token.name})
    return redirect("security:tokens")


@login_required
@require_POST
def reveal(request, worker_pk: int):
    """Show one full number once, after the clerk gives a reason; audited by the service."""
    worker = member_queries.worker_for(scope_of(request.user), worker_pk)
    form = RevealForm(request.POST)
    context = {"worker": worker}
    if not form.is_valid():
        context["error"] = _("请选择号码类型并填写查看事由（至少 2 个字）。")
        status = 422
    else:
        try:
            context["value"] = services.reveal_personal_data(
                actor=request.user, worker=worker, field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"], ip=client_ip(request))
            context["label"] = _(REVEALABLE_FIELDS[form.cleaned_data["field"]])
            status = 200
        except DomainError as exc:
            context["error"] = exc.message
            status = exc.http_status
    template = "security/_revealed.html" if getattr(request, "htmx", False) else "security/revealed.html"
    return render(request, template, context, status=status)


@login_required
@require_POST
def reveal_unit_phone(request, unit_pk: int):
    """Show a unit contact's full mobile once, after a reason; audited by the service."""
    unit = member_queries.unit_for(scope_of(request.user), unit_pk)
    context = {"label": _("联系电话"), "unit": unit}
    try:
        context["value"] = services.reveal_unit_contact_phone(actor=request.user, unit=unit,
                                                              reason=request.POST.get("reason", ""))
        status = 200
    except DomainError as exc:
        context["error"] = exc.message
        status = exc.http_status
    template = "security/_revealed.html" if getattr(request, "htmx", False) else "security/unit_phone_revealed.html"
    return render(request, template, context, status=status)


def csrf_failure(request, reason: str = ""):
    return render(request, "security/csrf_failure.html", status=403)


# --- the worker's door (/me/): ID number + phone + one-time SMS code, as the API ----------------

def _worker_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("me:home")


def worker_sign_in(request):
    """Step 1 texts a code when ID number and phone match a worker (silent otherwise); step 2 checks it."""
    context = {"next": _worker_next(request), "sent": False}
    if request.method == "POST" and "code" in request.POST:
        form = WorkerCodeForm(request.POST)
        context["sent"] = True
        if form.is_valid():
            data = form.cleaned_data
            try:
                worker = services.verify_worker_code(id_number=data["id_number"], phone=data["phone"],
                                                     code=data["code"], ip=client_ip(request), door="web")
            except DomainError as exc:
                form.add_error("code", exc.message)
            else:
                worker_session.sign_in(request, worker)
                return redirect(context["next"])
    elif request.method == "POST":
        form = WorkerIdentifyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.request_worker_code(id_number=data["id_number"], phone=data["phone"],
                                             ip=client_ip(request))
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                form = WorkerCodeForm(initial=data)
                context["sent"] = True
    else:
        form = WorkerIdentifyForm()
    context["form"] = form
    return render(request, "security/worker_sign_in.html", context)


@require_POST
def worker_sign_out(request):
    worker_session.sign_out(request)
    messages.info(request, _("已退出。"))
    return redirect("me:sign_in")


@worker_session.worker_required
def worker_bank_card(request):
    """Change the card benefits are paid to: new card, then the code texted to her phone for this change."""
    worker = member_queries.own_worker(request.worker_id)
    sent = False
    if request.method == "POST" and "code" in request.POST:
        form = BankCardCodeForm(request.POST)
        sent = True
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.change_own_bank_account(worker_id=worker.pk, code=data["code"], bank_name=data["bank_name"],
                                                 bank_account=data["bank_account"])
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else "code", exc.message)
            else:
                messages.success(request, _("银行卡已更改，之后的补助金将付至新卡。"))
                return redirect("me:home")
    elif request.method == "POST":
        form = BankCardForm(request.POST)
        if form.is_valid():
            try:
                services.request_bank_change_code(worker_id=worker.pk)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                form, sent = BankCardCodeForm(initial=form.cleaned_data), True
    else:
        form = BankCardForm()
    return render(request, "security/worker_bank_card.html", {"worker": worker, "form": form, "sent": sent})


class PasswordChangeView(auth_views.PasswordChangeView):
    """A staff member changes her own password under the policy; the change is audited."""

    template_name = "security/password_change.html"

    def get_success_url(self):
        return reverse("home")

    def get_context_data(self, **kwargs):
        from django.contrib.auth.password_validation import password_validators_help_texts

        return {**super().get_context_data(**kwargs), "password_rules": password_validators_help_texts()}

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_changed(actor=self.request.user)
        messages.success(self.request, _("密码已修改。"))
        return response
