"""Pure claim rules: invoice patterns, amounts, deadline, documents, four eyes, straight-through, risk."""
from datetime import date
from decimal import Decimal as D

import pytest

from huzhu.plans.default_terms import default_terms
from huzhu.plans.rules import Decision, InpatientEvent
from huzhu.risk import rules as risk_rules

from .. import rules

TERMS = default_terms("hospitalization", 2026)


def facts(**overrides) -> rules.ClaimFacts:
    base = dict(claim_type="inpatient", event=InpatientEvent(date(2026, 3, 1), date(2026, 3, 11), D("8000")),
                end_on=date(2026, 3, 11), filed_on=date(2026, 6, 1), coverage_active=True,
                coverage_starts_on=date(2026, 1, 1), coverage_ends_on=date(2026, 12, 31),
                amounts=rules.Amounts(total_amount=D("20000"), fund_paid_amount=D("12000"),
                                      policy_self_pay_amount=D("8000")),
                invoices=(rules.InvoiceFacts("15010126", "0000000001", "A1B2C3", D("20000")),))
    return rules.ClaimFacts(**{**base, **overrides})


@pytest.mark.parametrize(("code", "number", "check", "message"), [
    ("1501012", "0000000001", "A1B2C3", "票据代码应为8位数字"),
    ("1501012A", "0000000001", "A1B2C3", "票据代码应为8位数字"),
    ("15010126", "000000001", "A1B2C3", "票据号码应为10位数字"),
    ("15010126", "0000000001", "A1B2", "校验码应为6位"),
], ids=["short-code", "letter-in-code", "short-number", "short-check-code"])
def test_a_malformed_invoice_is_refused_naming_the_field(code, number, check, message):
    with pytest.raises(ValueError, match=message):
        rules.parse_invoice(code, number, check, D("10"))


def test_a_well_formed_invoice_is_accepted_with_its_check_code_upper_cased():
    assert rules.parse_invoice(" 15010126", "0000000001", "a1b2c3", D("10")).check_code == "A1B2C3"


def test_a_clean_stay_has_no_problems():
    assert rules.submission_problems(TERMS, facts()) == []


@pytest.mark.parametrize(("overrides", "code"), [
    ({"coverage_active": False}, "coverage_inactive"),
    ({"coverage_starts_on": date(2026, 4, 1)}, "before_coverage"),
    ({"coverage_ends_on": date(2026, 2, 1)}, "after_coverage"),
    ({"filed_on": date(2028, 1, 1)}, "late"),
    ({"filed_on": date(2026, 2, 1)}, "event_in_future"),
    ({"end_on": date(2026, 2, 1)}, "discharge_before_admission"),
    ({"amounts": rules.Amounts(total_amount=D("20000"), fund_paid_amount=D("12000"),
                               policy_self_pay_amount=D("7000"))}, "amounts_inconsistent"),
    ({"amounts": rules.Amounts(total_amount=D("20000"), fund_paid_amount=D("-1"),
                               policy_self_pay_amount=D("20001"))}, "negative_amount"),
    ({"invoices": (rules.InvoiceFacts("15010126", "0000000001", "A1B2C3", D("1000")),)}, "invoices_inconsistent"),
    ({"invoices_used_elsewhere": frozenset({("15010126", "0000000001")})}, "invoice_used"),
], ids=["coverage-inactive", "before-coverage", "after-coverage", "late", "future", "discharge-first",
        "parts-do-not-add-up", "negative", "invoices-not-total", "invoice-used"])
def test_each_failed_check_is_reported_with_its_code(overrides, code):
    assert code in [p.code for p in rules.submission_problems(TERMS, facts(**overrides))]


def test_the_claim_deadline_is_365_days_after_the_protection_period():
    assert rules.claim_deadline(TERMS) == date(2027, 12, 31)
    assert rules.deadline_problems(TERMS, date(2027, 12, 31), date(2026, 3, 1)) == []


def test_missing_documents_follow_the_terms_order_and_deceased_extras():
    present = frozenset({"invoice", "id_card"})
    assert rules.missing_documents(TERMS, facts(documents=present)) == [
        "settlement_sheet", "discharge_summary", "bank_card"]
    assert "death_certificate" in rules.missing_documents(TERMS, facts(documents=present, deceased=True))


@pytest.mark.parametrize(("benefit", "missing", "findings", "complex_case", "eligible"), [
    (D("2999.99"), [], [], False, True),
    (D("3000.00"), [], [], False, False),
    (D("100.00"), ["bank_card"], [], False, False),
    (D("100.00"), [], [risk_rules.Finding("x", "needs_review", "风险")], False, False),
    (D("100.00"), [], [], True, False),
], ids=["clean-below-limit", "at-limit", "missing-document", "risk-finding", "complex"])
def test_only_a_clean_claim_below_the_limit_goes_straight_through(benefit, missing, findings, complex_case, eligible):
    verdict = rules.straight_through(decision=Decision(benefit, ()), missing=missing, findings=findings,
                                     limit=D("3000.00"), complex_case=complex_case)
    assert verdict.eligible is eligible
    assert verdict.reasons


@pytest.mark.parametrize(("level", "earlier", "refused"), [
    ("league", set(), False),
    ("league", {"league"}, False),
    ("league", {"county"}, True),
    ("association", {"intake"}, True),
    ("county", {"county"}, False),
], ids=["first-act", "same-level-again", "county-then-league", "submitter-then-approver", "desk-clerk-first-review"])
def test_one_person_acts_at_one_review_level_of_a_claim(level, earlier, refused):
    assert (rules.four_eyes_problem(level, earlier) is not None) is refused
