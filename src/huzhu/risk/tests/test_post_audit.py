"""The post-audit sample (事后抽查): the monthly draw over automatic approvals, outcomes recorded once, a recovery
opened with its ledger entry, and the risk page's precision figures counting the outcomes (against raw SQL)."""
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Sum

from huzhu.audit.models import AuditEvent
from huzhu.claims import services as claim_services
from huzhu.claims.models import Claim, ClaimRecovery
from huzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from huzhu.core.scopes import PROVINCE
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger.models import LedgerEntry, Posting
from huzhu.risk import queries, services
from huzhu.risk.models import PostAuditDraw, PostAuditSample, RiskFinding

from .post_audit_builders import MONTH, TODAY, finding, hongshan_stay, stay

OUTCOME = PostAuditSample.Outcome


@pytest.fixture
def share_all(settings):
    settings.RISK_POST_AUDIT_SHARE = "1"


def draw(actor, month=MONTH):
    return services.draw_post_audit(actor=actor, month=month, today=TODAY)


def paid(claim):
    return claim_services.mark_claim_paid(actor=None, claim=claim)


# --- the draw --------------------------------------------------------------------------------------
def test_only_the_months_automatic_approvals_are_drawn(file_stay, association_approver, share_all, settings):
    mine = [stay(file_stay), stay(file_stay, date(2026, 5, 31)), hongshan_stay(file_stay)]
    stay(file_stay, date(2026, 4, 30)), stay(file_stay, date(2026, 6, 1))  # the months around it
    by_hand = stay(file_stay)
    Claim.objects.filter(pk=by_hand.pk).update(straight_through=False)  # approved by a person
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "0.00"
    in_review = file_stay("1200.00", admitted=date(2026, 4, 20), discharged=date(2026, 4, 23))
    assert in_review.status != Claim.Status.APPROVED
    made = draw(association_approver)
    assert made.candidates == 3 and made.month == MONTH and made.share == D("1")
    assert set(made.samples.values_list("claim_id", flat=True)) == {c.pk for c in mine}
    sample = made.samples.get(claim_id=mine[2].pk)
    assert sample.county_id == "150402" and sample.league_id == "150400" and sample.outcome == OUTCOME.PENDING
    assert sample.benefit_amount == mine[2].benefit_amount and sample.stratum.startswith("a") and sample.score == 0


def test_a_second_draw_of_the_month_returns_the_first_and_writes_nothing(file_stay, association_approver, share_all):
    stay(file_stay), hongshan_stay(file_stay)
    first = draw(association_approver)
    stay(file_stay)  # approved later, dated in the month: the month is drawn already
    again = draw(association_approver)
    assert again.pk == first.pk and PostAuditDraw.objects.count() == 1 and PostAuditSample.objects.count() == 2
    assert AuditEvent.objects.filter(action="draw_post_audit").count() == 1


def test_a_share_of_zero_still_draws_one_claim_per_county(file_stay, association_approver, settings):
    settings.RISK_POST_AUDIT_SHARE = "0"
    for _ in range(3):
        stay(file_stay)
    hongshan_stay(file_stay)
    made = draw(association_approver)
    assert made.candidates == 4
    assert sorted(made.samples.values_list("county_id", flat=True)) == ["150203", "150402"]


def test_the_score_is_the_claims_counted_findings_and_places_it_in_its_stratum(file_stay, association_approver,
                                                                                share_all):
    claim = stay(file_stay)
    finding(claim, code="cost_outlier", points=50)
    finding(claim, code="stay_length_outlier", points=50, review=RiskFinding.Review.FALSE_ALARM)  # does not count
    sample = draw(association_approver).samples.get()
    assert sample.score == 50 and sample.stratum.endswith("s2")


@pytest.mark.parametrize("month", [date(2026, 6, 1), date(2026, 7, 1)], ids=["this-month", "next-month"])
def test_a_month_not_over_is_not_drawn(db, association_approver, month):
    with pytest.raises(ValidationFailed) as refused:
        draw(association_approver, month)
    assert refused.value.code == "invalid_month" and not PostAuditDraw.objects.exists()


def test_only_the_association_draws(db, county_clerk):
    with pytest.raises(PermissionDenied):
        draw(county_clerk)


# --- outcomes --------------------------------------------------------------------------------------
@pytest.fixture
def sampled(file_stay, association_approver, share_all):
    """One paid automatic approval of May, drawn."""
    claim = paid(stay(file_stay))
    return draw(association_approver).samples.get(), claim


