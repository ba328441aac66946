"""The PDF enrollment receipt (参互回执), rendered by WeasyPrint from an HTML template in Chinese.

The unit's receipt carries what a finance e-receipt carries: payer and its unified social credit code, payee
(the association, HUZHU_ASSOCIATION_NAME), the amount in figures and in words (大写), a receipt number and the
association's seal image (HUZHU_RECEIPT_SEAL_IMAGE, a PNG; none configured: the receipt says it is unsealed).
"""
import base64
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from stdnum import luhn

from huzhu.core.money import quantize_money

from .models import Coverage, Enrollment

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def amount_in_words(amount: Decimal) -> str:
    """The amount as written on a receipt: 人民币 and the capital numerals of 《正确填写票据和结算凭证的基本规定》,
    e.g. 1234.56 → 人民币壹仟贰佰叁拾肆元伍角陆分, 10 → 人民币壹拾元整 (cn2an, checked in test_receipt_fields)."""
    import cn2an  # imported here: it loads its number tables on import

    if isinstance(amount, float):
        raise TypeError("money must never be a float")
    value = quantize_money(amount)
    if value < 0:
        raise ValueError("a receipt's amount is never negative")
    return "人民币" + cn2an.an2cn(f"{value:.2f}", "rmb")


def receipt_number(enrollment: Enrollment) -> str:
    """收据号: the plan year, the payment's row (the enrollment, paid once) in ten digits, a Luhn check digit.

    Deterministic (the same receipt printed twice has the same number) and unique (one row, one number)."""
    digits = f"{enrollment.plan_year.year}{enrollment.pk:010d}"
    return digits + luhn.calc_check_digit(digits)


def seal_data_uri() -> str:
    """The configured seal as a data: URI for the PDF (WeasyPrint fetches nothing), or "" when none is usable."""
    path = getattr(settings, "HUZHU_RECEIPT_SEAL_IMAGE", "")
    if not path:
        return ""
    try:
        content = Path(path).read_bytes()
    except OSError:
        return ""
    if not content.startswith(PNG_SIGNATURE):
        return ""
    return "data:image/png;base64," + base64.b64encode(content).decode("ascii")


def render_receipt(enrollment: Enrollment) -> bytes:
    """A paid enrollment's receipt: payer, payee, money in figures and words, number, seal, covered workers."""
    from weasyprint import HTML  # imported here: loading WeasyPrint costs a second at start-up

    coverages = (enrollment.coverages.filter(status=Coverage.Status.ACTIVE)
                 .select_related("worker").order_by("certificate_no"))
    with translation.override(settings.LANGUAGE_CODE):  # type labels in Chinese, like the rest of the receipt
        html = render_to_string("enrollment/receipt.html", {
            "enrollment": enrollment, "coverages": coverages, "terms": enrollment.plan_year.terms,
            "printed_at": timezone.localtime(), "receipt_number": receipt_number(enrollment),
            "amount_in_words": amount_in_words(enrollment.paid_amount),
            "payee": settings.HUZHU_ASSOCIATION_NAME, "payee_credit_code": settings.HUZHU_ASSOCIATION_CREDIT_CODE,
            "seal": seal_data_uri(),
        })
    return HTML(string=html).write_pdf()


def render_coverage_receipt(coverage: Coverage) -> bytes:
    """One worker's contribution receipt (互助金缴费凭证) for a paid coverage: her share of the unit's receipt."""
    from weasyprint import HTML

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("enrollment/coverage_receipt.html", {
            "coverage": coverage, "printed_at": timezone.localtime(),
            "paid_amount": quantize_money(coverage.contribution_amount - coverage.subsidy_amount),
        })
    return HTML(string=html).write_pdf()
