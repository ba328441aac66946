"""The PDF enrollment receipt (参互回执), rendered by WeasyPrint from an HTML template in Chinese."""
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from huzhu.core.money import quantize_money

from .models import Coverage, Enrollment


def render_receipt(enrollment: Enrollment) -> bytes:
    """A paid enrollment's receipt: unit, plan year, money, and every covered worker with a masked ID."""
    from weasyprint import HTML  # imported here: loading WeasyPrint costs a second at start-up

    coverages = (enrollment.coverages.filter(status=Coverage.Status.ACTIVE)
                 .select_related("worker").order_by("certificate_no"))
    with translation.override(settings.LANGUAGE_CODE):  # type labels in Chinese, like the rest of the receipt
        html = render_to_string("enrollment/receipt.html", {
            "enrollment": enrollment, "coverages": coverages, "terms": enrollment.plan_year.terms,
            "printed_at": timezone.localtime(),
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
