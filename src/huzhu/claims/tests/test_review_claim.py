"""Review: three levels, four eyes, supplement loop, rejection, withdrawal, reviewer adjustments."""
from datetime import date
from decimal import Decimal as D

import pytest

from huzhu.core.errors import Conflict, PermissionDenied, ValidationFailed

from .. import services
from ..models import Claim, Invoice
from .conftest import TODAY, scans, stay_fields

S = Claim.Status


@pytest.fixture
def in_review(file_stay, no_straight_through):
    return file_stay("8000.00")  # at the league after the desk's first review


def test_a_claim_goes_through_league_and_association_to_approved(in_review, league_reviewer, association_approver):
    services.pass_review(actor=league_reviewer, claim=in_review, comment="复审同意")
    services.pass_review(actor=association_approver, claim=in_review, comment="同意")
    in_review.refresh_from_db()
    assert in_review.status == S.APPROVED
    assert in_review.benefit_amount == D("4100.00")
    assert in_review.approved_at is not None
    assert [c.level for c in in_review.status_changes.order_by("pk")] == ["county", "", "county", "league", "association"]


def test_the_same_person_cannot_review_at_two_levels(in_review, county_clerk, league_reviewer, association_approver):
    from huzhu.regions.models import StaffProfile

    services.pass_review(actor=league_reviewer, claim=in_review)
    # The reviewer moves to the association (a new role, same person): still one level per claim.
    StaffProfile.objects.filter(user=league_reviewer).update(role="association", division=None)
    league_reviewer.refresh_from_db()
    with pytest.raises(PermissionDenied, match="不同人员"):
        services.pass_review(actor=league_reviewer, claim=in_review)
    assert Claim.objects.get(pk=in_review.pk).status == S.APPROVAL


def test_an_association_member_who_submitted_cannot_approve(worker, association_approver, second_approver,
                                                            league_reviewer, county_clerk, no_straight_through):
    claim = services.file_claim(actor=association_approver, worker=worker, documents=scans(), today=TODAY,
                                **stay_fields())
    services.pass_review(actor=county_clerk, claim=claim)
    services.pass_review(actor=league_reviewer, claim=claim)
    with pytest.raises(PermissionDenied):
        services.pass_review(actor=association_approver, claim=claim)
    services.pass_review(actor=second_approver, claim=claim)
    assert claim.status == S.APPROVED


def test_supplement_loop_the_worker_adds_the_missing_document_and_resubmits(file_stay, league_reviewer,
                                                                           no_straight_through, worker):
    claim = file_stay(documents=scans(("settlement_sheet", "invoice", "id_card", "discharge_summary")))
    assert claim.status == S.SUPPLEMENT and claim.missing_items == ["bank_card"]
    me = services.WorkerActor(worker.pk)
    services.attach_document(actor=me, claim=claim, kind="bank_card", upload=scans(("bank_card",))[0][1])
    services.submit_claim(actor=me, claim=claim, today=date(2026, 6, 3))
    assert claim.status == S.FIRST_REVIEW
    assert claim.missing_items == []
    assert claim.documents_complete_on == date(2026, 6, 3)


def test_a_reviewer_returns_a_claim_with_the_list_of_what_is_missing(in_review, league_reviewer):
    services.return_for_supplement(actor=league_reviewer, claim=in_review,
                                   missing_items=["discharge_summary", "出院小结须加盖医院公章"], comment="请补正")
    in_review.refresh_from_db()
    assert in_review.status == S.SUPPLEMENT
    assert in_review.missing_items == ["discharge_summary", "出院小结须加盖医院公章"]


def test_a_return_without_items_is_refused(in_review, league_reviewer):
    with pytest.raises(ValidationFailed):
        services.return_for_supplement(actor=league_reviewer, claim=in_review, missing_items=[" "])


def test_a_rejection_needs_a_reason_code_and_text(in_review, league_reviewer):
    with pytest.raises(ValidationFailed):
        services.reject_claim(actor=league_reviewer, claim=in_review, reason_code="nonsense", comment="x")
    with pytest.raises(ValidationFailed):
        services.reject_claim(actor=league_reviewer, claim=in_review, reason_code="documents_invalid", comment=" ")
    services.reject_claim(actor=league_reviewer, claim=in_review, reason_code="documents_invalid", comment="票据与结算单不符")
    change = in_review.status_changes.order_by("pk").last()
    assert (change.to_status, change.reason_code) == (S.REJECTED, "documents_invalid")


def test_withdrawal_frees_the_invoices_for_a_new_claim(worker, county_clerk, no_straight_through):
    fields = stay_fields()
    claim = services.file_claim(actor=county_clerk, worker=worker, documents=scans(), today=TODAY, **fields)
    services.withdraw_claim(actor=county_clerk, claim=claim, comment="职工要求撤回")
    again = services.file_claim(actor=county_clerk, worker=worker, documents=scans(), today=TODAY, **fields)
    assert again.status == S.SECOND_REVIEW
    assert Invoice.objects.filter(number=fields["invoices"][0]["number"]).count() == 2


def test_a_rejected_claims_invoice_stays_used(in_review, league_reviewer, worker, county_clerk):
    services.reject_claim(actor=league_reviewer, claim=in_review, reason_code="other", comment="不符合")
    used = in_review.invoices.get()
    with pytest.raises(ValidationFailed, match="已用于申领"):
        services.create_claim(actor=county_clerk, worker=worker, **stay_fields(
            invoices=[{"code": used.code, "number": used.number, "check_code": "ZZZZZZ", "amount": used.amount}]))


def test_a_reviewer_adjusts_an_amount_with_a_reason_and_the_engine_recomputes(in_review, league_reviewer):
    services.adjust_claim(actor=league_reviewer, claim=in_review, reason="乙类药品先行自付部分不属于政策内自付",
                          changes={"policy_self_pay_amount": D("6000.00"), "out_of_policy_amount": D("2000.00")})
    in_review.refresh_from_db()
    assert in_review.benefit_amount == D("3100.00")  # 6000 x 50% + 100 allowance
    adjustment = in_review.adjustments.get(field="policy_self_pay_amount")
    assert (adjustment.before_amount, adjustment.after_amount) == (D("8000.00"), D("6000.00"))
    assert (adjustment.benefit_before_amount, adjustment.benefit_after_amount) == (D("4100.00"), D("3100.00"))


def test_an_adjustment_that_breaks_the_totals_is_refused(in_review, league_reviewer):
    with pytest.raises(ValidationFailed) as refused:
        services.adjust_claim(actor=league_reviewer, claim=in_review, reason="核减",
                              changes={"policy_self_pay_amount": D("6000.00")})
    assert refused.value.field == "total_amount"


def test_a_claim_at_another_level_cannot_be_adjusted_by_the_county(in_review, second_clerk):
    with pytest.raises(PermissionDenied):
        services.adjust_claim(actor=second_clerk, claim=in_review, reason="x",
                              changes={"policy_self_pay_amount": D("1.00")})


def test_a_decided_claim_cannot_be_reviewed_again(file_stay, league_reviewer):
    claim = file_stay("1000.00")
    assert claim.status == S.APPROVED
    with pytest.raises(Conflict):
        services.pass_review(actor=league_reviewer, claim=claim)
