"""The pages: a worker files from her phone, a clerk logs a 12351 call and replies, the worker reads the reply;
scope, the auditor's read-only view, and bad input answered with a clear message (never a 500)."""
from django.utils import timezone

from huzhu.claims.review_clock import add_working_days
from huzhu.complaints import services
from huzhu.complaints.models import Complaint
from huzhu.core.actors import WorkerActor
from huzhu.core.crypto import decrypt_text


def file_one(worker, text="我的住院申领提交两周了，什么时候能审完？") -> Complaint:
    return services.file_complaint(actor=WorkerActor(worker.pk), kind="question", category="claim_progress", text=text)


def test_a_signed_in_worker_files_a_question_from_her_phone_and_her_county_gets_it(phone, worker):
    assert 'href="/me/complaints/"' in phone.get("/me/").text  # linked from her home page
    response = phone.post("/me/complaints/new/", {"kind": "question", "category": "claim_progress", "claim": "",
                                                  "text": "申领什么时候能审完？"})
    assert response.status_code == 302 and response["Location"] == "/me/complaints/"
    complaint = Complaint.objects.get()
    assert (complaint.worker_id, complaint.county_id, complaint.league_id) == (worker.pk, "150203", "150200")
    assert complaint.channel == "phone_page" and complaint.level == "county" and complaint.status == "open"
    assert complaint.due_on == add_working_days(timezone.localdate(), 5)
    assert "申领什么时候能审完？" in phone.get("/me/complaints/").text


def test_the_worker_page_without_sign_in_sends_her_to_the_sign_in_page(client):
    response = client.get("/me/complaints/")
    assert response.status_code == 302 and response["Location"].startswith("/me/sign-in/")


def test_an_empty_or_unknown_filing_is_refused_on_the_form_not_with_a_server_error(phone):
    response = phone.post("/me/complaints/new/", {"kind": "question", "category": "claim_progress", "text": "   "})
    assert response.status_code == 422 and ("这个字段是必填项" in response.text or "请填写内容" in response.text)
    response = phone.post("/me/complaints/new/", {"kind": "praise", "category": "nope", "claim": "x", "text": "好"})
    assert response.status_code == 422 and Complaint.objects.count() == 0


def test_a_claim_not_hers_cannot_be_named(worker):
    import pytest

    from huzhu.core.errors import ValidationFailed
    with pytest.raises(ValidationFailed) as refused:
        services.file_complaint(actor=WorkerActor(worker.pk), kind="complaint", category="claim_progress",
                                text="进度太慢", claim_id=987654)
    assert refused.value.code == "unknown_claim"


def test_the_clerk_replies_and_the_worker_sees_the_reply_on_her_phone(phone, worker, county_clerk, staff_client):
    complaint = file_one(worker)
    clerk = staff_client(county_clerk)
    assert f"/complaints/{complaint.pk}/" in clerk.get("/complaints/?status=open&level=county").text
    response = clerk.post(f"/complaints/{complaint.pk}/", {"reply": "您的申领已初审通过，预计下周审批。"})
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "answered" and complaint.replied_level == "county" and complaint.replied_by == county_clerk
    page = phone.get("/me/complaints/").text
    assert "您的申领已初审通过，预计下周审批。" in page and "代办点答复" in page
    assert phone.post(f"/me/complaints/{complaint.pk}/close/").status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == "closed"


def test_another_countys_clerk_gets_not_found(worker, other_clerk, staff_client):
    complaint = file_one(worker)
    other = staff_client(other_clerk)
    assert other.get(f"/complaints/{complaint.pk}/").status_code == 404
    assert other.post(f"/complaints/{complaint.pk}/", {"reply": "x"}).status_code == 404
    assert f"/complaints/{complaint.pk}/" not in other.get("/complaints/").text


def test_another_worker_cannot_close_her_complaint(worker, home_unit):
    import pytest

    from huzhu.conftest import make_worker
    from huzhu.core.errors import NotFound
    complaint = file_one(worker)
    stranger = make_worker(home_unit, phone="13800138002")
    with pytest.raises(NotFound):
        services.close(actor=WorkerActor(stranger.pk), complaint=complaint)


