"""Typed values out of request parameters (query strings, form fields), for every view.

A parameter is text anyone can type into the address bar. Read numbers, ids, years and dates
through here so a bad value never reaches int(), a query or the database: NFKC first (full-width
１２ and superscript ² become ASCII), then ASCII digits only (Arabic-Indic ١٢ is refused, as in the
identifier rules), bounded so an id fits a 64-bit database integer. A value that does not read is
None, and the view uses its default: a bad filter is ignored, never a 500.
"""
import re
import unicodedata
from datetime import date
from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1  # a bigint primary key, on PostgreSQL and SQLite alike
MAX_COUNT = 2**31 - 1  # an IntegerField column (a count, a size)
MAX_PAGE = 100_000  # the same bound as the API's ?page= (core/pagination.py)
FIRST_YEAR, LAST_YEAR = 1900, 2999
# An id in an API schema or query: a number past a bigint is a 422, not a database error.
ApiId = Annotated[int, Field(ge=1, le=MAX_ID)]
_DIGITS = re.compile(r"-?[0-9]{1,19}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_integer(text, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """The integer `text` writes in ASCII digits after NFKC, if within [minimum, maximum]; else None."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        compact = unicodedata.normalize("NFKC", str(text or "")).strip()
        if not _DIGITS.fullmatch(compact):
            return None
        value = int(compact)
    return value if minimum <= value <= maximum else None


def parse_date(text) -> date | None:
    """An ISO date (YYYY-MM-DD after NFKC), or None."""
    compact = unicodedata.normalize("NFKC", str(text or "")).strip()
    if not _ISO_DATE.fullmatch(compact):
        return None
    try:
        return date.fromisoformat(compact)
    except ValueError:
        return None


def int_param(params, name: str, default: int | None = None, *, minimum: int = 0,
              maximum: int = MAX_ID) -> int | None:
    """`params[name]` as a bounded integer, else `default`."""
    value = parse_integer(params.get(name), minimum=minimum, maximum=maximum)
    return default if value is None else value


def id_param(params, name: str) -> int | None:
    """A primary key from `params[name]` (1 to the bigint maximum), else None."""
    return parse_integer(params.get(name), minimum=1)


def ids_param(params, name: str) -> list[int]:
    """Every readable primary key in the list parameter `name` (checkboxes), bad ones left out."""
    values = (parse_integer(text, minimum=1) for text in params.getlist(name))
    return [value for value in values if value is not None]


def year_param(params, name: str = "year", default: int | None = None) -> int | None:
    """A calendar year from `params[name]`, else `default`."""
    value = parse_integer(params.get(name), minimum=FIRST_YEAR, maximum=LAST_YEAR)
    return default if value is None else value


def date_param(params, name: str, default: date | None = None) -> date | None:
    """An ISO date from `params[name]`, else `default`."""
    value = parse_date(params.get(name))
    return default if value is None else value


def page_param(params, name: str = "page") -> int:
    """A page number for Paginator.get_page: 1 when missing or unreadable, at most MAX_PAGE."""
    return int_param(params, name, 1, minimum=1, maximum=MAX_PAGE)
