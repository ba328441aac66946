"""Audit records: sign-ins, failures, exports, reveals; kept for the retention period; exported;
read only by the audit administrator (/security/audit-log/, /security/access-log/)."""
import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from huzhu.audit.models import AuditEvent
from huzhu.audit.services import record_event
from huzhu.conftest import PASSWORD, make_staff
from huzhu.core.errors import ValidationFailed
from huzhu.regions.models import Role
from huzhu.regions.services import create_staff_account
from huzhu.security.models import PersonalDataAccess
from huzhu.security.services import purge_expired_access_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_admin(db):
    return create_staff_account(actor=None, username="shenjiyuan_t", password=PASSWORD, role=Role.AUDIT_ADMIN)


def access(at, worker_id=1, label="clerk"):
    return PersonalDataAccess.objects.create(at=at, actor_label=label, worker_id=worker_id, kind="view",
                                             view="members.worker_detail")


# --- what is recorded ------------------------------------------------------------------------------

def test_a_sign_in_and_a_failed_sign_in_are_both_audited(client, county_clerk):
    client.post("/login/", {"username": county_clerk.username, "password": "wrong-password"})
    failed = AuditEvent.objects.get(action="login.failed")
    assert failed.object_id == county_clerk.username and failed.actor is None
    client.post("/login/", {"username": county_clerk.username, "password": PASSWORD})
    succeeded = AuditEvent.objects.get(action="login.succeeded")
    assert succeeded.actor == county_clerk


@pytest.mark.parametrize("path", ["/enrollment/template.csv", "/enrollment/template.xlsx",
                                  "/reports/export/all.xlsx"])
def test_every_file_download_is_audited_as_a_data_export(client, county_clerk, path):
    client.force_login(county_clerk)
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    event = AuditEvent.objects.get(action="data.exported")
    assert event.actor == county_clerk and event.after["path"] == path
    assert event.after["filename"].endswith((".csv", ".xlsx"))


def test_a_page_that_is_not_a_download_is_not_an_export(client, county_clerk):
    client.force_login(county_clerk)
    assert client.get("/members/workers/").status_code == 200
    assert not AuditEvent.objects.filter(action="data.exported").exists()


# --- kept for the retention period, the audit chain kept whole ---------------------------------

def test_the_purge_deletes_only_access_records_past_the_retention(settings):
    settings.HUZHU_AUDIT_RETENTION_DAYS = 183
    now = timezone.now()
    old = access(now - timedelta(days=184))
    kept = access(now - timedelta(days=182))
    old_event = record_event(actor=None, action="old.event", object_type="x", object_id=1)
    AuditEvent.objects.filter(pk=old_event.pk).update(at=now - timedelta(days=400))

    assert purge_expired_access_records(actor=None, now=now) == 1
    assert not PersonalDataAccess.objects.filter(pk=old.pk).exists()
    assert PersonalDataAccess.objects.filter(pk=kept.pk).exists()
    assert AuditEvent.objects.filter(pk=old_event.pk).exists()  # the chain is append-only, never purged
    purge = AuditEvent.objects.get(action="access_log.purged")
    assert purge.after == {"deleted": 1, "retention_days": 183}


def test_a_retention_shorter_than_six_months_is_refused(settings):
    settings.HUZHU_AUDIT_RETENTION_DAYS = 90
    access(timezone.now() - timedelta(days=100))
    with pytest.raises(ValidationFailed):
        purge_expired_access_records(actor=None)
    assert PersonalDataAccess.objects.count() == 1


def test_the_purge_command_reports_what_it_deleted(settings):
    from io import StringIO

    from django.core.management import call_command

    access(timezone.now() - timedelta(days=settings.HUZHU_AUDIT_RETENTION_DAYS + 1))
    out = StringIO()
    call_command("purge-access-log", stdout=out)
    assert "已清除 1 条" in out.getvalue() and not PersonalDataAccess.objects.exists()


# --- the audit administrator's pages ------------------------------------------------------------

EVERY_OTHER_ROLE = [Role.ASSOCIATION, Role.OFFICE, Role.AGENCY, Role.UNIT, Role.AUDITOR, Role.ADMIN,
                    Role.SECURITY_ADMIN]


@pytest.mark.parametrize("role", EVERY_OTHER_ROLE)
@pytest.mark.parametrize("path", ["/security/audit-log/", "/security/access-log/",
                                  "/security/audit-log/export/?format=csv", "/security/access-log/export/?format=csv"])
def test_only_the_audit_administrator_reads_the_logs(client, home_unit, role, path):
    division = {Role.OFFICE: "150200", Role.AGENCY: "150203"}.get(role)
    user = make_staff(f"other_{role}", role, division=division, unit=home_unit if role == Role.UNIT else None)
    client.force_login(user)
    assert client.get(path).status_code == 404


def test_the_audit_log_filters_by_date_actor_and_action_and_pages(client, audit_admin, county_clerk):
    for n in range(55):
        record_event(actor=county_clerk, action="claim.reviewed", object_type="claim", object_id=n)
    record_event(actor=None, action="scan_risk", object_type="RiskFinding", object_id=2026)
    client.force_login(audit_admin)
    page = client.get("/security/audit-log/", {"actor": county_clerk.username, "action": "claim.reviewed"})
    assert page.status_code == 200
    assert page.context["page"].paginator.count == 55 and len(page.context["page"]) == 50
    second = client.get("/security/audit-log/", {"actor": county_clerk.username, "action": "claim.reviewed",
                                                 "page": 2})
    assert len(second.context["page"]) == 5
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert client.get("/security/audit-log/", {"from_on": tomorrow}).context["page"].paginator.count == 0
    today = timezone.localdate().isoformat()
    assert client.get("/security/audit-log/", {"from_on": today, "to_on": today,
                                               "action": "scan_risk"}).context["page"].paginator.count == 1


def test_the_audit_log_exports_as_csv_for_a_date_range_and_the_export_is_audited(client, audit_admin, county_clerk):
    record_event(actor=county_clerk, action="claim.reviewed", object_type="claim", object_id=7, after={"v": "通过"})
    client.force_login(audit_admin)
    today = timezone.localdate().isoformat()
    response = client.get("/security/audit-log/export/",
                          {"from_on": today, "to_on": today, "action": "claim.reviewed", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "操作人", "操作"]
    assert [(row[1], row[2], row[4]) for row in rows[1:]] == [(county_clerk.username, "claim.reviewed", "7")]
    export = AuditEvent.objects.get(action="data.exported")
    assert export.actor == audit_admin and export.after["query"]["from_on"] == today


def test_the_access_log_shows_reveals_and_views_and_exports_as_xlsx(client, audit_admin):
    now = timezone.now()
    access(now, worker_id=41, label="clerk_a")
    PersonalDataAccess.objects.create(at=now, actor_label="clerk_b", worker_id=42, kind="reveal", view="reveal",
                                      field="id_number", reason="核对")
    client.force_login(audit_admin)
    page = client.get("/security/access-log/", {"action": "reveal"})
    assert [record.worker_id for record in page.context["page"]] == [42]
    response = client.get("/security/access-log/export/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    assert values[0][0] == "时间" and {row[3] for row in values[1:]} == {41, 42}
    assert AuditEvent.objects.filter(action="data.exported", actor=audit_admin).exists()
