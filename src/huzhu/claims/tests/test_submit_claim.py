"""Submitting a claim: checks, decision stored with the terms version, routing and straight-through."""
from datetime import date
from decimal import Decimal as D

import pytest

from huzhu.audit.models import AuditEvent
from huzhu.conftest import make_worker
from huzhu.core import crypto
from huzhu.core.errors import NotFound, ValidationFailed
from huzhu.enrollment.models import Coverage

from .. import services
from ..models import Claim, Invoice
from .conftest import TODAY, cover, invoice, scans, stay_fields

S = Claim.Status


def test_desk_intake_stores_the_engine_decision_with_its_terms_version(file_stay, no_straight_through):
    claim = file_stay("8000.00")
    claim.refresh_from_db()
    assert claim.benefit_amount == D("4100.00")  # 8000 x 50% + 10 days x 10
    assert [s["name"] for s in claim.explanation] == ["band 0-10000 @ 50%", "allowance 10 days x 10"]
    assert claim.explanation[0]["label"].startswith("个人自付")
    assert claim.terms_version == claim.plan_year.current_version


def test_the_diagnosis_name_is_stored_encrypted_and_the_icd10_code_stays_coded(file_stay):
    claim = file_stay()
    row = Claim.objects.values().get(pk=claim.pk)
    assert "肺炎" not in str(row) and row["diagnosis_code"] == "J18.900"
    assert row["diagnosis_name_encrypted"].startswith(crypto.current_tag() + ":")
    assert Claim.objects.get(pk=claim.pk).reveal_diagnosis_name() == "肺炎"


def test_a_diagnosis_name_longer_than_the_column_held_is_refused(worker, county_clerk):
    fields = {**stay_fields(), "diagnosis_name": "肺" * 101}
    with pytest.raises(ValidationFailed) as refused:
        services.file_claim(actor=county_clerk, worker=worker, documents=scans(), today=TODAY, **fields)
    assert refused.value.field == "diagnosis_name" and not Claim.objects.exists()


def test_a_county_clerks_desk_intake_is_the_first_review_and_the_claim_waits_for_the_league(file_stay,
                                                                                            no_straight_through):
    claim = file_stay()
    moves = [(c.from_status, c.to_status, c.actor_kind) for c in claim.status_changes.order_by("pk")]
    assert moves == [(S.DRAFT, S.SUBMITTED, "staff"), (S.SUBMITTED, S.FIRST_REVIEW, "system"),
                     (S.FIRST_REVIEW, S.SECOND_REVIEW, "staff")]
    assert claim.status == S.SECOND_REVIEW
    assert claim.documents_complete_on == TODAY
    assert claim.due_on == date(2026, 6, 23)  # 15 working days; 19 June 2026 is the Dragon Boat holiday


def test_a_unit_contacts_claim_waits_for_the_county(worker, unit_contact, no_straight_through):
    claim = services.file_claim(actor=unit_contact, worker=worker, documents=scans(), today=TODAY, **stay_fields())
    assert claim.status == S.FIRST_REVIEW
    assert claim.channel == Claim.Channel.UNIT


def test_a_claim_with_missing_documents_goes_back_for_supplement_with_the_list(file_stay):
    claim = file_stay(documents=scans(("invoice", "id_card")))
    assert claim.status == S.SUPPLEMENT
    assert claim.missing_items == ["settlement_sheet", "discharge_summary", "bank_card"]
    last = claim.status_changes.order_by("pk").last()
    assert last.actor is None and "住院结算单" in last.comment
    assert claim.due_on is None


def test_a_clean_small_claim_is_approved_straight_through_as_automatic_decisions(file_stay):
    claim = file_stay("2000.00")  # 1000 + 100 allowance, below the 3,000 limit
    assert claim.status == S.APPROVED
    assert claim.straight_through
    automatic = claim.status_changes.filter(actor_kind="system", to_status__in=[S.APPROVAL, S.APPROVED])
    assert automatic.count() == 2
    assert all("自动审批" in c.comment for c in automatic)


def test_a_claim_at_or_above_the_limit_waits_for_people(file_stay):
    assert file_stay("8000.00").status == S.SECOND_REVIEW


def test_the_straight_through_limit_is_a_setting(file_stay, settings):
    settings.CLAIMS_STRAIGHT_THROUGH_LIMIT = "10000.00"
    assert file_stay("8000.00").status == S.APPROVED


def test_an_overlapping_stay_is_never_straight_through(file_stay):
    file_stay("1000.00", admitted=date(2026, 3, 1), discharged=date(2026, 3, 11))
    second = file_stay("1000.00", admitted=date(2026, 3, 5), discharged=date(2026, 3, 8))
    assert second.status == S.SECOND_REVIEW


def test_a_stay_before_the_coverage_starts_is_refused(plans, home_unit, county_clerk):
    person = make_worker(home_unit)
    cover(person, starts_on=date(2026, 4, 1))
    with pytest.raises(ValidationFailed) as refused:
        services.file_claim(actor=county_clerk, worker=person, documents=scans(), today=TODAY, **stay_fields())
    assert refused.value.code == "before_coverage"
    assert not Claim.objects.exists()


