"""The doors onto the feed: the page upload (association only), the CLI, the API and the drop folder."""
from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from huzhu.conftest import PASSWORD, make_worker
from huzhu.settlements import services
from huzhu.settlements.models import DataSharingAgreement, SettlementImport

from .conftest import feed_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_in_2027():
    """The feed's rows are of early 2027: the business day of these tests is 2027-03-01."""
    with time_machine.travel(datetime(2027, 3, 1, 2, tzinfo=UTC)):
        yield


@pytest.fixture
def feed_file(tmp_path, covered):
    other = make_worker(covered.unit)
    return write_csv(tmp_path / "feed.csv", [feed_row(other, serial="P1"), feed_row(other, serial="P2")])


def test_the_association_uploads_a_feed_on_the_page_and_sees_its_outcome(client, association_approver, agreement,
                                                                         feed_file, today_in_2027, settings, tmp_path,
                                                                         django_capture_on_commit_callbacks):
    settings.VAR_DIR = tmp_path
    client.login(username=association_approver.username, password=PASSWORD)
    assert "settlement-upload" in client.get(reverse("settlements:index")).content.decode()
    with feed_file.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("settlements:upload"), {"file": handle, "agreement": agreement.pk,
                                                               "mode": "valid"})
    job = SettlementImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("settlements:job", args=[job.pk])
    page = client.get(response.url).content.decode()
    assert SettlementImport.objects.get().status == "done"
    assert "settlement-outcomes" in page and "职工未授权" in page
    assert not list((tmp_path / "settlements").glob("*.upload"))  # the uploaded copy is gone once imported


def test_a_county_clerk_can_neither_upload_nor_read_feeds(client, county_clerk, agreement, feed_file):
    client.login(username=county_clerk.username, password=PASSWORD)
    with feed_file.open("rb") as handle:
        assert client.post(reverse("settlements:upload"), {"file": handle, "mode": "valid"}).status_code == 403
    assert client.get(reverse("settlements:index")).status_code == 403
    assert not SettlementImport.objects.exists()


def test_the_association_records_and_edits_an_agreement(client, association_approver):
    client.login(username=association_approver.username, password=PASSWORD)
    data = {"bureau_name": "包头市医疗保障局", "region_id": "150200", "starts_on": "2027-01-01",
            "ends_on": "2027-12-31", "shared_fields": "结算流水号", "contact_name": "王主任",
            "contact_phone": "0472-1234567", "retention_days": 60}
    assert client.post(reverse("settlements:agreement_new"), data).status_code == 302
    agreement = DataSharingAgreement.objects.get()
    assert (agreement.region_id, agreement.retention_days) == ("150200", 60)
    data["ends_on"] = "2026-12-31"  # before the start: refused, named
    page = client.post(reverse("settlements:agreement_edit", args=[agreement.pk]), data).content.decode()
    assert "协议止期早于起期" in page
    assert "包头市医疗保障局" in client.get(reverse("settlements:agreements")).content.decode()


def test_the_cli_imports_a_file(agreement, feed_file, today_in_2027, capsys):
    call_command("settlements", "import", str(feed_file), "--mode", "valid")
    job = SettlementImport.objects.get()
    assert job.source == "cli" and job.status == "done" and job.not_consented_count == 2
    assert f"导入任务#{job.pk}" in capsys.readouterr().out


def test_the_cli_names_a_bad_header(agreement, tmp_path, today_in_2027):
    path = write_csv(tmp_path / "bad.csv", [], header=["结算流水号", "身份证号"])
    with pytest.raises(CommandError, match="缺少列"):
        call_command("settlements", "import", str(path))


def test_the_api_takes_a_feed_and_reports_its_progress(client, association_approver, agreement, feed_file,
                                                       today_in_2027, settings, tmp_path,
                                                       django_capture_on_commit_callbacks):
    from huzhu.security.services import create_api_token

    settings.VAR_DIR = tmp_path
    token = create_api_token(actor=association_approver, user=association_approver, name="feed")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    with feed_file.open("rb") as handle, django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/settlements/imports", {"file": handle, "mode": "valid"}, **auth)
    assert response.status_code == 202, response.content
    job_id = response.json()["id"]
    body = client.get(f"/api/v1/settlements/imports/{job_id}", **auth).json()
    assert body["status"] == "done" and body["not_consented_count"] == 2
    with feed_file.open("rb") as handle:
        refused = client.post("/api/v1/settlements/imports", {"file": handle, "mode": "sometimes"}, **auth)
    assert refused.status_code == 422 and refused.json()["code"] == "invalid_mode"


def test_the_drop_folder_job_imports_and_moves_files_aside(agreement, feed_file, tmp_path, today_in_2027, settings):
    from huzhu.settlements.tasks import import_dropped_files_task

    drop = tmp_path / "drop"
    drop.mkdir()
    settings.HUZHU_SETTLEMENT_DROP_DIR = str(drop)
    feed_file.rename(drop / "feed.csv")
    write_csv(drop / "broken.csv", [], header=["结算流水号"])
    assert import_dropped_files_task.apply().get() == 1
    assert [p.name.split("-", 1)[1] for p in (drop / "processed").iterdir()] == ["feed.csv"]
    failed = sorted(p.name.split("-", 1)[1] for p in (drop / "failed").iterdir())
    assert failed == ["broken.csv", "broken.csv.txt"]
    assert "缺少列" in next((drop / "failed").glob("*.txt")).read_text(encoding="utf-8")
    assert not (drop / "feed.csv").exists() and SettlementImport.objects.get().source == "drop"
    assert services.import_dropped_files(actor=None) == []  # nothing waits: nothing imported twice
