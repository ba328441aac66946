"""Display filters for ledger pages: yuan with thousands separators, ratios as percentages."""
from decimal import Decimal

from django import template

from huzhu.core.money import quantize_money

register = template.Library()


@register.filter
def yuan(value) -> str:
    """1234567.8 -> '1,234,567.80'; blank for None."""
    if value is None or value == "":
        return ""
    return f"{quantize_money(value):,.2f}"


@register.filter
def percent(value) -> str:
    """Decimal('0.3900') -> '39.00%'; '—' for None."""
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.01'))}%"
