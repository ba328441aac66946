"""The JSON API at /api/v1 (django-ninja). Each app contributes a router from its api.py."""
from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from huzhu.core.errors import DomainError

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


def _register_routers() -> None:
    """Mount each app's router; an app without an api.py yet is skipped."""
    import importlib

    for app in ("members", "plans", "enrollment", "claims", "portal"):
        try:
            module = importlib.import_module(f"huzhu.{app}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"huzhu.{app}.api":
                raise
            continue
        api.add_router(f"/{app}/" if app != "plans" else "/", module.router)


_register_routers()
