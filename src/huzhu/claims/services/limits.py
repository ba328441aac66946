"""The amounts that decide who decides a claim, read from the settings (defaults in claims.rules)."""
from decimal import Decimal

from django.conf import settings

from .. import rules


def straight_through_limit() -> Decimal:
    """Benefit below which a clean claim is approved automatically (setting, default 3,000 yuan)."""
    return Decimal(str(getattr(settings, "CLAIMS_STRAIGHT_THROUGH_LIMIT", rules.DEFAULT_STRAIGHT_THROUGH_LIMIT)))


def expert_review_amount() -> Decimal:
    """Benefit from which a claim goes to medical expert review (setting, default 10,000 yuan)."""
    return Decimal(str(getattr(settings, "CLAIMS_EXPERT_REVIEW_AMOUNT", rules.DEFAULT_EXPERT_REVIEW_AMOUNT)))
