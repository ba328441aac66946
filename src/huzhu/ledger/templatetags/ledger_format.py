"""Display filters for ledger pages: yuan with thousands separators, ratios as percentages."""
from decimal import Decimal

from django import template

from huzhu.core.templatetags import money

register = template.Library()
register.filter("yuan", money.yuan)  # the project's one money display (core.money.display_yuan)


@register.filter
def percent(value) -> str:
    """Decimal('0.3900') -> '39.00%'; '—' for None."""
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.01'))}%"
