"""Claim pages: the desk form, queues in scope, the claim page, the bundle and the worker's page."""
import io
import zipfile
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huzhu.conftest import PASSWORD, make_unit, make_worker, sign_in_as_worker

from ..models import Claim, ClaimStatusChange
from .conftest import INPATIENT_DOCUMENTS, cover, png_bytes

S = Claim.Status


@pytest.fixture(autouse=True)
def june_2026():
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def desk_post(worker, **overrides):
    data = {
        "id_number": worker.reveal_id_number(), "claim_type": "inpatient", "hospital": "包头市中心医院",
        "admitted_on": "2026-03-01", "discharged_on": "2026-03-11", "diagnosis_code": "I63.900 脑梗死",
        "total_amount": "20000.00", "fund_paid_amount": "12000.00", "policy_self_pay_amount": "8000.00",
        "invoice_code_1": "15010126", "invoice_number_1": "0000000777", "invoice_check_1": "A1B2C3",
        "invoice_amount_1": "20000.00",
    }
    data.update({f"doc_{kind}": SimpleUploadedFile(f"{kind}.png", png_bytes((n * 30, 9, 9)), "image/png")
                 for n, kind in enumerate(INPATIENT_DOCUMENTS)})
    data.update(overrides)
    return data


def test_the_clerk_files_a_claim_at_the_desk_and_lands_on_its_page(client, county_clerk, worker):
    login(client, county_clerk)
    response = client.post(reverse("claims:new"), desk_post(worker))
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("claims:detail", args=[claim.pk])
    assert claim.diagnosis_code == "I63.900" and claim.reveal_diagnosis_name() == "脑梗死"
    page = client.get(response["Location"]).text
    assert "个人自付 0–10000 元 部分 × 50%" in page
    assert "住院结算单" in page and "办理过程" in page


@pytest.mark.parametrize(("overrides", "message"), [
    ({"id_number": "15020319850302001"}, "身份证号应为18位"),
    ({"total_amount": "abc"}, "金额格式不正确"),
    ({"fund_paid_amount": "1.00"}, "应等于"),
    ({"invoice_code_1": "1501"}, "票据代码应为8位数字"),
    ({"admitted_on": ""}, "请填写入院日期"),
], ids=["bad-id-number", "bad-money", "amounts-do-not-add-up", "bad-invoice", "no-admission-date"])
def test_bad_desk_input_gets_a_chinese_error_not_a_500(client, county_clerk, worker, overrides, message):
    login(client, county_clerk)
    response = client.post(reverse("claims:new"), desk_post(worker, **overrides))
    assert response.status_code == 200
    assert message in response.text
    assert not Claim.objects.exists()


def test_a_renamed_exe_scan_is_refused_on_the_desk_form(client, county_clerk, worker):
    login(client, county_clerk)
    exe = SimpleUploadedFile("invoice.jpg", b"MZ\x90\x00" + b"\x00" * 300, "image/jpeg")
    response = client.post(reverse("claims:new"), desk_post(worker, doc_invoice=exe))
    assert "实际类型不是" in response.text
    assert not Claim.objects.exists()


def test_the_queue_shows_the_levels_claims_with_the_clock_and_hides_other_leagues(
        client, league_reviewer, file_stay, plans, county_clerk, no_straight_through):
    mine = file_stay()
    stranger = make_worker(make_unit("150402"), name="其木格")
    cover(stranger)
    Claim.objects.filter(pk=mine.pk).update(due_on=date(2026, 5, 20))  # overdue
    login(client, league_reviewer)
    page = client.get(reverse("claims:queue")).text
    assert f"#{mine.pk}" in page and "已超期" in page
    assert "其木格" not in page


def test_the_queue_flags_deadlines_counted_by_the_provisional_calendar_until_the_schedule_is_entered(
        client, league_reviewer, file_stay, no_straight_through):
    from .. import services

    claim = file_stay(today=date(2026, 12, 28))  # fifteen working days run into January 2027
    assert claim.due_on.year == 2027
    login(client, league_reviewer)
    page = client.get(reverse("claims:queue")).text
    assert "2027 年的节假日安排尚未公布：办结期限为暂定" in page and "尚未计入调休上班日" in page
    assert f'{claim.due_on:%Y-%m-%d} <small class="hint">（暂定）</small>' in page

    services.set_official_days(actor=None, year=2027, days=[(date(2027, 1, 1), False, "元旦")])
    page = client.get(reverse("claims:queue")).text
    assert "节假日安排尚未公布" not in page and "（暂定）" not in page


