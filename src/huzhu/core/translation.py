"""Marking strings for the English catalogue in modules that must not import Django (rules, pure calculations).

`makemessages` collects every literal passed to `gettext_noop`; the text itself stays Chinese. The adapter that
shows it (a view, a service raising the error, a template with `{% trans value %}`) translates it then.
"""


def gettext_noop(text: str) -> str:
    """Return `text` unchanged: only a mark for `makemessages`."""
    return text


class TranslatableError(ValueError):
    """A refusal raised by a pure module, in its Chinese msgid and its parameters: the door shows it translated,
    `gettext(exc.msgid) % exc.params`; str() is the Chinese text."""

    def __init__(self, msgid: str, params: dict | None = None):
        self.msgid, self.params = msgid, params or {}
        super().__init__(msgid % self.params if self.params else msgid)
