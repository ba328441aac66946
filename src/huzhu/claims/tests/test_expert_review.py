"""Medical expert review (医学专家评审): a women's diagnosis and large benefits see an expert between the league and the
association; she gives an opinion with reasons on her own clock and sees no other claim."""
from datetime import date
from decimal import Decimal as D

import pytest

from huzhu.audit.models import AuditEvent
from huzhu.conftest import make_worker
from huzhu.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from huzhu.security.permissions import can_open_document

from .. import queries, review_clock, rules, services
from ..models import Claim, ExpertOpinion
from .conftest import TODAY, cover, scans
from .test_adjudication import WOMEN_DOCUMENTS

S = Claim.Status


@pytest.fixture
def woman(plans, home_unit):
    person = make_worker(home_unit, gender="F")
    cover(person, plan="women_health")
    return person


@pytest.fixture
def diagnosis_claim(woman, county_clerk):
    return services.file_claim(actor=county_clerk, worker=woman, today=TODAY, claim_type="diagnosis",
                               diagnosed_on=date(2026, 3, 1), diagnosis_code="C50.900", diagnosis_name="",
                               documents=scans(WOMEN_DOCUMENTS))


def test_a_womens_claim_passes_the_league_to_the_expert_with_its_own_clock(diagnosis_claim, league_reviewer):
    assert diagnosis_claim.status == S.SECOND_REVIEW and diagnosis_claim.expert_required
    services.pass_review(actor=league_reviewer, claim=diagnosis_claim, today=TODAY)
    diagnosis_claim.refresh_from_db()
    assert diagnosis_claim.status == S.EXPERT_REVIEW
    assert diagnosis_claim.expert_due_on == review_clock.add_working_days(TODAY, rules.EXPERT_REVIEW_DAYS)
    change = diagnosis_claim.status_changes.latest("at")
    assert (change.action, change.level) == ("to_expert", "league")


def test_nobody_but_the_expert_moves_a_claim_at_expert_review(diagnosis_claim, league_reviewer, association_approver):
    services.pass_review(actor=league_reviewer, claim=diagnosis_claim, today=TODAY)
    with pytest.raises(Conflict):
        services.pass_review(actor=association_approver, claim=diagnosis_claim)
    with pytest.raises(PermissionDenied):
        services.give_expert_opinion(actor=association_approver, claim=diagnosis_claim, opinion="agree", reasons="可以")
    with pytest.raises(Conflict):
        services.return_for_supplement(actor=association_approver, claim=diagnosis_claim, missing_items=["病理报告"])
    assert Claim.objects.get(pk=diagnosis_claim.pk).status == S.EXPERT_REVIEW


def test_the_expert_opinion_needs_reasons_and_goes_on_to_the_association(diagnosis_claim, league_reviewer,
                                                                          medical_expert, association_approver):
    services.pass_review(actor=league_reviewer, claim=diagnosis_claim, today=TODAY)
    for opinion, reasons, code in (("agree", "  ", "reasons_required"), ("maybe", "理由", "invalid_opinion")):
        with pytest.raises(ValidationFailed) as refused:
            services.give_expert_opinion(actor=medical_expert, claim=diagnosis_claim, opinion=opinion, reasons=reasons)
        assert refused.value.code == code
    assert not ExpertOpinion.objects.exists() and Claim.objects.get(pk=diagnosis_claim.pk).status == S.EXPERT_REVIEW

    given = services.give_expert_opinion(actor=medical_expert, claim=diagnosis_claim, opinion="disagree",
                                         reasons="病理报告  与诊断证明不一致", today=TODAY)
    diagnosis_claim.refresh_from_db()
    assert diagnosis_claim.status == S.APPROVAL
    assert (given.opinion, given.reasons, given.expert, given.due_on) == (
        "disagree", "病理报告 与诊断证明不一致", medical_expert, diagnosis_claim.expert_due_on)
    change = diagnosis_claim.status_changes.latest("at")
    assert (change.action, change.level, change.actor) == ("give_opinion", "expert", medical_expert)
    assert "病理报告" in change.comment
    assert AuditEvent.objects.filter(action="claim_give_opinion", object_id=str(diagnosis_claim.pk)).exists()
    # the association decides, with the opinion before it; the expert never approves
    services.pass_review(actor=association_approver, claim=diagnosis_claim)
    assert Claim.objects.get(pk=diagnosis_claim.pk).status == S.APPROVED


