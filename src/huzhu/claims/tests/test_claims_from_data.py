"""Claims made from medical-insurance settlements (免申即享): made, idempotent, reversed, held for the card."""
from datetime import date
from decimal import Decimal as D

import pytest
from django.db.models import Sum

from huzhu.conftest import make_worker
from huzhu.core.actors import WorkerActor
from huzhu.core.errors import Conflict, NotFound, ValidationFailed
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger.models import LedgerEntry, Posting
from huzhu.payouts import queries as payout_queries
from huzhu.payouts.rules import BatchFilters
from huzhu.regions.queries import scope_of

from .. import services
from ..models import Claim, ClaimRecovery
from ..services.from_data import SettlementFacts, settlement_problems
from ..services.notifications import message_for
from .conftest import TODAY, cover, scans

S = Claim.Status
_serials = iter(range(1, 10**6))


def settlement(worker, coverage, *, self_pay="2000.00", fund="6000.00", aid="0.00", admitted=date(2026, 3, 1),
               discharged=date(2026, 3, 6), settled=None, claim_type="inpatient", code="J18.900", serial=None,
               hospital="包头市中心医院") -> SettlementFacts:
    """A settlement row whose parts add up: total = fund + medical aid + in-policy self-pay."""
    total = D(fund) + D(aid) + D(self_pay)
    return SettlementFacts(
        serial=serial or f"JS2026{next(_serials):08d}", worker_id=worker.pk, coverage_id=coverage.pk,
        claim_type=claim_type, hospital=hospital, admitted_on=admitted, discharged_on=discharged,
        settled_on=settled or discharged, diagnosis_code=code, total_amount=total, fund_paid_amount=D(fund),
        serious_illness_amount=D("0.00"), medical_aid_amount=D(aid), policy_self_pay_amount=D(self_pay),
        out_of_policy_amount=D("0.00"), self_funded_amount=D("0.00"))


@pytest.fixture
def covered(plans, home_unit):
    person = make_worker(home_unit, name="乌云", phone="13800000031", bank_name="工商银行",
                         bank_account="6222020200112233445")
    return person, cover(person)


def make(association_approver, *rows, today=TODAY):
    return services.claims_from_settlements(actor=association_approver, settlements=list(rows), today=today)


def test_a_clean_inpatient_settlement_goes_straight_through_with_the_engine_decision(covered, association_approver):
    worker, coverage = covered
    row = settlement(worker, coverage, self_pay="2000.00")
    made = make(association_approver, row)
    claim = Claim.objects.get(pk=made[row.serial])
    assert claim.channel == Claim.Channel.DATA and claim.settlement_serial == row.serial
    assert claim.settled_on == row.settled_on and claim.coverage_id == coverage.pk
    assert claim.status == S.APPROVED and claim.straight_through
    assert claim.benefit_amount == D("1050.00")  # 2000 x 50% + 5 days x 10
    assert [s["name"] for s in claim.explanation] == ["band 0-10000 @ 50%", "allowance 5 days x 10"]
    assert not claim.documents.exists() and claim.missing_items == []
    assert claim.bank_confirmed_at is None
    approved = claim.status_changes.get(to_status=S.APPROVED)
    assert message_for(approved).startswith("【职工互助】您有一笔互助补助金 1050.00 元")
    assert message_for(claim.status_changes.get(to_status=S.SUBMITTED)) == ""  # she never applied: review steps are silent


def test_medical_aid_is_a_payer_part_and_not_in_the_benefit_base(covered, association_approver):
    worker, coverage = covered
    row = settlement(worker, coverage, self_pay="2000.00", aid="1500.00")
    claim = Claim.objects.get(pk=make(association_approver, row)[row.serial])
    assert claim.medical_aid_amount == D("1500.00") and claim.total_amount == D("9500.00")
    assert claim.benefit_amount == D("1050.00")


def test_amounts_that_do_not_add_up_are_refused_naming_the_row_and_nothing_is_made(covered, association_approver):
    worker, coverage = covered
    good = settlement(worker, coverage)
    bad = settlement(worker, coverage)
    bad = SettlementFacts(**{**bad.__dict__, "total_amount": bad.total_amount + 1})
    assert [p.code for p in settlement_problems(bad)] == ["amounts_inconsistent"]
    with pytest.raises(ValidationFailed) as refused:
        make(association_approver, good, bad)
    assert refused.value.code == "amounts_inconsistent" and refused.value.row == 2
    assert bad.serial in refused.value.message
    assert not Claim.objects.exists()


def test_a_benefit_above_the_limit_waits_in_the_county_queue(covered, association_approver):
    worker, coverage = covered
    row = settlement(worker, coverage, self_pay="8000.00", discharged=date(2026, 3, 11))
    claim = Claim.objects.get(pk=make(association_approver, row)[row.serial])
    assert claim.status == S.FIRST_REVIEW and not claim.straight_through
    assert claim.benefit_amount == D("4100.00") and claim.documents_complete_on == TODAY
    assert claim.status_changes.get(to_status=S.SUBMITTED).actor_kind == "system"


