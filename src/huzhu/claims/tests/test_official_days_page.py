"""The holiday schedule page: the association uploads the CSV the command takes; others read or are refused."""
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from huzhu.audit.models import AuditEvent
from huzhu.conftest import PASSWORD

from .. import review_clock, services
from ..models import OfficialDay

URL = reverse("claims:official_days")
COMPLETE_ON = date(2026, 12, 28)  # a Monday: fifteen working days run into January 2027
GOOD = "日期,类型,名称\n2027-01-01,休,元旦\n2027-01-04,休,测试假日\n2027-01-30,班,测试调休\n"
EARLIER = [(date(2027, 1, 5), False, "早先录入")]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def upload(client, content: bytes | str, *, year: int = 2027):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return client.post(URL, {"year": year, "file": SimpleUploadedFile("2027.csv", content, "text/csv")})


def test_the_association_uploads_a_year_and_learns_how_many_days_and_deadlines_changed(
        client, association_approver, file_stay, no_straight_through):
    claim = file_stay(today=COMPLETE_ON)
    before = claim.due_on
    login(client, association_approver)

    response = upload(client, GOOD)

    assert response.status_code == 302 and response["Location"] == f"{URL}?year=2027"
    page = client.get(response["Location"]).text
    assert "已保存 2027 年的节假日安排：共 3 天（2 个节假日，1 个调休上班日）；1 件在办申领的办结期限已重新计算。" in page
    assert "测试假日" in page and "测试调休" in page
    assert list(OfficialDay.objects.values_list("on", "is_working", "name")) == [
        (date(2027, 1, 1), False, "元旦"), (date(2027, 1, 4), False, "测试假日"), (date(2027, 1, 30), True, "测试调休")]
    claim.refresh_from_db()
    assert claim.due_on == review_clock.add_working_days(COMPLETE_ON, 15) != before
    event = AuditEvent.objects.get(action="claims.official_days_set")
    assert event.actor == association_approver and event.object_id == "2027"
    assert event.after["days"] == ["2027-01-01 休 元旦", "2027-01-04 休 测试假日", "2027-01-30 班 测试调休"]


def test_an_upload_replaces_the_year_and_the_audit_event_keeps_what_was_there(client, association_approver):
    services.set_official_days(actor=None, year=2027, days=EARLIER)
    login(client, association_approver)
    assert upload(client, GOOD).status_code == 302
    assert not OfficialDay.objects.filter(on=date(2027, 1, 5)).exists()
    assert AuditEvent.objects.get(action="claims.official_days_set", actor=association_approver).before == {"days": ["2027-01-05 休 早先录入"]}


GBK_ROW = "日期,类型,名称\n2027-01-04,休,元旦\n".encode() + "2027-01-11,休,春节\n".encode("gbk")


@pytest.mark.parametrize(("content", "message"), [
    ("日期,类型,名称\n2027-01-04,休,甲\n2027-02-30,休,乙\n", "第 3 行“日期”：“2027-02-30”不是日期"),
    ("日期,类型,名称\n2027-01-04,休,甲\nFeb 8,休,乙\n", "第 3 行“日期”：“Feb 8”不是日期"),
    ("日期,类型,名称\n2028-01-03,休,元旦\n", "第 2 行“日期”：2028-01-03 不在 2027 年内"),
    ("日期,类型,名称\n2027-01-04,放假,元旦\n", "第 2 行“类型”：应为“休”（放假）或“班”（调休上班），而不是“放假”"),
    ("日期,类型,名称\n2027-01-04,休,甲\n2027-01-04,休,乙\n", "第 3 行“日期”：2027-01-04 与第 2 行重复"),
    ("日期,类型,名称\n2027-01-04,班,周一\n", "第 2 行“日期”：2027-01-04 是周一至周五，本来就上班"),
    ("日期,类型,名称\n2027-01-04,休," + "长" * 31 + "\n", "第 2 行“名称”：名称不能超过 30 个字"),
    ("", "文件是空的"),
    ("日期,类型,名称\n\n", "文件只有表头，没有日期"),
    ("date,type,name\n2027-01-04,休,元旦\n", "第 1 行：表头应为“日期,类型,名称”，文件中是“date,type,name”"),
    (GBK_ROW, "第 3 行：这一行不是 UTF-8 编码，与表头不同"),
], ids=["impossible-date", "not-a-date", "outside-the-year", "unknown-type", "repeated-date",
        "weekday-working-day", "long-name", "empty-file", "headers-only", "wrong-headers", "not-utf8"])
