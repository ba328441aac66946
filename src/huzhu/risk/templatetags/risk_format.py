from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def field(row: dict, key: str):
    """A row's value by a key that holds "__" (template lookups cannot)."""
    return row.get(key)


@register.filter
def check_label(code: str) -> str:
    from huzhu.risk.rules import CHECK_LABELS

    return gettext(CHECK_LABELS.get(code, code))
