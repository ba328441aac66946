"""Domain errors: a code for machines, a Chinese message for people, the field when there is one.

Every message goes through gettext where the error is raised (`_("…")` in services and views). A pure module (no
Django) marks its message with `core.translation.gettext_noop` and passes the values as `params`: the message is
translated here, through the `translate` hook the core app installs at start-up, then the values are filled in.
"""
from collections.abc import Callable, Mapping

from huzhu.core.translation import gettext_noop


def _untranslated(text: str) -> str:
    return text


translate: Callable[[str], str] = _untranslated  # CoreConfig.ready sets Django's gettext


class DomainError(Exception):
    """A rule of the scheme refused the request. The API maps it to 422 or 409."""

    http_status = 422

    def __init__(self, code: str, message: str, *, field: str | None = None, row: int | None = None,
                 params: Mapping[str, object] | None = None):
        if params is not None:
            message = translate(message) % params
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

    def __init__(self, message: str | None = None):
        super().__init__("not_found", message or translate(gettext_noop("记录不存在或不在您的管辖范围内")))


class PermissionDenied(DomainError):
    """The actor's role may not do this."""

    http_status = 403

    def __init__(self, message: str | None = None):
        super().__init__("forbidden", message or translate(gettext_noop("您的角色无权执行此操作")))


class Conflict(DomainError):
    """Someone else changed the record first, or the action was already done."""

    http_status = 409


# The codes every app may answer with; each app declares its own in `<app>/errors.py` (docs/api.md lists them all).
CODES = {
    "forbidden": "the caller's role may not do this (403)",
    "invalid_request": "the request breaks the operation's schema (422; `field` names the first bad field)",
    "not_found": "the record does not exist or lies outside the caller's scope (404; never tells which)",
}
