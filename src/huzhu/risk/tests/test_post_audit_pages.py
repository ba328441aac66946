"""The post-audit pages: the association draws and records outcomes; the auditor and the regions read their samples;
a county clerk's write is refused."""
from datetime import timedelta

import pytest
from django.utils import timezone

from huzhu.claims import services as claim_services
from huzhu.conftest import PASSWORD
from huzhu.risk import services
from huzhu.risk.models import PostAuditDraw, PostAuditSample
from huzhu.risk.rules import previous_month

from .post_audit_builders import MONTH, TODAY, approved_on, hongshan_stay, stay

OUTCOME = PostAuditSample.Outcome


@pytest.fixture
def drawn(file_stay, association_approver, settings):
    """May's draw over a paid approval in 昆都仑区 and one in 红山区 (share 1: both)."""
    settings.RISK_POST_AUDIT_SHARE = "1"
    mine = claim_services.mark_claim_paid(actor=None, claim=stay(file_stay))
    theirs = hongshan_stay(file_stay)
    services.draw_post_audit(actor=association_approver, month=MONTH, today=TODAY)
    return PostAuditSample.objects.get(claim=mine), PostAuditSample.objects.get(claim=theirs)


def test_the_association_sees_the_queue_linked_to_the_claims_and_records_an_outcome(client, drawn, association_approver):
    mine, theirs = drawn
    client.login(username=association_approver.username, password=PASSWORD)
    queue = client.get("/risk/post-audit/?month=2026-05&outcome=pending").content.decode()
    assert f'href="/claims/{mine.claim_id}/"' in queue and f'href="/claims/{theirs.claim_id}/"' in queue
    assert f'href="/risk/post-audit/{mine.pk}/"' in queue and "红山区" in queue
    assert "抽取上月样本" in queue or "的样本已抽取" in queue
    page = client.get(f"/risk/post-audit/{mine.pk}/").content.decode()
    assert "记录抽查结论" in page and 'name="amount"' in page and "巴特尔" in page
    response = client.post(f"/risk/post-audit/{mine.pk}/outcome/", {"outcome": "recovery", "amount": "0",
                                                                     "note": "多付"})
    assert response.status_code == 302
    assert "追回金额" in client.get(response["Location"]).content.decode()  # the refusal, said on the page
    assert PostAuditSample.objects.get(pk=mine.pk).outcome == OUTCOME.PENDING
    response = client.post(f"/risk/post-audit/{mine.pk}/outcome/", {"outcome": "recovery", "amount": "10.00",
                                                                     "note": "票据金额多录"})
    assert response.status_code == 302 and response["Location"] == f"/risk/post-audit/{mine.pk}/"
    after = client.get(response["Location"]).content.decode()
    assert "抽查结论已记录" in after and "应追回 10.00 元" in after and "记录抽查结论" not in after
    assert PostAuditSample.objects.get(pk=mine.pk).outcome == OUTCOME.RECOVERY
    decided = client.get("/risk/post-audit/?outcome=recovery").content.decode()
    assert f"#{mine.claim_id}" in decided and f"#{theirs.claim_id}<" not in decided
    risk = client.get("/risk/?year=2026").content.decode()
    assert 'href="/risk/post-audit/"' in risk and "事后抽查（按月）" in risk and "2026-05" in risk


def test_the_home_page_counts_the_samples_waiting_for_the_association(client, drawn, association_approver):
    client.login(username=association_approver.username, password=PASSWORD)
    home = client.get("/").content.decode()
    assert "待事后抽查" in home and "/risk/post-audit/?outcome=pending" in home


def test_the_draw_button_draws_last_month_once(client, file_stay, association_approver):
    today = timezone.localdate()
    approved_on(stay(file_stay), previous_month(today) + timedelta(days=3))
    client.login(username=association_approver.username, password=PASSWORD)
    response = client.post("/risk/post-audit/draw/")
    assert response.status_code == 302
    assert "已抽取" in client.get(response["Location"]).content.decode()
    client.post("/risk/post-audit/draw/")
    assert PostAuditDraw.objects.get().month == previous_month(today) and PostAuditSample.objects.count() == 1


def test_a_county_clerk_reads_her_countys_samples_and_may_not_write(client, drawn, county_clerk):
    mine, theirs = drawn
    client.login(username=county_clerk.username, password=PASSWORD)
    queue = client.get("/risk/post-audit/").content.decode()
    assert f"#{mine.claim_id}<" in queue and f"#{theirs.claim_id}<" not in queue and "抽取上月样本" not in queue
    assert "记录抽查结论" not in client.get(f"/risk/post-audit/{mine.pk}/").content.decode()
    assert client.get(f"/risk/post-audit/{theirs.pk}/").status_code == 404
    assert client.post(f"/risk/post-audit/{mine.pk}/outcome/", {"outcome": "confirmed"}).status_code == 403
    assert client.post("/risk/post-audit/draw/").status_code == 403
    assert PostAuditSample.objects.get(pk=mine.pk).outcome == OUTCOME.PENDING


def test_the_auditor_reads_every_sample_without_the_form(client, drawn, auditor):
    mine, theirs = drawn
    client.login(username=auditor.username, password=PASSWORD)
    queue = client.get("/risk/post-audit/").content.decode()
    assert f"#{mine.claim_id}<" in queue and f"#{theirs.claim_id}<" in queue
    assert "记录抽查结论" not in client.get(f"/risk/post-audit/{mine.pk}/").content.decode()
    assert client.post(f"/risk/post-audit/{mine.pk}/outcome/", {"outcome": "confirmed"}).status_code == 403


def test_a_unit_contact_has_no_post_audit_pages(client, drawn, unit_contact):
    client.login(username=unit_contact.username, password=PASSWORD)
    assert client.get("/risk/post-audit/").status_code == 403


@pytest.mark.parametrize("query", ["month=²", "month=2026-13", "outcome=x", "county=" + "9" * 30, "page=" + "9" * 30])
def test_a_bad_filter_is_ignored_not_an_error(client, drawn, association_approver, query):
    client.login(username=association_approver.username, password=PASSWORD)
    assert client.get(f"/risk/post-audit/?{query}").status_code == 200
