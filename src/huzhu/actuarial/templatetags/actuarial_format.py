"""Display filters for study figures: fen as yuan, ratios as percentages, rates per thousand."""
from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def fen_yuan(value) -> str:
    """Integer fen as yuan with thousands separators: 123456 -> '1,234.56'."""
    if value is None or value == "":
        return "—"
    amount = Decimal(int(value)) / 100
    return f"{amount:,.2f}"


@register.filter
def yuan(value) -> str:
    """A yuan figure (estimate or amount text) with separators and two decimals."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(str(value)):,.2f}"


@register.filter
def pct(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.filter
def permille(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 1000:.2f}‰"


@register.filter
def number(value, places: int = 2) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):,.{int(places)}f}"


@register.filter
def item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def item_at(sequence, index):
    """The element at a position (a triangle's row by the loop counter)."""
    try:
        return sequence[int(index)]
    except (IndexError, TypeError, ValueError):
        return []


@register.filter
def translated(text):
    """A stored Chinese label (marked with gettext_noop) in the page's language."""
    from django.utils.translation import gettext

    return gettext(text) if text else text