def test_a_womens_diagnosis_waits_for_the_pathology_report_and_asks_her_phone(plans, home_unit, association_approver):
    woman = make_worker(home_unit, name="萨仁", gender="F", phone="13800000032")
    coverage = cover(woman, plan="women_health")
    row = settlement(woman, coverage, claim_type="diagnosis", code="c50.900")
    claim = Claim.objects.get(pk=make(association_approver, row)[row.serial])
    assert claim.claim_type == "diagnosis" and claim.diagnosis_code == "C50.900"
    assert claim.status == S.SUPPLEMENT and claim.missing_items == ["pathology_report"]
    asked = claim.status_changes.get(to_status=S.SUPPLEMENT)
    assert "拍照上传" in message_for(asked) and "病理报告" in message_for(asked)


def test_the_same_settlement_twice_makes_one_claim(covered, association_approver):
    worker, coverage = covered
    row = settlement(worker, coverage)
    first = make(association_approver, row)
    changes = Claim.objects.get(pk=first[row.serial]).status_changes.count()
    other = settlement(worker, coverage, admitted=date(2026, 4, 1), discharged=date(2026, 4, 3))
    again = make(association_approver, row, other)
    assert again[row.serial] == first[row.serial] and Claim.objects.count() == 2
    assert Claim.objects.get(pk=first[row.serial]).status_changes.count() == changes


def test_a_serial_twice_in_one_call_is_refused(covered, association_approver):
    worker, coverage = covered
    row = settlement(worker, coverage)
    with pytest.raises(ValidationFailed) as refused:
        make(association_approver, row, row)
    assert refused.value.code == "serial_repeated" and refused.value.row == 2 and not Claim.objects.exists()


def test_the_year_accumulators_run_across_two_settlements(covered, association_approver):
    worker, coverage = covered
    first = settlement(worker, coverage, claim_type="outpatient_chronic", self_pay="3000.00",
                       admitted=date(2026, 1, 1), discharged=date(2026, 3, 31))
    second = settlement(worker, coverage, claim_type="outpatient_chronic", self_pay="2000.00",
                        admitted=date(2026, 4, 1), discharged=date(2026, 5, 31))
    made = make(association_approver, first, second)
    one, two = Claim.objects.get(pk=made[first.serial]), Claim.objects.get(pk=made[second.serial])
    assert one.benefit_amount == D("1000.00")  # (3000 - 1000 deductible) x 50%
    assert two.benefit_amount == D("1000.00")  # (5000 - 1000) x 50% = 2000, less the 1000 already paid
    assert (one.period_start_on, two.period_end_on) == (date(2026, 1, 1), date(2026, 5, 31))


def test_a_stay_across_plan_years_is_claimed_on_the_coverage_given(covered, association_approver):
    worker, coverage_2026 = covered
    coverage_2027 = cover(worker, year=2027)
    row = settlement(worker, coverage_2026, admitted=date(2026, 12, 28), discharged=date(2027, 1, 4),
                     settled=date(2027, 1, 5))
    claim = Claim.objects.get(pk=make(association_approver, row, today=date(2027, 1, 10))[row.serial])
    assert claim.coverage_id == coverage_2026.pk != coverage_2027.pk
    assert claim.plan_year.year == 2026 and claim.status == S.APPROVED


def test_a_coverage_of_someone_else_is_refused(covered, plans, home_unit, association_approver):
    worker, _coverage = covered
    other = make_worker(home_unit)
    row = settlement(worker, cover(other))
    with pytest.raises(ValidationFailed) as refused:
        make(association_approver, row)
    assert refused.value.code == "unknown_coverage" and not Claim.objects.exists()


def _postings(claim, kind=None):
    entries = LedgerEntry.objects.filter(cause_type="claim", cause_id=str(claim.pk))
    if kind:
        entries = entries.filter(kind=kind)
    return Posting.objects.filter(entry__in=entries)


def test_a_reversal_before_payment_cancels_the_claim_and_its_approval_entry(covered, association_approver):
    worker, coverage = covered
    row = settlement(worker, coverage)
    claim = Claim.objects.get(pk=make(association_approver, row)[row.serial])
    assert _postings(claim).filter(account__code=ledger_rules.BENEFITS_EXPENSE).aggregate(s=Sum("amount"))["s"] == D("1050.00")
    answer = services.reverse_settlement_claims(actor=association_approver, serials=[row.serial, "JS-UNKNOWN"], today=TODAY)
    assert answer == {row.serial: "cancelled", "JS-UNKNOWN": "none"}
    claim.refresh_from_db()
    assert claim.status == S.WITHDRAWN
    change = claim.status_changes.get(action="reverse")
    assert change.reason_code == "settlement_reversed" and row.serial in change.comment
    assert _postings(claim).filter(account__code=ledger_rules.BENEFITS_EXPENSE).aggregate(s=Sum("amount"))["s"] == D("0.00")
    assert services.reverse_settlement_claims(actor=association_approver, serials=[row.serial]) == {row.serial: "already"}
    assert not ClaimRecovery.objects.exists()