def test_a_large_stay_sees_the_expert_and_a_small_one_does_not(file_stay, league_reviewer, settings):
    settings.CLAIMS_EXPERT_REVIEW_AMOUNT = "5000.00"
    large, small = file_stay("30000.00", fund="0.00"), file_stay("4000.00")
    assert large.benefit_amount >= D("5000.00") > small.benefit_amount
    for claim in (large, small):
        if claim.status == S.SECOND_REVIEW:
            services.pass_review(actor=league_reviewer, claim=claim, today=TODAY)
        claim.refresh_from_db()
    assert large.status == S.EXPERT_REVIEW and large.expert_required
    assert small.status in (S.APPROVAL, S.APPROVED) and not small.expert_required


def test_the_expert_sees_only_the_claims_sent_to_her(diagnosis_claim, file_stay, league_reviewer, medical_expert,
                                                      scope_for, client):
    other = file_stay()
    expert_scope = scope_for(medical_expert)
    assert not queries.claims_in_scope(expert_scope).exists()  # at second review: not hers yet
    services.pass_review(actor=league_reviewer, claim=diagnosis_claim, today=TODAY)
    assert list(queries.claims_in_scope(expert_scope)) == [diagnosis_claim]
    client.force_login(medical_expert)
    queue = client.get("/claims/")
    assert queue.status_code == 200 and f"/claims/{diagnosis_claim.pk}/" in queue.content.decode()
    assert client.get(f"/claims/{other.pk}/").status_code == 404
    page = client.get(f"/claims/{diagnosis_claim.pk}/").content.decode()
    assert "出具专家意见" in page and "提交审核结论" not in page
    # health documents yes, the ID card and the bank card no
    assert can_open_document(expert_scope, "pathology_report") and not can_open_document(expert_scope, "id_card")
    with pytest.raises(NotFound):
        services.give_expert_opinion(actor=medical_expert, claim=other, opinion="agree", reasons="可以")


def test_the_expert_gives_her_opinion_on_the_page_and_the_association_reads_it(
        diagnosis_claim, league_reviewer, medical_expert, association_approver, client):
    services.pass_review(actor=league_reviewer, claim=diagnosis_claim, today=TODAY)
    client.force_login(medical_expert)
    empty = client.post(f"/claims/{diagnosis_claim.pk}/opinion/", {"opinion": "agree", "reasons": ""}, follow=True)
    assert "请填写专家意见的理由" in empty.content.decode()
    assert Claim.objects.get(pk=diagnosis_claim.pk).status == S.EXPERT_REVIEW
    given = client.post(f"/claims/{diagnosis_claim.pk}/opinion/",
                        {"opinion": "agree", "reasons": "病理诊断为浸润性导管癌，属A档"}, follow=True)
    assert given.status_code == 200 and "专家意见已提交" in given.content.decode()
    client.force_login(association_approver)
    page = client.get(f"/claims/{diagnosis_claim.pk}/").content.decode()
    assert "医学专家意见" in page and "浸润性导管癌" in page and "提交审核结论" in page


def test_the_experts_queue_and_to_dos_run_on_her_own_clock(diagnosis_claim, league_reviewer, medical_expert, client):
    from huzhu.core.todo import todos_for

    services.pass_review(actor=league_reviewer, claim=diagnosis_claim, today=TODAY)
    diagnosis_claim.refresh_from_db()
    assert diagnosis_claim.due_on > diagnosis_claim.expert_due_on  # her step ends well before the claim's clock
    Claim.objects.filter(pk=diagnosis_claim.pk).update(expert_due_on=date(2026, 1, 5))  # set-up: her step overdue
    todos = {todo.label: todo for todo in todos_for(medical_expert)}
    assert todos["待专家评审"].count == 1 and todos["已超期"].count == 1
    client.force_login(medical_expert)
    overdue = client.get(todos["已超期"].url)
    assert f"/claims/{diagnosis_claim.pk}/" in overdue.content.decode()
    page = client.get(f"/claims/{diagnosis_claim.pk}/").content.decode()
    assert "2026-01-05" in page and "已超期" in page


def test_a_womens_diagnosis_always_sees_the_expert_and_an_operation_only_from_the_amount():
    threshold = D("10000.00")
    assert rules.needs_expert_review("diagnosis", D("3000.00"), threshold)  # the pathology report decides it
    assert not rules.needs_expert_review("procedure", D("3000.00"), threshold)  # tier C: no pathology
    assert rules.needs_expert_review("inpatient", threshold, threshold)
    assert not rules.needs_expert_review("inpatient", threshold - D("0.01"), threshold)
