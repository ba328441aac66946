"""The JSON API at /api/v1 (django-ninja). Each app contributes a router from its api.py.

Every error is `{"code", "message"}` JSON (core.api_errors.ErrorOut) and every operation
documents the error statuses it can answer with, so the OpenAPI document is a full contract
(checked by schemathesis in tests/). The docs page at /api/v1/docs is Swagger UI served from the
app's own static files (django-ninja's bundled copy, "ninja" in INSTALLED_APPS): no CDN.
"""
from django.db import DataError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from huzhu.claims import api as claims_api
from huzhu.core.api_errors import ERROR_DESCRIPTIONS, ErrorOut, error_statuses
from huzhu.core.errors import DomainError
from huzhu.enrollment import api as enrollment_api
from huzhu.hospitals import api as hospitals_api
from huzhu.members import api as members_api
from huzhu.payouts import api as payouts_api
from huzhu.plans import api as plans_api
from huzhu.security.api import router as auth_router
from huzhu.settlements import api as settlements_api

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


class HuzhuAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists the JSON error responses of every operation."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                body = operation.get("requestBody", {}).get("content", {})
                statuses = error_statuses(method=method, path=path, secured=bool(operation.get("security")),
                                          uploads="multipart/form-data" in body)
                responses = operation.setdefault("responses", {})
                for status in statuses:
                    responses.setdefault(status, {"description": ERROR_DESCRIPTIONS[status],
                                                  "content": {"application/json": {"schema": ERROR_REF}}})
        schema["webhooks"] = WEBHOOKS
        return schema


def _header(description: str) -> dict:
    return {"required": True, "schema": {"type": "string"}, "description": description}


# What a subscriber receives (webhooks app): documented here, sent by huzhu.webhooks.services.
WEBHOOKS = {"claim.status_changed": {"post": {
    "summary": "申领状态变化",
    "description": "每次申领状态变化推送一次（至少一次：重试时 X-Huzhu-Delivery 不变，接收方据此去重）。"
                   "签名：HMAC-SHA256(订阅密钥, X-Huzhu-Timestamp + \".\" + 请求体)，十六进制，前缀 v1=；"
                   "时间戳与当前时间相差超过 300 秒应拒收。接收方返回 2xx 视为送达，否则按 30 秒起指数退避重试，最多 8 次。",
    "parameters": [
        {"in": "header", "name": "X-Huzhu-Event", **_header("事件类型：claim.status_changed")},
        {"in": "header", "name": "X-Huzhu-Delivery", **_header("事件编号，重试时不变")},
        {"in": "header", "name": "X-Huzhu-Timestamp", **_header("发送时间（Unix 秒）")},
        {"in": "header", "name": "X-Huzhu-Signature", **_header("v1=<HMAC-SHA256 十六进制>")},
    ],
    "requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["id", "type", "created_at", "data"],
        "properties": {
            "id": {"type": "string"}, "type": {"type": "string", "enum": ["claim.status_changed"]},
            "created_at": {"type": "string", "format": "date-time"},
            "data": {"type": "object", "properties": {
                "claim_id": {"type": "integer"}, "action": {"type": "string"}, "from_status": {"type": "string"},
                "to_status": {"type": "string"}, "to_status_label": {"type": "string"},
                "at": {"type": "string", "format": "date-time"}, "claim_type": {"type": "string"},
                "county": {"type": "string"}, "unit_id": {"type": "integer"},
                "benefit": {"type": ["string", "null"]}, "missing_items": {"type": "array", "items": {"type": "string"}},
                "reason_code": {"type": "string"}}}}}}}},
    "responses": {"200": {"description": "已收到（任何 2xx）"}},
}}}


api = HuzhuAPI(title="Huzhu 互助 API", version="1", urls_namespace="api",
               description="职工互助保障 JSON API：职工（手机验证码登录）查询保障、申领与补正；基层工会与经办机构"
                           "（访问令牌）维护名册、办理参互与审核申领；事件回调（Webhook）推送申领状态变化。"
                           "所有列表分页（page 参数，每页 50 条），所有错误为 JSON：code + 中文 message。")


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.http_status)


@api.exception_handler(NinjaValidationError)
def request_invalid(request: HttpRequest, exc: NinjaValidationError):
    first = exc.errors[0] if exc.errors else {}
    loc = [str(p) for p in first.get("loc", []) if p not in ("body", "payload", "query", "path", "form", "file")]
    field = ".".join(loc)
    return api.create_response(
        request,
        {"code": "invalid_request", "message": f"字段 {field} 不正确：{first.get('msg', '')}", "field": field or None},
        status=422,
    )


@api.exception_handler(DataError)
def unstorable(request: HttpRequest, exc: DataError):
    # Last defence: text the database cannot hold (NUL characters, past a column's length).
    return api.create_response(
        request, {"code": "invalid_characters", "message": "请求中含有无法保存的字符或内容过长，请检查后重试"},
        status=422)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError):
    return api.create_response(
        request, {"code": "unauthenticated", "message": "请先登录，或在 Authorization 头中提供有效的访问令牌"},
        status=401)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404):
    return api.create_response(
        request, {"code": "not_found", "message": "记录不存在或不在您的管辖范围内"}, status=404)


HTTP_ERRORS = {
    400: ("bad_request", "请求体无法解析，请提交合法的 JSON 或表单"),
    403: ("forbidden", "您的角色无权执行此操作"),
    405: ("method_not_allowed", "不支持该请求方法"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
}


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError):
    code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", "请求无法处理"))
    if exc.status_code == 403 and "CSRF" in str(exc):
        code, message = "csrf_failed", "页面已过期（CSRF 校验失败），请刷新后重试"
    return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)


# App routers: each app's `router` is mounted at /<app>/ (plans at the root), its `me_router` — the
# worker's own endpoints (worker_auth) — at /me/. Mounted by plain imports, so the arrows are seen.
api.add_router("/members/", members_api.router)
api.add_router("/", plans_api.router)
api.add_router("/enrollment/", enrollment_api.router)
api.add_router("/me/", enrollment_api.me_router)
api.add_router("/claims/", claims_api.router)
api.add_router("/me/", claims_api.me_router)
api.add_router("/me/", members_api.me_router)
api.add_router("/payouts/", payouts_api.router)
api.add_router("/settlements/", settlements_api.router)
api.add_router("/hospital/", hospitals_api.router)  # partner hospitals' systems (hospital tokens)
api.add_router("/auth/", auth_router)  # worker sign-in (security app)
