"""Pure risk checks: a table per check (fires / does not fire), scoring, statistics."""
from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from huzhu.risk import rules, statistics
from huzhu.risk.rules import (
    ClaimRiskFacts,
    ClerkFigures,
    InvoiceHolder,
    InvoiceRef,
    NearDuplicate,
    OtherClaim,
    Stats,
    UnitFigures,
    UnitPeers,
)

STAY = ClaimRiskFacts(
    claim_id=10, claim_type="inpatient", plan="hospitalization", year=2026, worker_id=1, hospital="包头市中心医院",
    start_on=date(2026, 3, 1), end_on=date(2026, 3, 11), diagnosis_group="J18", total_amount=D("20000.00"),
    fund_paid_amount=D("12000.00"), policy_self_pay_amount=D("8000.00"),
    invoices=(InvoiceRef("15010126", "0000000001", D("20000.00")),), enrolled_on=date(2025, 11, 20), first_year=True,
)
DIAGNOSIS = replace(STAY, claim_type="diagnosis", plan="women_health", tier="A", diagnosis_group="C50",
                    start_on=date(2026, 5, 1), end_on=date(2026, 5, 1), total_amount=D("0.00"),
                    fund_paid_amount=D("0.00"), policy_self_pay_amount=D("0.00"), invoices=())
PEERS = Stats(500, 1.0, 0.0)


def facts(base=STAY, **changes) -> ClaimRiskFacts:
    return replace(base, **changes)


def other(claim_id=11, *, start=date(2026, 5, 1), end=date(2026, 5, 5), claim_type="inpatient", plan="hospitalization",
          year=2026, tier=""):
    return OtherClaim(claim_id, claim_type, plan, year, start, end, tier)