def test_a_recovery_opens_a_receivable_with_its_ledger_entry(sampled, association_approver):
    sample, claim = sampled
    amount = (claim.benefit_amount / 2).quantize(D("0.01"))
    decided = services.record_post_audit_outcome(actor=association_approver, sample=sample, outcome=OUTCOME.RECOVERY,
                                                 note="住院天数与病历不符", amount=str(amount), today=TODAY)
    recovery = ClaimRecovery.objects.get(claim=claim)
    assert decided.outcome == OUTCOME.RECOVERY and decided.recovery_id == recovery.pk and decided.decided_by == association_approver
    assert recovery.origin == ClaimRecovery.Origin.POST_AUDIT and recovery.amount == amount
    assert recovery.reason == "住院天数与病历不符" and recovery.status == ClaimRecovery.Status.OPEN
    entry = LedgerEntry.objects.get(pk=recovery.ledger_entry_id)
    assert entry.kind == "claim_recovery" and entry.cause_id == str(claim.pk) and "事后抽查" in entry.memo
    lines = dict(Posting.objects.filter(entry=entry).values_list("account__code", "amount"))
    assert lines == {ledger_rules.RECOVERY_RECEIVABLE: amount, ledger_rules.BENEFITS_EXPENSE: -amount}
    assert AuditEvent.objects.filter(action="record_post_audit_outcome", object_id=str(sample.pk)).exists()
    assert AuditEvent.objects.filter(action="open_claim_recovery", object_id=str(claim.pk)).exists()


@pytest.mark.parametrize("outcome", [OUTCOME.CONFIRMED, OUTCOME.RULE_CHANGE])
def test_an_outcome_once_recorded_cannot_be_changed(sampled, association_approver, outcome):
    sample, _claim = sampled
    services.record_post_audit_outcome(actor=association_approver, sample=sample, outcome=outcome,
                                       note="门诊慢特病的费用检查应分病种")
    with pytest.raises(Conflict) as refused:
        services.record_post_audit_outcome(actor=association_approver, sample=sample, outcome=OUTCOME.RECOVERY,
                                           note="再议", amount="1.00")
    assert refused.value.code == "outcome_recorded" and "不能更改" in refused.value.message
    assert PostAuditSample.objects.get(pk=sample.pk).outcome == outcome and not ClaimRecovery.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "", None, "1.001", "above"],
                         ids=["zero", "negative", "word", "empty", "missing", "three-decimals", "above-the-benefit"])
def test_a_bad_recovery_amount_is_refused_and_nothing_is_written(sampled, association_approver, amount):
    sample, claim = sampled
    if amount == "above":
        amount = str(claim.benefit_amount + D("0.01"))
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        services.record_post_audit_outcome(actor=association_approver, sample=sample, outcome=OUTCOME.RECOVERY,
                                           note="多付", amount=amount)
    assert refused.value.code == "invalid_amount" and refused.value.field == "amount"
    assert "不超过补助金" in refused.value.message
    assert PostAuditSample.objects.get(pk=sample.pk).outcome == OUTCOME.PENDING
    assert not ClaimRecovery.objects.exists() and LedgerEntry.objects.count() == entries


@pytest.mark.parametrize(("outcome", "code"), [(OUTCOME.RULE_CHANGE, "rule_required"), (OUTCOME.RECOVERY, "reason_required"),
                                               ("pending", "invalid_outcome"), ("maybe", "invalid_outcome")])
def test_an_outcome_needs_its_note_and_a_known_value(sampled, association_approver, outcome, code):
    sample, _claim = sampled
    with pytest.raises(ValidationFailed) as refused:
        services.record_post_audit_outcome(actor=association_approver, sample=sample, outcome=outcome, note=" ",
                                           amount="1.00")
    assert refused.value.code == code and PostAuditSample.objects.get(pk=sample.pk).outcome == OUTCOME.PENDING


def test_an_unpaid_claim_has_nothing_to_recover_and_the_sample_stays_pending(file_stay, association_approver,
                                                                               share_all):
    stay(file_stay)
    sample = draw(association_approver).samples.get()
    with pytest.raises(Conflict) as refused:
        services.record_post_audit_outcome(actor=association_approver, sample=sample, outcome=OUTCOME.RECOVERY,
                                           note="多付", amount="1.00")
    assert refused.value.code == "not_paid"
    assert PostAuditSample.objects.get(pk=sample.pk).outcome == OUTCOME.PENDING and not ClaimRecovery.objects.exists()