def test_a_worker_without_coverage_gets_a_clear_error(plans, home_unit, county_clerk):
    with pytest.raises(ValidationFailed, match="没有有效的保障凭证"):
        services.file_claim(actor=county_clerk, worker=make_worker(home_unit), today=TODAY, **stay_fields())


def test_an_unpaid_coverage_is_refused(plans, home_unit, county_clerk):
    person = make_worker(home_unit)
    cover(person, status=Coverage.Status.PENDING)
    with pytest.raises(ValidationFailed) as refused:
        services.file_claim(actor=county_clerk, worker=person, documents=scans(), today=TODAY, **stay_fields())
    assert refused.value.code == "coverage_inactive"


def test_a_claim_after_the_deadline_is_refused(file_stay):
    with pytest.raises(ValidationFailed) as refused:
        file_stay(today=date(2028, 1, 1))
    assert refused.value.code == "late"


def test_amounts_that_do_not_add_up_are_refused_naming_the_field(worker, county_clerk):
    fields = stay_fields()
    fields["amounts"]["fund_paid_amount"] = D("1.00")
    with pytest.raises(ValidationFailed) as refused:
        services.file_claim(actor=county_clerk, worker=worker, today=TODAY, **fields)
    assert refused.value.field == "total_amount"


def test_a_man_is_not_eligible_for_the_womens_plan(plans, home_unit, county_clerk):
    person = make_worker(home_unit, gender="M")
    cover(person, plan="women_health")
    with pytest.raises(ValidationFailed) as refused:
        services.file_claim(actor=county_clerk, worker=person, today=TODAY, claim_type="diagnosis",
                            diagnosed_on=date(2026, 5, 1), diagnosis_code="C50.900")
    assert refused.value.code == "not_covered_not_eligible"


def test_an_invoice_already_used_by_another_claim_is_refused(file_stay, worker, county_clerk):
    used = invoice("20000.00")
    file_stay(invoices=[used])
    with pytest.raises(ValidationFailed) as refused:
        services.file_claim(actor=county_clerk, worker=worker, today=TODAY,
                            **stay_fields(admitted=date(2026, 5, 1), discharged=date(2026, 5, 5), invoices=[used]))
    assert refused.value.code == "invoice_used"
    assert Invoice.objects.filter(code=used["code"], number=used["number"]).count() == 1


def test_an_invoice_typed_twice_in_one_claim_is_refused(worker, county_clerk):
    twice = invoice("10000.00")
    with pytest.raises(ValidationFailed) as refused:
        services.file_claim(actor=county_clerk, worker=worker, today=TODAY,
                            **stay_fields(invoices=[twice, {**twice}]))
    assert refused.value.code == "invoice_repeated"


def test_a_clerk_cannot_file_for_a_worker_of_another_league(plans, other_unit, county_clerk):
    stranger = make_worker(other_unit)
    cover(stranger)
    with pytest.raises(NotFound):
        services.file_claim(actor=county_clerk, worker=stranger, today=TODAY, **stay_fields())


def test_the_worker_files_their_own_claim_from_the_phone(worker):
    me = services.WorkerActor(worker.pk)
    claim = services.create_claim(actor=me, worker=worker, **stay_fields("8000.00"))
    for kind, content in scans():
        services.attach_document(actor=me, claim=claim, kind=kind, upload=content)
    services.submit_claim(actor=me, claim=claim, today=TODAY)
    assert claim.channel == Claim.Channel.WORKER
    assert claim.status == S.FIRST_REVIEW
    assert claim.status_changes.first().actor_kind == "worker"


def test_every_move_is_audited(file_stay, no_straight_through):
    claim = file_stay()
    actions = set(AuditEvent.objects.filter(object_type="Claim", object_id=str(claim.pk)).values_list("action", flat=True))
    assert {"create_claim", "claim_submit", "claim_route", "claim_pass_first"} <= actions


@pytest.mark.parametrize("zero", [pytest.param(0xFF10, id="full-width"), pytest.param(0x0660, id="arabic-indic")])
def test_an_invoice_typed_again_in_other_digits_is_the_same_invoice_and_is_refused(file_stay, worker, county_clerk,
                                                                                   zero):
    used = invoice("20000.00", code="15020126")
    file_stay(invoices=[used])
    retyped = {**used, **{part: "".join(chr(zero + int(c)) if c.isdigit() else c for c in used[part])
                          for part in ("code", "number", "check_code")}}
    with pytest.raises(ValidationFailed) as refused:
        services.file_claim(actor=county_clerk, worker=worker, today=TODAY,
                            **stay_fields(admitted=date(2026, 5, 1), discharged=date(2026, 5, 5), invoices=[retyped]))
    assert refused.value.code == "invoice_used"
    assert Invoice.objects.count() == 1


def test_an_invoice_in_full_width_digits_is_stored_in_ascii(file_stay):
    claim = file_stay(invoices=[invoice("20000.00", code="１５０２０１２６")])
    assert claim.invoices.get().code == "15020126"