CASES = [
    # (check, facts, fires)
    pytest.param(rules.invoice_reused, facts(invoice_holders=(InvoiceHolder("15010126-0000000001", 3, False, True),)),
                 True, id="invoice-on-another-workers-withdrawn-claim"),
    pytest.param(rules.invoice_reused, facts(invoice_holders=(InvoiceHolder("15010126-0000000001", 3, True, False),)),
                 True, id="invoice-on-own-live-claim"),
    pytest.param(rules.invoice_reused, facts(invoice_holders=(InvoiceHolder("15010126-0000000001", 3, True, True),)),
                 False, id="invoice-released-by-own-withdrawn-claim"),
    pytest.param(rules.invoice_reused, facts(), False, id="invoice-used-once"),
    pytest.param(rules.invoice_near_duplicate,
                 facts(near_duplicates=(NearDuplicate("15010126-0000000001", 12, "15010126-0000000099", D("20000.00")),)),
                 True, id="same-hospital-date-amount-other-number"),
    pytest.param(rules.invoice_near_duplicate, facts(), False, id="no-near-duplicate"),
    pytest.param(rules.overlapping_stay, facts(other_claims=(other(start=date(2026, 3, 10), end=date(2026, 3, 20)),)),
                 True, id="stays-overlap-by-a-day"),
    pytest.param(rules.overlapping_stay, facts(other_claims=(other(start=date(2026, 3, 11), end=date(2026, 3, 20)),)),
                 False, id="transfer-on-the-discharge-day"),
    pytest.param(rules.overlapping_stay, facts(other_claims=(other(start=date(2026, 3, 1), end=date(2026, 6, 30),
                                                                   claim_type="outpatient_chronic"),)),
                 False, id="outpatient-period-is-not-a-stay"),
    pytest.param(rules.stay_outside_invoice_dates, facts(invoices=(InvoiceRef("15010125", "0000000001", D("20000.00")),)),
                 True, id="invoice-code-of-2025-for-a-2026-discharge"),
    pytest.param(rules.stay_outside_invoice_dates, facts(), False, id="invoice-year-matches-discharge"),
    pytest.param(rules.stay_outside_invoice_dates, facts(DIAGNOSIS), False, id="diagnosis-has-no-invoice-dates"),
    pytest.param(rules.amounts_inconsistent, facts(total_amount=D("21000.00"),
                                                   invoices=(InvoiceRef("15010126", "1", D("21000.00")),)),
                 True, id="parts-do-not-add-up"),
    pytest.param(rules.amounts_inconsistent, facts(invoices=(InvoiceRef("15010126", "1", D("19000.00")),)),
                 True, id="invoices-do-not-match-total"),
    pytest.param(rules.amounts_inconsistent, facts(fund_paid_amount=D("0.00"), out_of_policy_amount=D("12000.00")),
                 True, id="stay-without-basic-insurance"),
    pytest.param(rules.amounts_inconsistent, facts(fund_paid_amount=D("4000.00"), policy_self_pay_amount=D("16000.00")),
                 True, id="self-pay-share-80-percent"),
    pytest.param(rules.amounts_inconsistent, facts(), False, id="amounts-consistent"),
    pytest.param(rules.adverse_selection, facts(enrolled_on=date(2026, 2, 10), total_amount=D("40000.00"),
                                                fund_paid_amount=D("32000.00"),
                                                invoices=(InvoiceRef("15010126", "1", D("40000.00")),)),
                 True, id="costly-first-stay-19-days-after-paying"),
    pytest.param(rules.adverse_selection, facts(enrolled_on=date(2026, 2, 10)), False, id="cheap-stay-after-joining"),
    pytest.param(rules.adverse_selection, facts(enrolled_on=date(2025, 11, 20), total_amount=D("40000.00")),
                 False, id="costly-stay-101-days-after-paying"),
    pytest.param(rules.adverse_selection, facts(enrolled_on=date(2026, 2, 10), total_amount=D("40000.00"),
                                                first_year=False), False, id="renewing-worker"),
    pytest.param(rules.adverse_selection, facts(enrolled_on=date(2026, 2, 10), total_amount=D("40000.00"),
                                                other_claims=(other(start=date(2026, 2, 20), end=date(2026, 2, 25)),)),
                 False, id="not-the-first-claim"),
    pytest.param(rules.frequency_outlier, facts(frequency_peers=PEERS, other_claims=tuple(
        other(20 + n, start=date(2026, 4 + n, 1), end=date(2026, 4 + n, 3)) for n in range(4))),
                 True, id="five-claims-where-peers-have-one"),
    pytest.param(rules.frequency_outlier, facts(frequency_peers=PEERS, other_claims=(other(),)), False,
                 id="two-claims-a-year"),
    pytest.param(rules.frequency_outlier, facts(frequency_peers=Stats(5, 1.0, 0.0), other_claims=tuple(
        other(20 + n) for n in range(6))), False, id="too-few-peers-to-judge"),
    pytest.param(rules.stay_length_outlier, facts(end_on=date(2026, 4, 20), stay_peers=Stats(400, 2.2, 0.2)),
                 True, id="50-days-where-median-is-9"),
    pytest.param(rules.stay_length_outlier, facts(stay_peers=Stats(400, 2.2, 0.2)), False, id="10-days-is-usual"),
    pytest.param(rules.cost_outlier, facts(total_amount=D("200000.00"), cost_peers=Stats(400, 9.2, 0.4)),
                 True, id="cost-twenty-times-the-median"),
    pytest.param(rules.cost_outlier, facts(cost_peers=Stats(400, 9.2, 0.4)), False, id="usual-cost"),
    pytest.param(rules.women_tier_repeated, facts(DIAGNOSIS, other_claims=(
        other(30, claim_type="diagnosis", plan="women_health", year=2024, tier="A"),)), True, id="tier-a-twice"),
    pytest.param(rules.women_tier_repeated, facts(DIAGNOSIS, other_claims=(
        other(30, claim_type="diagnosis", plan="women_health", tier="B"),)), False, id="tier-b-then-a-tops-up"),
    pytest.param(rules.shared_bank_account, facts(account_workers=3, account_masked="6222***********0123"), True,
                 id="one-card-three-workers"),
    pytest.param(rules.shared_bank_account, facts(account_workers=1), False, id="own-card"),
    pytest.param(rules.unit_loss_ratio_outlier,
                 facts(unit=UnitFigures(100, 20, D("10000.00"), D("30000.00")),
                       unit_peers=UnitPeers(Stats(200, 0.4, 0.2), 0.04)), True, id="unit-300-percent-with-20-claims"),
    pytest.param(rules.unit_loss_ratio_outlier,
                 facts(unit=UnitFigures(100, 5, D("10000.00"), D("3000.00")),
                       unit_peers=UnitPeers(Stats(200, 0.4, 0.2), 0.04)), False, id="unit-at-peer-level"),
    pytest.param(rules.unit_loss_ratio_outlier,
                 facts(unit=UnitFigures(10, 3, D("1000.00"), D("9000.00")),
                       unit_peers=UnitPeers(Stats(200, 0.4, 0.2), 0.04)), False, id="unit-too-small-to-judge"),
    pytest.param(rules.clerk_approval_outlier, facts(clerk=ClerkFigures(7, "王芳", 200, 200),
                                                     clerk_peers=Stats(40, 0.85, 0.04)), True,
                 id="clerk-passes-all-200"),
    pytest.param(rules.clerk_approval_outlier, facts(clerk=ClerkFigures(7, "王芳", 200, 172),
                                                     clerk_peers=Stats(40, 0.85, 0.04)), False,
                 id="clerk-at-peer-rate"),
    pytest.param(rules.clerk_approval_outlier, facts(clerk=ClerkFigures(7, "王芳", 10, 10),
                                                     clerk_peers=Stats(40, 0.85, 0.04)), False,
                 id="clerk-with-ten-decisions"),
]