def test_the_auditor_reads_but_neither_logs_nor_replies(worker, auditor, staff_client):
    complaint = file_one(worker)
    client = staff_client(auditor)
    page = client.get("/complaints/").text
    assert f"/complaints/{complaint.pk}/" in page and "/complaints/new/" not in page
    assert "<textarea" not in client.get(f"/complaints/{complaint.pk}/").text
    assert client.post(f"/complaints/{complaint.pk}/", {"reply": "x"}).status_code == 403
    assert client.get("/complaints/new/").status_code == 403


def test_a_unit_contact_has_no_complaint_pages(unit_contact, staff_client):
    assert staff_client(unit_contact).get("/complaints/").status_code == 403


def test_the_clerk_logs_a_hotline_call_of_a_worker_found_by_name(worker, county_clerk, staff_client):
    response = staff_client(county_clerk).post("/complaints/new/", {
        "channel": "hotline", "kind": "complaint", "category": "service", "worker_query": "王秀兰",
        "level": "county", "text": "窗口工作人员态度不好"})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.worker_id == worker.pk and complaint.channel == "hotline" and complaint.logged_by == county_clerk


def test_an_anonymous_callers_phone_in_full_width_digits_is_stored_encrypted_and_shown_masked(
        county_clerk, staff_client):
    client = staff_client(county_clerk)
    response = client.post("/complaints/new/", {
        "channel": "hotline", "kind": "question", "category": "enrollment", "caller_name": "李先生",
        "caller_phone": "１３９ ０４７１ ２３４５", "level": "county", "text": "灵活就业人员能参加吗？"})
    assert response.status_code == 302, response.content.decode()
    complaint = Complaint.objects.get()
    assert complaint.county_id == "150203" and complaint.worker_id is None
    assert decrypt_text(complaint.caller_phone_encrypted) == "13904712345"
    assert complaint.caller_phone_masked == "139****2345"
    page = client.get(f"/complaints/{complaint.pk}/").text
    assert "139****2345" in page and "13904712345" not in page


def test_a_landline_with_its_area_code_is_accepted():
    assert services.parse_caller_phone("0471-6951234") == "04716951234"


def test_a_bad_phone_or_no_phone_for_an_anonymous_caller_is_said_beside_the_field(county_clerk, staff_client):
    client = staff_client(county_clerk)
    base = {"channel": "hotline", "kind": "question", "category": "other", "level": "county", "text": "问一下"}
    response = client.post("/complaints/new/", {**base, "caller_phone": "12345"})
    assert response.status_code == 422 and "联系电话应为11位手机号" in response.text
    response = client.post("/complaints/new/", base)
    assert response.status_code == 422 and "请留下联系电话" in response.text
    response = client.post("/complaints/new/", {**base, "worker_query": "没有这个人"})
    assert response.status_code == 422 and "管辖范围内没有找到" in response.text
    response = client.post("/complaints/new/", {**base, "caller_phone": "13904712345", "claim": "abc"})
    assert response.status_code == 422 and "申领编号应为数字" in response.text
    assert Complaint.objects.count() == 0


def test_a_clerk_cannot_keep_a_call_above_her_level(county_clerk):
    import pytest

    from huzhu.core.errors import ValidationFailed
    with pytest.raises(ValidationFailed) as refused:
        services.log_call(actor=county_clerk, kind="question", category="other", text="问", caller_phone="13904712345",
                          level="province")
    assert refused.value.code == "not_at_your_level"


def test_the_queue_filters_and_mangled_parameters_never_fail(worker, county_clerk, staff_client):
    file_one(worker)
    client = staff_client(county_clerk)
    for query in ("status=open&level=county&due=soon", "overdue=1&kind=question&category=claim_progress",
                  "status=%E2%80%8B&page=99999999999999999999", "county=999999&level=moon"):
        assert client.get(f"/complaints/?{query}").status_code == 200
    assert client.get("/complaints/99999999/").status_code == 404


def test_the_workbench_counts_what_waits_at_the_clerks_level(worker, county_clerk, league_reviewer, staff_client):
    from huzhu.complaints.queries import todos_for

    file_one(worker)
    waiting, soon = todos_for(county_clerk)
    assert (waiting.count, waiting.url) == (1, "/complaints/?status=open&level=county")
    assert soon.urgent and soon.url.endswith("due=soon") and soon.count == 0
    assert todos_for(league_reviewer)[0].count == 0  # nothing at the office's level yet
    home = staff_client(county_clerk).get("/").text
    assert "待答复投诉/咨询" in home and "/complaints/?status=open&amp;level=county" in home