def test_a_bad_file_names_the_row_and_changes_nothing(client, association_approver, content, message):
    services.set_official_days(actor=None, year=2027, days=EARLIER)
    login(client, association_approver)
    events = AuditEvent.objects.count()  # signing in is audited too

    response = upload(client, content)

    assert response.status_code == 200
    assert message in response.text
    assert list(OfficialDay.objects.values_list("on", "is_working", "name")) == EARLIER
    assert AuditEvent.objects.count() == events


def test_a_file_too_large_is_refused_before_it_is_read(client, association_approver):
    login(client, association_approver)
    response = upload(client, GOOD + "\n" * 70_000)
    assert "文件过大" in response.text and not OfficialDay.objects.exists()


@pytest.mark.parametrize("persona", ["county_clerk", "league_reviewer", "auditor", "unit_contact"])
def test_only_the_association_may_upload(client, db, request, persona):  # `db`: the persona is looked up late
    login(client, request.getfixturevalue(persona))
    assert upload(client, GOOD).status_code == 403
    assert not OfficialDay.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [
    ("county_clerk", 200), ("league_reviewer", 200), ("auditor", 200), ("unit_contact", 403)])
def test_reviewers_and_auditors_read_the_schedule_without_the_upload_form(client, db, request, persona, status):
    login(client, request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == status
    if status == 200:
        assert "您的角色只能查看" in response.text and 'type="file"' not in response.text
    assert client.get(reverse("claims:official_days_template")).status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_each_year_says_what_the_review_clock_follows(client, association_approver):
    services.set_official_days(actor=None, year=2027, days=EARLIER)
    login(client, association_approver)
    assert "审核时限按协会录入的安排计算：1 个节假日，0 个调休上班日" in client.get(URL, {"year": 2027}).text
    assert "审核时限按 chinesecalendar 软件包中的国务院节假日安排计算" in client.get(URL, {"year": 2025}).text
    unknown = client.get(URL, {"year": 2099}).text
    assert "审核时限暂定，只扣除下列法定节假日" in unknown and "不知道调休上班日" in unknown
    assert "暂定：仅法定节假日" in unknown
    assert "2099-01-01" in unknown and "元旦" in unknown and "春节" in unknown


def test_the_template_has_the_chinese_headers_and_the_export_uploads_again(client, association_approver):
    login(client, association_approver)
    template = client.get(reverse("claims:official_days_template"))
    assert template["Content-Type"].startswith("text/csv")
    assert "attachment" in template["Content-Disposition"]
    assert template.content == "\ufeff日期,类型,名称\r\n".encode()

    assert upload(client, template.content + "2027-02-08,休,春节\r\n".encode()).status_code == 302
    exported = client.get(reverse("claims:official_days_csv", args=[2027])).content
    assert exported.decode("utf-8-sig").splitlines() == ["日期,类型,名称", "2027-02-08,休,春节"]
    assert upload(client, exported).status_code == 302
    assert list(OfficialDay.objects.values_list("on", "name")) == [(date(2027, 2, 8), "春节")]


def test_the_schedule_has_its_own_item_in_the_association_navigation(client, association_approver):
    login(client, association_approver)
    html = client.get(URL).text
    assert f'<a href="{URL}" class="active" aria-current="page">节假日安排</a>' in html
    assert f'<a href="{reverse("claims:queue")}">申领审核</a>' in html