def test_a_claim_of_another_league_is_a_404(client, file_stay, plans, no_straight_through):
    from huzhu.conftest import make_staff

    claim = file_stay()
    outsider = make_staff("reviewer_chifeng", "office", division="150400")
    login(client, outsider)
    for name in ("claims:detail", "claims:bundle"):
        assert client.get(reverse(name, args=[claim.pk])).status_code == 404


def test_the_unit_contact_sees_only_their_units_claims(client, unit_contact, file_stay, no_straight_through):
    claim = file_stay()
    neighbour = make_worker(make_unit("150203", name="邻居单位"))
    login(client, unit_contact)
    assert client.get(reverse("claims:detail", args=[claim.pk])).status_code == 200
    assert neighbour.pk  # a unit contact's scope is their unit only
    assert client.get(reverse("claims:queue")).status_code == 200


def test_history_steps_without_a_person_render_as_system_or_the_office(client, county_clerk, file_stay,
                                                                      no_straight_through):
    # demo-shaped rows: the demo's history has system steps and staff steps with no account behind them
    claim = file_stay()
    at = claim.status_changes.last().at
    ClaimStatusChange.objects.create(claim=claim, action="route", from_status=S.SUBMITTED, to_status=S.FIRST_REVIEW,
                                     actor=None, actor_kind=ClaimStatusChange.ActorKind.SYSTEM, at=at)
    ClaimStatusChange.objects.create(claim=claim, action="pass", from_status=S.FIRST_REVIEW, to_status=S.SECOND_REVIEW,
                                     level="county", actor=None, actor_kind=ClaimStatusChange.ActorKind.STAFF, at=at)
    login(client, county_clerk)
    response = client.get(reverse("claims:detail", args=[claim.pk]))
    assert response.status_code == 200
    history = response.text.split("办理过程", 1)[1]
    assert "系统自动" in history and "代办点" in history


def test_reviewers_take_the_claim_through_the_page(client, league_reviewer, association_approver, file_stay,
                                                  no_straight_through):
    claim = file_stay()
    for reviewer in (league_reviewer, association_approver):
        client.logout()
        login(client, reviewer)
        response = client.post(reverse("claims:review", args=[claim.pk]), {"decision": "pass", "comment": "同意"})
        assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == S.APPROVED


def test_a_reviewer_returns_a_claim_from_the_page_with_ticked_items(client, league_reviewer, file_stay,
                                                                   no_straight_through):
    claim = file_stay()
    login(client, league_reviewer)
    client.post(reverse("claims:review", args=[claim.pk]),
                {"decision": "return", "missing_items": ["discharge_summary"], "other_missing": "请加盖公章"})
    claim.refresh_from_db()
    assert claim.missing_items == ["discharge_summary", "请加盖公章"]


def test_the_archive_bundle_downloads_as_a_zip_with_an_index(client, county_clerk, file_stay, no_straight_through):
    claim = file_stay()
    login(client, county_clerk)
    response = client.get(reverse("claims:bundle", args=[claim.pk]))
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as bundle:
        names = bundle.namelist()
    assert f"claim-{claim.pk}/index.csv" in names and len(names) == 2 + len(INPATIENT_DOCUMENTS)


def test_a_thumbnail_is_served_to_staff_in_scope(client, county_clerk, file_stay, no_straight_through):
    claim = file_stay()
    document = claim.documents.first()
    login(client, county_clerk)
    response = client.get(reverse("claims:thumbnail", args=[claim.pk, document.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_the_worker_signs_in_with_the_texted_code_and_follows_the_claim(client, worker, file_stay):
    claim = file_stay(documents=[(k, png_bytes()) for k in ("invoice", "id_card", "settlement_sheet", "discharge_summary")])
    sign_in_as_worker(client, worker)
    page = client.get(reverse("claims:mine_claim", args=[claim.pk])).text
    assert "请补充以下材料" in page and "银行卡" in page
    client.post(reverse("claims:mine_claim", args=[claim.pk]),
                {"kind": "bank_card", "files": SimpleUploadedFile("card.jpg", png_bytes((1, 2, 3)), "image/png")})
    client.post(reverse("claims:mine_claim", args=[claim.pk]), {"resubmit": "1"})
    claim.refresh_from_db()
    assert claim.status == S.FIRST_REVIEW
    assert "补助金计算" in client.get(reverse("claims:mine_claim", args=[claim.pk])).text


def test_a_worker_cannot_open_someone_elses_claim(client, worker, file_stay, plans, home_unit):
    claim = file_stay()
    other = make_worker(home_unit, phone="13800000002")
    sign_in_as_worker(client, other)
    assert client.get(reverse("claims:mine_claim", args=[claim.pk])).status_code == 404