def test_a_claim_with_a_recovery_already_is_refused_a_second(sampled, association_approver):
    sample, claim = sampled
    ClaimRecovery.objects.create(claim=claim, amount=claim.benefit_amount, reversal_serial="ZY-1", opened_on=TODAY)
    with pytest.raises(Conflict) as refused:
        services.record_post_audit_outcome(actor=association_approver, sample=sample, outcome=OUTCOME.RECOVERY,
                                           note="多付", amount="1.00")
    assert refused.value.code == "recovery_exists"
    assert PostAuditSample.objects.get(pk=sample.pk).outcome == OUTCOME.PENDING and ClaimRecovery.objects.count() == 1


def test_only_the_association_records_an_outcome(sampled, county_clerk, auditor):
    sample, _claim = sampled
    for who in (county_clerk, auditor):
        with pytest.raises(PermissionDenied):
            services.record_post_audit_outcome(actor=who, sample=sample, outcome=OUTCOME.CONFIRMED)
    assert PostAuditSample.objects.get(pk=sample.pk).outcome == OUTCOME.PENDING


# --- the precision feed ----------------------------------------------------------------------------
RAW = """
SELECT f.code,
       COUNT(*),
       SUM(CASE WHEN f.review = 'confirmed' OR (f.review = 'open' AND s.outcome = 'recovery') THEN 1 ELSE 0 END),
       SUM(CASE WHEN f.review = 'false_alarm' OR (f.review = 'open' AND s.outcome = 'confirmed') THEN 1 ELSE 0 END),
       SUM(CASE WHEN f.review = 'open' AND (s.outcome IS NULL OR s.outcome IN ('pending', 'rule_change'))
                THEN 1 ELSE 0 END)
FROM risk_riskfinding f LEFT JOIN risk_postauditsample s ON s.claim_id = f.claim_id
WHERE f.year = %s GROUP BY f.code ORDER BY f.code
"""


def test_the_precision_figures_count_the_post_audit_outcomes_as_raw_sql_does(file_stay, association_approver,
                                                                             share_all):
    recovered, approved_right, own_verdict, ruled, missed, unsampled = (paid(stay(file_stay)) for _ in range(6))
    finding(recovered), finding(approved_right), finding(ruled)
    finding(own_verdict, review=RiskFinding.Review.FALSE_ALARM)  # its own review wins over the post-audit
    finding(approved_right, code="frequency_outlier", review=RiskFinding.Review.CONFIRMED)
    Claim.objects.filter(pk=unsampled.pk).update(approved_at=recovered.approved_at.replace(month=4))
    finding(unsampled)  # not drawn: stays open
    samples = {s.claim_id: s for s in draw(association_approver).samples.all()}
    assert unsampled.pk not in samples
    record = services.record_post_audit_outcome
    record(actor=association_approver, sample=samples[recovered.pk], outcome=OUTCOME.RECOVERY, note="多付", amount="10.00")
    record(actor=association_approver, sample=samples[missed.pk], outcome=OUTCOME.RECOVERY, note="漏报", amount="10.00")
    record(actor=association_approver, sample=samples[approved_right.pk], outcome=OUTCOME.CONFIRMED)
    record(actor=association_approver, sample=samples[own_verdict.pk], outcome=OUTCOME.RECOVERY, note="多付", amount="5.00")
    record(actor=association_approver, sample=samples[ruled.pk], outcome=OUTCOME.RULE_CHANGE, note="费用异常线按病种调整")

    with connection.cursor() as cursor:
        cursor.execute(RAW, [2026])
        expected = {code: (n, confirmed, false_alarms, still_open)
                    for code, n, confirmed, false_alarms, still_open in cursor.fetchall()}
    rows = {r["code"]: (r["findings"], r["confirmed"], r["false_alarms"], r["open"])
            for r in queries.by_check(PROVINCE, 2026)}
    assert rows == expected
    # cost_outlier: recovered → confirmed; approved_right → false alarm; own_verdict keeps its false alarm;
    # ruled and unsampled stay open
    assert rows["cost_outlier"] == (5, 1, 2, 2)
    assert next(r for r in queries.by_check(PROVINCE, 2026) if r["code"] == "cost_outlier")["precision"] == 1 / 3
    totals = queries.totals(PROVINCE, 2026)
    assert (totals["confirmed"], totals["false_alarms"], totals["open"]) == (2, 2, 2)
    [month] = queries.post_audit_by_month(PROVINCE, 2026)
    assert (month["sampled"], month["decided"], month["recoveries"], month["rule_changes"], month["confirmed"]) == (
        5, 5, 3, 1, 1)
    # recoveries on claims no check flagged: `missed` only (the others carry findings)
    assert month["missed"] == 1 and month["miss_rate"] == pytest.approx(1 / 3)
    assert ClaimRecovery.objects.filter(origin="post_audit").aggregate(s=Sum("amount"))["s"] == D("25.00")
