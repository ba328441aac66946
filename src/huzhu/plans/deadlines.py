"""Dates that follow from a plan year's terms."""
from datetime import date, timedelta

from .terms import PlanYearTerms


def claim_deadline_on(terms: PlanYearTerms) -> date:
    """The last day to claim for an event of the plan year (DOMAIN: N days after the period ends)."""
    return terms.protection_end_on + timedelta(days=terms.claim_deadline_days)
