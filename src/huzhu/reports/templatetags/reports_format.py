from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext

from huzhu.core.templatetags.money import yuan

register = template.Library()
register.filter("yuan", yuan)  # the project's one money display (core.money.display_yuan)


@register.filter
def pct(value: Decimal | None, places: int = 1) -> str:
    """0.0391 -> '3.9%'; '—' when there is nothing to compare."""
    return "—" if value is None else f"{Decimal(value) * 100:.{places}f}%"


@register.filter
def days(value) -> str:
    return "—" if value is None else gettext("%(days)s 天") % {"days": value}


@register.simple_tag
def drill(query: str, **params) -> str:
    """A drill-down link: the page's filters (plan, year) with a new region or unit."""
    from django.http import QueryDict

    q = QueryDict(query, mutable=True)
    for name in ("region", "unit"):
        q.pop(name, None)
    for name, value in params.items():
        if value not in (None, ""):
            q[name] = value
    return "?" + q.urlencode()


@register.filter
def cell(value) -> str:
    """A table cell of an export shown in the PDF: ratios as percent, money to the fen, counts with commas."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return pct(Decimal(str(value)))
    if isinstance(value, Decimal):
        return yuan(value)
    return intcomma(value) if isinstance(value, int) and value >= 10_000 else str(value)


@register.filter
def workdays(value) -> str:
    return "—" if value is None else gettext("%(days)s 个工作日") % {"days": value}