def test_a_reversal_of_a_queued_claim_cancels_it_without_ledger(covered, association_approver):
    worker, coverage = covered
    row = settlement(worker, coverage, self_pay="8000.00")
    claim = Claim.objects.get(pk=make(association_approver, row)[row.serial])
    assert services.reverse_settlement_claims(actor=association_approver, serials=[row.serial]) == {row.serial: "cancelled"}
    claim.refresh_from_db()
    assert claim.status == S.WITHDRAWN and not _postings(claim).filter(entry__kind__startswith="reversal").exists()


def test_a_reversal_after_payment_opens_a_balanced_recovery(covered, association_approver):
    worker, coverage = covered
    row = settlement(worker, coverage)
    claim = Claim.objects.get(pk=make(association_approver, row)[row.serial])
    services.mark_claim_paid(actor=None, claim=claim)
    answer = services.reverse_settlement_claims(actor=association_approver, serials=[row.serial], today=TODAY)
    assert answer == {row.serial: "recovery"}
    claim.refresh_from_db()
    assert claim.status == S.PAID  # the benefit was paid: it stays paid, and is owed back
    recovery = ClaimRecovery.objects.get(claim=claim)
    assert recovery.amount == D("1050.00") and recovery.status == ClaimRecovery.Status.OPEN
    lines = _postings(claim, "claim_recovery")
    assert lines.aggregate(s=Sum("amount"))["s"] == D("0.00")
    assert lines.get(account__code=ledger_rules.RECOVERY_RECEIVABLE).amount == D("1050.00")
    assert lines.get(account__code=ledger_rules.BENEFITS_EXPENSE).amount == D("-1050.00")
    assert recovery.ledger_entry_id == lines.first().entry_id
    assert services.reverse_settlement_claims(actor=association_approver, serials=[row.serial]) == {row.serial: "already"}
    assert ClaimRecovery.objects.count() == 1 and _postings(claim, "claim_recovery").count() == 2


def _ready(association_approver):
    return set(payout_queries.claims_ready_for_payout(scope_of(association_approver), BatchFilters())
               .values_list("pk", flat=True))


def test_the_payout_selection_holds_a_data_claim_until_the_card_is_confirmed(covered, association_approver, settings):
    worker, coverage = covered
    row = settlement(worker, coverage)
    claim = Claim.objects.get(pk=make(association_approver, row)[row.serial])
    assert claim.pk not in _ready(association_approver)
    settings.HUZHU_DATA_CLAIMS_USE_CARD_ON_FILE = True
    assert claim.pk in _ready(association_approver)
    settings.HUZHU_DATA_CLAIMS_USE_CARD_ON_FILE = False
    services.confirm_bank_card(actor=WorkerActor(worker.pk), claim=claim)
    assert claim.pk in _ready(association_approver)


def test_with_the_card_on_file_setting_a_claim_is_made_confirmed(covered, association_approver, settings):
    settings.HUZHU_DATA_CLAIMS_USE_CARD_ON_FILE = True
    worker, coverage = covered
    row = settlement(worker, coverage)
    claim = Claim.objects.get(pk=make(association_approver, row)[row.serial])
    assert claim.bank_confirmed_at is not None
    assert "确认收款银行卡" not in message_for(claim.status_changes.get(to_status=S.APPROVED))


def test_confirm_bank_card_only_by_the_worker_on_her_data_claim(covered, plans, home_unit, association_approver,
                                                                  file_stay):
    worker, coverage = covered
    row = settlement(worker, coverage)
    claim = Claim.objects.get(pk=make(association_approver, row)[row.serial])
    with pytest.raises(NotFound):
        services.confirm_bank_card(actor=WorkerActor(make_worker(home_unit).pk), claim=claim)
    confirmed = services.confirm_bank_card(actor=WorkerActor(worker.pk), claim=claim)
    first = confirmed.bank_confirmed_at
    assert first is not None
    assert services.confirm_bank_card(actor=WorkerActor(worker.pk), claim=claim).bank_confirmed_at == first
    desk = file_stay("2000.00")
    with pytest.raises(Conflict) as refused:
        services.confirm_bank_card(actor=WorkerActor(desk.worker_id), claim=desk)
    assert refused.value.code == "not_a_data_claim"


def test_her_pathology_photo_sends_the_womens_claim_to_the_county(plans, home_unit, association_approver):
    woman = make_worker(home_unit, name="娜仁", gender="F", phone="13800000033")
    row = settlement(woman, cover(woman, plan="women_health"), claim_type="diagnosis", code="C50.900")
    claim = Claim.objects.get(pk=make(association_approver, row)[row.serial])
    her = WorkerActor(woman.pk)
    services.attach_document(actor=her, claim=claim, kind="pathology_report", upload=scans(("pathology_report",))[0][1])
    services.submit_claim(actor=her, claim=claim, today=TODAY)
    claim.refresh_from_db()
    assert claim.status == S.FIRST_REVIEW and claim.complex_case and claim.benefit_amount > 0