@pytest.mark.parametrize(("check", "case", "fires"), CASES)
def test_each_check_fires_only_on_its_pattern(check, case, fires):
    finding = check(case)
    assert (finding is not None) == fires
    if finding:
        assert finding.code in rules.CHECK_LABELS
        assert finding.severity in rules.POINTS
        assert finding.message and finding.evidence


def test_the_evidence_text_shows_the_figures():
    finding = rules.stay_length_outlier(facts(end_on=date(2026, 4, 20), stay_peers=Stats(400, 2.2, 0.2)))
    assert "住院 50 天" in finding.message and "J18 组（400 例）中位数 9 天" in finding.message and "异常线 25.8 天" in finding.message
    unit = rules.unit_loss_ratio_outlier(facts(unit=UnitFigures(100, 20, D("10000.00"), D("30000.00")),
                                               unit_peers=UnitPeers(Stats(200, 0.4, 0.2), 0.04), unit_name="甲公司"))
    assert "赔付率 300%" in unit.message and "应约 4.0 件" in unit.message


def test_every_check_is_listed_once_with_a_label():
    codes = [check(facts()) for check in rules.CHECKS]
    assert len(rules.CHECKS) == len(set(rules.CHECKS)) == len(rules.CHECK_LABELS) == 14
    assert all(c is None for c in codes)  # a clean stay raises nothing


@pytest.mark.parametrize(("severities", "score", "blocks"), [
    pytest.param([], 0, False, id="no-finding"),
    pytest.param([rules.INFO], 10, False, id="one-hint-does-not-block"),
    pytest.param([rules.NEEDS_REVIEW], 50, True, id="needs-review-reaches-the-threshold"),
    pytest.param([rules.HARD_STOP, rules.NEEDS_REVIEW], 100, True, id="capped-at-100"),
    pytest.param([rules.INFO] * 5, 50, True, id="five-hints-add-up"),
])
def test_the_score_sums_points_and_blocks_at_the_threshold(severities, score, blocks):
    findings = [rules.Finding(f"c{n}", s, "x") for n, s in enumerate(severities)]
    assert rules.score_of(findings, 50) == (score, blocks)


def test_assess_runs_every_check_and_scores_the_claim():
    case = facts(account_workers=2, account_masked="6222****0123",
                 invoice_holders=(InvoiceHolder("15010126-0000000001", 3, False, True),))
    result = rules.assess(case)
    assert [f.code for f in result.findings] == ["invoice_reused", "shared_bank_account"]
    assert result.score == 100 and result.blocks


def test_precision_is_confirmed_over_reviewed():
    assert rules.precision(3, 1) == 0.75
    assert rules.precision(0, 0) is None


def test_robust_statistics_ignore_the_extremes():
    stats = statistics.robust([8, 9, 9, 10, 10, 11, 400])
    assert stats == Stats(7, 10.0, 1.0)
    grouped = statistics.grouped(["J18", "I63", "J18", "I63", "J18"], [5, 12, 7, 14, 9])
    assert grouped == {"I63": Stats(2, 13.0, 1.0), "J18": Stats(3, 7.0, 2.0)}


def test_unit_peers_leave_out_small_units():
    peers = statistics.unit_peers([UnitFigures(100, 4, D("10000"), D("4000")), UnitFigures(5, 5, D("500"), D("9000")),
                                   UnitFigures(50, 1, D("5000"), D("1000"))], min_covered=30)
    assert peers.ratios.n == 2 and peers.claim_rate == pytest.approx(5 / 150)
