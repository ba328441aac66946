"""Enrollment API: a unit contact imports a roster as a job, polls it, commits it, submits; the clerk records payment."""
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from huzhu.conftest import KUNDULUN, make_staff
from huzhu.core.idnumbers import make_resident_id
from huzhu.regions.models import Role
from huzhu.security.services import create_api_token

from .conftest import IN_WINDOW, csv_bytes


@pytest.fixture(autouse=True)
def in_the_2026_window():
    with time_machine.travel(IN_WINDOW, tick=False):
        yield


@pytest.fixture
def call(client):
    def as_user(user):
        _, token = create_api_token(actor=user, user=user, name="对接")

        def request(method, path, **kwargs):
            if "json" in kwargs:
                kwargs = {"data": kwargs.pop("json"), "content_type": "application/json", **kwargs}
            return getattr(client, method)(f"/api/v1/enrollment{path}", headers={"Authorization": f"Bearer {token}"},
                                           **kwargs)
        return request
    return as_user


def roster(n: int) -> bytes:
    return csv_bytes([(f"职工{i}", make_resident_id(KUNDULUN, date(1986, 4, 4), 2 * i + 1), f"1390000{i:04d}",
                       "在职职工", "2025-01-01") for i in range(n)])


def test_a_unit_contact_imports_a_roster_as_a_job_and_the_clerk_records_the_payment(
        call, hospitalization_2026, django_capture_on_commit_callbacks, db):
    from huzhu.conftest import make_unit

    unit = make_unit(KUNDULUN, eligible_headcount=12, female_headcount=0)
    contact = call(make_staff("contact_api", Role.UNIT, unit=unit))
    clerk = call(make_staff("clerk_api", Role.AGENCY, division=KUNDULUN))

    started = contact("post", "/enrollments", json={"unit_id": unit.pk, "plan_year_id": hospitalization_2026.pk})
    assert started.status_code == 201 and started.json()["status"] == "draft"
    enrollment = started.json()["id"]
    too_early = contact("post", f"/enrollments/{enrollment}/submit")
    assert too_early.status_code == 422 and too_early.json()["code"] == "participation_below_threshold"

    with django_capture_on_commit_callbacks(execute=True):  # the validation job runs (inline without a broker)
        accepted = contact("post", f"/enrollments/{enrollment}/imports",
                           data={"file": SimpleUploadedFile("名册.csv", roster(12))})
    assert accepted.status_code == 202
    job = contact("get", f"/imports/{accepted.json()['id']}").json()
    assert (job["status"], job["done"], job["percent"], job["valid_count"]) == ("validated", 12, 100, 12)
    assert contact("get", f"/imports/{job['id']}/errors").json() == {"items": [], "count": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert contact("post", f"/imports/{job['id']}/commit", json={"policy": "all"}).status_code == 202
    assert contact("get", f"/imports/{job['id']}").json()["status"] == "done"
    twice = contact("post", f"/imports/{job['id']}/commit", json={"policy": "all"})
    assert twice.status_code == 409 and twice.json()["code"] == "job_not_ready"

    coverages = contact("get", f"/enrollments/{enrollment}/coverages").json()
    assert coverages["count"] == 12 and coverages["items"][0]["id_number_masked"].count("*") == 10
    submitted = contact("post", f"/enrollments/{enrollment}/submit").json()
    assert submitted["status"] == "submitted" and submitted["due_amount"] == "1080.00"
    assert contact("post", f"/enrollments/{enrollment}/payment", json={
        "amount": "1080.00", "paid_on": "2025-11-01", "bank_reference": "X1"}).status_code == 403
    paid = clerk("post", f"/enrollments/{enrollment}/payment",
                 json={"amount": "1080.00", "paid_on": "2025-11-01", "bank_reference": "X1"})
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    certificates = [c["certificate_no"] for c in clerk("get", f"/enrollments/{enrollment}/coverages").json()["items"]]
    assert len(set(certificates)) == 12 and all(certificates)


def test_a_bad_roster_row_is_listed_with_its_row_field_and_reason(call, hospitalization_2026,
                                                                  django_capture_on_commit_callbacks, db):
    from huzhu.conftest import make_unit

    unit = make_unit(KUNDULUN, eligible_headcount=2, female_headcount=0)
    contact = call(make_staff("contact_bad", Role.UNIT, unit=unit))
    enrollment = contact("post", "/enrollments", json={"unit_id": unit.pk,
                                                         "plan_year_id": hospitalization_2026.pk}).json()["id"]
    content = csv_bytes([("乌云", "150203198604040000", "", "", "2025-01-01")])
    with django_capture_on_commit_callbacks(execute=True):
        job = contact("post", f"/enrollments/{enrollment}/imports",
                      data={"file": SimpleUploadedFile("名册.csv", content)}).json()
    errors = contact("get", f"/imports/{job['id']}/errors").json()
    assert errors["count"] == 1
    assert (errors["items"][0]["row"], errors["items"][0]["field"]) == (2, "身份证号")
    refused = contact("post", f"/imports/{job['id']}/commit", json={"policy": "all"})
    assert refused.status_code == 422 and refused.json()["field"] == "policy"
