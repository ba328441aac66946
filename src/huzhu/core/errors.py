"""Domain errors: a code for machines, a Chinese message for people, the field when there is one."""


class DomainError(Exception):
    """A rule of the scheme refused the request. The API maps it to 422 or 409."""

    http_status = 422

    def __init__(self, code: str, message: str, *, field: str | None = None, row: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.row = row

    def as_dict(self) -> dict:
        payload = {"code": self.code, "message": self.message}
        if self.field:
            payload["field"] = self.field
        if self.row is not None:
            payload["row"] = self.row
        return payload


class ValidationFailed(DomainError):
    """Input is malformed or breaks a field rule."""


class NotFound(DomainError):
    """The record does not exist or lies outside the actor's scope (never tell which)."""

    http_status = 404

    def __init__(self, message: str = "记录不存在或不在您的管辖范围内"):
        super().__init__("not_found", message)


class PermissionDenied(DomainError):
    """The actor's role may not do this."""

    http_status = 403

    def __init__(self, message: str = "您的角色无权执行此操作"):
        super().__init__("forbidden", message)


class Conflict(DomainError):
    """Someone else changed the record first, or the action was already done."""

    http_status = 409
