"""The weekly service-level digest: its figures, one email per office to its active staff, never twice a week."""
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from huzhu.conftest import BAOTOU, KUNDULUN, make_staff
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.regions.models import Role
from huzhu.reports import services
from huzhu.reports.models import ServiceDigest
from huzhu.reports.service_levels import week_period

from .conftest import TODAY
from .test_service_levels import expected_counties

MONDAY = date(2026, 11, 16)


@pytest.fixture
def staff_with_email(db):
    def person(username: str, role: str, division: str | None, email: str, *, active: bool = True):
        user = make_staff(username, role, division=division)
        user.email, user.is_active = email, active
        user.save()
        return user
    return {
        "association": person("digest_xiehui", Role.ASSOCIATION, None, "xiehui@example.cn"),
        "office": person("digest_baotou", Role.OFFICE, BAOTOU, "baotou@example.cn"),
        "office_left": person("digest_baotou_left", Role.OFFICE, BAOTOU, "left@example.cn", active=False),
        "office_no_mail": person("digest_baotou_none", Role.OFFICE, BAOTOU, ""),
        "agency": person("digest_kundulun", Role.AGENCY, KUNDULUN, "kundulun@example.cn"),
        "auditor": person("digest_shenji", Role.AUDITOR, None, "shenji@example.cn"),
    }


def test_each_office_gets_one_email_with_its_weeks_figures_and_a_rerun_sends_nothing(scheme, staff_with_email):
    run = services.send_service_digests(actor=None, week_start=MONDAY, today=TODAY)
    targets = services.digest_targets()
    assert run.composed == len(targets) == ServiceDigest.objects.filter(week_start=MONDAY).count()
    assert run.sent == len(mail.outbox) == 3  # the association, 包头 office, 昆都仑 agency point: those with mail
    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipient) == {("xiehui@example.cn",), ("baotou@example.cn",), ("kundulun@example.cn",)}
    week = week_period(MONDAY)
    for code, scope, address in ((None, PROVINCE, "xiehui@example.cn"),
                                 (BAOTOU, Scope("league", BAOTOU), "baotou@example.cn"),
                                 (KUNDULUN, Scope("county", KUNDULUN), "kundulun@example.cn")):
        digest = ServiceDigest.objects.get(region_id=code, week_start=MONDAY)
        expected = expected_counties(scope, week.start, week.end)[""]
        assert (digest.content["decided"], digest.content["within"], digest.content["supplements"],
                digest.content["submitted"], digest.content["overdue"]) == (
            expected["decided"], expected["within"], expected["returned"], expected["submitted"], expected["overdue"])
        assert digest.recipients == [address] and digest.sent_at is not None
        body = by_recipient[(address,)].body
        assert f"本周审结申领 {expected['decided']} 件" in body and "服务时效周报" in by_recipient[(address,)].subject
        assert f"已超期未办结 {expected['overdue']} 件" in body
    assert sum(row["overdue"] for row in ServiceDigest.objects.get(region=None, week_start=MONDAY)
               .content["overdue_by_level"]) <= ServiceDigest.objects.get(region=None, week_start=MONDAY).content["overdue"]

    again = services.send_service_digests(actor=None, week_start=MONDAY, today=TODAY)
    assert (again.composed, again.sent, again.already_sent) == (0, 0, len(targets))
    assert len(mail.outbox) == 3


def test_a_failed_sending_is_retried_by_the_next_run(scheme, staff_with_email, monkeypatch):
    def broken(self, fail_silently=False):
        raise OSError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(OSError):
        services.send_service_digests(actor=None, week_start=MONDAY, today=TODAY)
    assert ServiceDigest.objects.filter(week_start=MONDAY, sent_at__isnull=True).exists()
    monkeypatch.undo()
    run = services.send_service_digests(actor=None, week_start=MONDAY, today=TODAY)
    assert run.sent == 3 and len(mail.outbox) == 3


def test_the_command_takes_the_week_of_a_date_and_says_what_it_did(scheme, staff_with_email):
    out = StringIO()
    call_command("send-service-digest", "--week-of", "2026-11-19", stdout=out)
    assert "2026-11-16 当周服务时效周报" in out.getvalue() and "发送邮件 3 封" in out.getvalue()
    call_command("send-service-digest", "--week-of", "2026-11-22", stdout=out)
    assert "发送邮件 0 封" in out.getvalue()
    assert len(mail.outbox) == 3


def test_the_page_shows_the_latest_digest_of_the_readers_office(scheme, staff_with_email, client):
    services.send_service_digests(actor=None, week_start=MONDAY, today=TODAY)
    from huzhu.conftest import PASSWORD

    client.login(username="digest_kundulun", password=PASSWORD)
    page = client.get("/reports/service-levels/").text
    assert "最近一期服务时效周报" in page and "2026-11-16 至 2026-11-22" in page


def test_the_beat_runs_the_digest_on_monday_mornings(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-service-digests"]
    assert entry["task"] == "reports.send_service_digests"
    assert entry["schedule"].day_of_week == {1} and entry["schedule"].hour == {7}
