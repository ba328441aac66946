"""Marking strings for the English catalogue in modules that must not import Django (rules, pure calculations).

`makemessages` collects every literal passed to `gettext_noop`; the text itself stays Chinese. The adapter that
shows it (a view, a service raising the error, a template with `{% trans value %}`) translates it then.
"""


def gettext_noop(text: str) -> str:
    """Return `text` unchanged: only a mark for `makemessages`."""
    return text
