"""Building a batch from approved unpaid claims, the maker/checker rule, cancelling, the one-live-payout rule."""
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from huzhu.audit.models import AuditEvent
from huzhu.claims.models import Claim
from huzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from huzhu.core.scopes import PROVINCE
from huzhu.payouts import queries, services
from huzhu.payouts.models import Payout, PayoutBatch
from huzhu.payouts.rules import BatchFilters

from .conftest import everything

B = PayoutBatch.Status


def test_a_batch_takes_every_approved_unpaid_claim_with_its_payee_copied(approve_claim, maker):
    claims = [approve_claim(), approve_claim("5000.00")]
    batch = services.build_batch(actor=maker, filters=everything())
    assert batch.status == B.DRAFT and batch.created_by == maker
    assert (batch.payout_count, batch.total_amount) == (2, D("600.00") + claims[1].benefit_amount)
    payout = Payout.objects.get(claim=claims[0])
    worker = claims[0].worker
    assert (payout.payee_name, payout.bank_account_masked, payout.amount) == (worker.name, worker.bank_account_masked,
                                                                             D("600.00"))
    assert payout.reveal_bank_account() == worker.reveal_bank_account()
    assert payout.reference == f"HZ{claims[0].pk:08d}-1" and payout.status == Payout.Status.PENDING
    assert AuditEvent.objects.filter(action="build_payout_batch", object_id=str(batch.pk)).exists()


def test_filters_pick_by_plan_region_and_approval_date(approve_claim, other_county_unit, other_county_clerk, maker):
    home = approve_claim()
    away = approve_claim(unit=other_county_unit, clerk=other_county_clerk)
    today = timezone.localdate()

    def picked(**filters):
        return set(queries.claims_ready_for_payout(PROVINCE, BatchFilters(**filters)).values_list("pk", flat=True))

    assert picked() == {home.pk, away.pk}
    assert picked(league="150200") == {home.pk}
    assert picked(county="150402") == {away.pk}
    assert picked(plan="women_health") == set()
    assert picked(plan="hospitalization", approved_from=today, approved_to=today) == {home.pk, away.pk}
    assert picked(approved_to=today - timedelta(days=1)) == set()
    batch = services.build_batch(actor=maker, filters=BatchFilters(league="150400"))
    assert list(batch.payouts.values_list("claim_id", flat=True)) == [away.pk]
    assert "赤峰市" in batch.filters_label


def test_claims_already_in_a_batch_or_without_a_bank_account_are_left_out(approve_claim, maker):
    first = approve_claim()
    services.build_batch(actor=maker, filters=everything())
    no_card = approve_claim(bank=False)
    with pytest.raises(ValidationFailed, match="没有符合条件的待支付申领"):
        services.build_batch(actor=maker, filters=everything())
    assert list(queries.claims_missing_bank_account(PROVINCE)) == [no_card]
    assert Payout.objects.filter(claim=first).count() == 1


def test_the_maker_cannot_approve_their_own_batch_but_another_association_member_can(approve_claim, maker, checker):
    approve_claim()
    batch = services.build_batch(actor=maker, filters=everything())
    with pytest.raises(PermissionDenied, match="制单人不能复核"):
        services.approve_batch(actor=maker, batch=batch)
    assert PayoutBatch.objects.get(pk=batch.pk).status == B.DRAFT
    services.approve_batch(actor=checker, batch=batch)
    assert (batch.status, batch.approved_by) == (B.APPROVED, checker)
    with pytest.raises(Conflict, match="不能复核"):
        services.approve_batch(actor=checker, batch=batch)


def test_the_database_refuses_a_batch_whose_checker_is_its_maker(approve_claim, maker):
    approve_claim()
    batch = services.build_batch(actor=maker, filters=everything())
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutBatch.objects.filter(pk=batch.pk).update(approved_by=maker)


def test_a_claim_cannot_have_two_live_payouts_even_past_the_service(approve_claim, maker):
    claim = approve_claim()
    batch = services.build_batch(actor=maker, filters=everything())
    payout = batch.payouts.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(batch=batch, claim=claim, plan_year=payout.plan_year, league_id=payout.league_id,
                              county_id=payout.county_id, unit_id=payout.unit_id, attempt=2, reference="HZX-2",
                              amount=payout.amount, payee_name="x", bank_account_encrypted="x", bank_account_masked="x")


def test_cancelling_a_batch_before_sending_frees_its_claims_for_a_new_batch(approve_claim, maker, checker):
    claim = approve_claim()
    batch = services.build_batch(actor=maker, filters=everything())
    services.approve_batch(actor=checker, batch=batch)
    with pytest.raises(ValidationFailed):
        services.cancel_batch(actor=maker, batch=batch, reason=" ")
    services.cancel_batch(actor=maker, batch=batch, reason="筛选条件有误")
    assert batch.status == B.CANCELLED
    again = services.build_batch(actor=maker, filters=everything())
    assert again.payouts.get().reference == f"HZ{claim.pk:08d}-2"
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.APPROVED


def test_the_bank_file_needs_an_approved_batch_and_sending_needs_the_file(approve_claim, maker, checker):
    approve_claim()
    batch = services.build_batch(actor=maker, filters=everything())
    with pytest.raises(Conflict, match="须先复核"):
        services.record_bank_file_export(actor=maker, batch=batch, file_format="csv")
    services.approve_batch(actor=checker, batch=batch)
    with pytest.raises(Conflict, match="请先导出银行文件"):
        services.mark_batch_sent(actor=maker, batch=batch, sent_on=timezone.localdate())
    services.record_bank_file_export(actor=maker, batch=batch, file_format="xlsx")
    with pytest.raises(ValidationFailed, match="不能晚于今天"):
        services.mark_batch_sent(actor=maker, batch=batch, sent_on=timezone.localdate() + timedelta(days=1))
    services.mark_batch_sent(actor=maker, batch=batch, sent_on=timezone.localdate())
    assert batch.status == B.SENT
    assert set(batch.payouts.values_list("status", flat=True)) == {Payout.Status.SENT}
    with pytest.raises(Conflict):
        services.cancel_batch(actor=maker, batch=batch, reason="太晚了")
