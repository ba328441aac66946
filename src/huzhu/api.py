"""The JSON API at /api/v1 (django-ninja). Each app contributes a router from its api.py."""
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from huzhu.core.errors import DomainError
from huzhu.security.api import router as auth_router

api = NinjaAPI(title="Huzhu 互助 API", version="1", urls_namespace="api")


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(NinjaValidationError)
def request_invalid(request: HttpRequest, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "payload")]
    field = ".".join(loc)
    return api.create_response(
        request,
        {"code": "invalid_request", "message": f"字段 {field} 不正确：{first.get('msg', '')}", "field": field,
         "errors": exc.errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, {"code": "unauthenticated", "message": "请先登录，或在 Authorization 头中提供有效的访问令牌"},
        status=401)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return api.create_response(
        request, {"code": "not_found", "message": "记录不存在或不在您的管辖范围内"}, status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    messages = {403: ("forbidden", "您的角色无权执行此操作"), 405: ("method_not_allowed", "不支持该请求方法"),
                429: ("too_many_requests", "请求过于频繁，请稍后再试")}
    code, message = messages.get(exc.status_code, ("http_error", "请求无法处理"))
    return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)


def _register_routers() -> None:
    """Mount each app's router; an app without an api.py yet is skipped."""
    import importlib

    for app in ("members", "plans", "enrollment", "claims", "payouts", "portal"):
        try:
            module = importlib.import_module(f"huzhu.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"huzhu.{app}.api":
                raise
            continue
        api.add_router(f"/{app}/" if app != "plans" else "/", module.router)


_register_routers()
api.add_router("/auth/", auth_router)  # worker sign-in (security app)
