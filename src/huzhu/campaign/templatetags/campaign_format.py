"""Display filters for campaign pages: ratios as percentages, a colour class for attainment."""
from decimal import Decimal

from django import template

from huzhu.campaign.reports import percent

register = template.Library()


@register.filter
def pct(value: Decimal | None) -> str:
    """Decimal('0.1234') -> '12.3%'; '—' for None."""
    return percent(value)


@register.filter
def attainment_class(value: Decimal | None) -> str:
    if value is None:
        return ""
    return "good" if value >= 1 else ("lagging" if value < Decimal("0.6") else "")
