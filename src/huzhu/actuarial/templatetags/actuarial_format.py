"""Display filters for study figures: fen as yuan, ratios as percentages, rates per thousand."""
from django import template

from huzhu.core.templatetags import money

register = template.Library()
register.filter("fen_yuan", money.fen_yuan)  # the project's one money display (core.money.display_yuan)
register.filter("yuan", money.yuan)


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
