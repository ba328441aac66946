"""The one money filter of every page: `{% load money %}` then `{{ amount|yuan }}` (or `|fen_yuan` for integer fen).

Both call `core.money.display_yuan`; the app libraries that had their own `yuan` register these same functions.
Figures kept in JSON (study results) arrive as floats: they are read through their shortest text, never computed on.
"""
from decimal import Decimal

from django import template

from huzhu.core.money import display_fen, display_yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    """1234567.8 -> '1,234,567.80'; '—' for none."""
    return display_yuan(Decimal(str(value)) if isinstance(value, float) else value)


@register.filter
def fen_yuan(value) -> str:
    """Integer fen as yuan: 123456 -> '1,234.56'."""
    return display_fen(value)
