"""Template filters that show terms values as people read them (never through float)."""
from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from huzhu.plans.documents import document_name as _document_name
from huzhu.plans.documents import required_documents
from huzhu.plans.labels import choice_name, yuan_text

register = template.Library()


@register.filter
def yuan(value) -> str:
    """10000 → '10,000'; 12.5 → '12.50' (whole yuan without decimals)."""
    return yuan_text(value)


@register.filter
def percent(value) -> str:
    """0.5 → '50%'; 0.125 → '12.5%'."""
    if value is None or value == "":
        return ""
    return f"{(Decimal(str(value)) * 100).normalize():f}%"


@register.filter
def document_name(code: str) -> str:
    return _document_name(code)


@register.filter
def named(codes, kind: str) -> str:
    """Codes as words: ('M', 'F')|named:'genders' → '男、女'."""
    if isinstance(codes, str):
        return choice_name(kind, codes)
    return "、".join(choice_name(kind, code) for code in codes)


@register.filter
def allowance_years(allowance) -> list[tuple[str, Decimal]]:
    """The daily allowance per consecutive year: [('第 1 年', 10), …, ('第 3 年及以后', 30)]."""
    amounts = list(allowance.daily_amounts)
    rows = []
    for index, amount in enumerate(amounts, start=1):
        label = _("第 %(n)s 年") % {"n": index}
        if index == len(amounts) and index > 1:
            label = _("第 %(n)s 年及以后") % {"n": index}
        rows.append((label, amount))
    return rows


@register.filter
def document_groups(terms) -> list[tuple[str, tuple[str, ...]]]:
    return required_documents(terms.documents)


@register.filter
def has_bank_card(documents) -> bool:
    """Whether a claim of any type needs the bank card (the benefit is paid to it)."""
    return any("bank_card" in codes for _kind, codes in required_documents(documents))
