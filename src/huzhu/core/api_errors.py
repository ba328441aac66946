"""The API's error body and the error responses every operation documents (OpenAPI)."""
from ninja import Schema


class ErrorOut(Schema):
    """Every API error: a code for machines, a Chinese message for people, the field or row when known."""

    code: str
    message: str
    field: str | None = None
    row: int | None = None


ERROR_DESCRIPTIONS = {
    400: "请求体无法解析（不是合法的 JSON 或表单）",
    401: "未登录，或访问令牌无效、过期、已吊销",
    403: "角色无权执行此操作",
    404: "记录不存在或不在管辖范围内",
    409: "状态冲突：已被他人处理，或当前状态不允许此操作",
    422: "请求内容不符合字段规则或业务规则",
    429: "请求过于频繁",
    507: "服务器存储空间不足，未保存任何内容",
}


def error_statuses(*, method: str, path: str, secured: bool, uploads: bool) -> list[int]:
    """The error statuses an operation can answer with, by its shape."""
    statuses = [422]
    if method in ("post", "put", "patch", "delete"):
        statuses += [400, 409]
    if secured:
        statuses += [401, 403]
    if "{" in path or (secured and method != "get"):
        statuses.append(404)  # a record named in the path or the body is missing or out of scope
    if uploads:
        statuses.append(507)
    return sorted(set(statuses))
