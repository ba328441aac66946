"""Names of people and units as every door takes them: the one validator (pure, no Django).

A name ends up in bank files and reports opened in spreadsheet programs, so one that a
spreadsheet would run as a formula (`=HYPERLINK(…)`, core.spreadsheets) is refused here, after
the spaces around it are stripped (a leading tab or space must not get a formula through), and so
are control characters inside it.
"""
import unicodedata

from .spreadsheets import FORMULA_STARTS
from .translation import gettext_noop

PERSON_NAME_MAX = 50
UNIT_NAME_MAX = 200


def clean_name(text: object, *, label: str = "姓名", max_length: int = PERSON_NAME_MAX) -> str:
    """The name as stored: NFKC, outer spaces stripped; ValueError (naming `label`) when unusable."""
    name = unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()
    if not name:
        raise ValueError(gettext_noop("%(label)s不能为空") % {"label": label})
    if len(name) > max_length:
        raise ValueError(gettext_noop("%(label)s超过%(max)s个字") % {"label": label, "max": max_length})
    if name.startswith(FORMULA_STARTS):
        raise ValueError(gettext_noop("%(label)s不能以“%(char)s”开头（表格软件会把它当作公式）")
                         % {"label": label, "char": name[0]})
    # Cc only: format characters (ZWJ, the Mongolian vowel separator) belong in Mongolian-script names
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        raise ValueError(gettext_noop("%(label)s含有不可见的控制字符") % {"label": label})
    return name


def clean_person_name(text: object) -> str:
    """A worker's (or contact's) name."""
    return clean_name(text, label="姓名", max_length=PERSON_NAME_MAX)


def clean_unit_name(text: object) -> str:
    """A member unit's name."""
    return clean_name(text, label="单位名称", max_length=UNIT_NAME_MAX)
