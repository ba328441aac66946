"""A stay settled at discharge as those concerned see it: the worker on her phone, the county in its figures, and
the dashboard's share of the stays settled at discharge."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from huzhu.claims import services as claims
from huzhu.claims.models import Claim
from huzhu.claims.tests.conftest import cover, scans, stay_fields
from huzhu.conftest import KUNDULUN, PASSWORD, make_staff, make_worker, sign_in_as_worker
from huzhu.payouts import services as payouts
from huzhu.payouts.rules import BatchFilters
from huzhu.payouts.tests.conftest import all_paid, card_number
from huzhu.regions.models import Role
from huzhu.regions.queries import scope_of
from huzhu.reports import queries as reports

from .conftest import post, stay, today

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def archive_in_tmp(settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"


@pytest.fixture
def patient(plans, home_unit):
    worker = make_worker(home_unit, name="赵桂芳", gender="F", phone="13904721234")
    for year in sorted({(today() - timedelta(days=20)).year, today().year}):
        cover(worker, year=year)
    return worker


@pytest.fixture
def settled(his, patient):
    response = post(his, stay(patient, serial="ZYSEEN1"))
    assert response.status_code == 201 and response.json()["status"] == "settled", response.content
    return Claim.objects.get(pk=response.json()["claim_id"])


@pytest.fixture
def desk_paid_stay(settled, home_unit, county_clerk, association_approver):
    """Another worker's stay of the same days, claimed at the county desk and paid through a payout batch."""
    person = make_worker(home_unit, bank_name="工商银行", bank_account=card_number())
    cover(person, year=settled.plan_year.year)
    claim = claims.file_claim(actor=county_clerk, worker=person, documents=scans(), today=today(), **stay_fields(
        "1000.00", fund="12001.00", admitted=settled.admitted_on, discharged=settled.discharged_on))
    assert claim.status == Claim.Status.APPROVED
    batch = payouts.build_batch(actor=association_approver, filters=BatchFilters())
    payouts.approve_batch(actor=make_staff("checker_seen", Role.ASSOCIATION), batch=batch)
    payouts.record_bank_file_export(actor=association_approver, batch=batch, file_format="csv")
    payouts.mark_batch_sent(actor=association_approver, batch=batch, sent_on=today())
    payouts.import_return_file(actor=association_approver, batch=batch, file_name="return.csv", content=all_paid(batch))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    return claim


def test_the_worker_sees_the_claim_settled_at_the_hospital_with_its_explanation(settled, patient):
    phone = Client()
    sign_in_as_worker(phone, patient)
    home = phone.get("/me/").content.decode()
    assert f"#{settled.pk}" in home and "出院时已在包头市中心医院直接结算" in home
    page = phone.get(f"/claims/mine/{settled.pk}/").content.decode()
    assert "出院时已直接结算" in page and "包头市中心医院已把互助补助金" in page
    assert f"{settled.benefit_amount:,.2f}" in page
    for step in settled.explanation:  # the engine's steps, as the hospital was told them
        assert step["label"] in page
    assert "已交材料" not in page  # nothing was asked of her


def test_the_county_counts_the_stay_and_the_share_settled_at_discharge(settled, desk_paid_stay, county_clerk):
    board = reports.dashboard(scope_of(county_clerk), reports.Filters(year=settled.plan_year.year), today=today())
    county = {r.code: r for r in board.no_paper}[KUNDULUN]
    assert (county.paid_claims, county.paid_stays, county.hospital_claims, county.data_claims) == (2, 2, 1, 0)
    assert county.hospital_amount == settled.benefit_amount
    assert county.at_discharge_share == Decimal("0.5000")
    both = settled.benefit_amount + desk_paid_stay.benefit_amount
    assert county.paid_amount == both
    assert county.share == (settled.benefit_amount / both).quantize(Decimal("0.0001"))
    clerk = Client()
    clerk.login(username=county_clerk.username, password=PASSWORD)
    page = clerk.get(f"/reports/?year={settled.plan_year.year}").content.decode()
    assert "出院即赔占住院件数" in page and "50.0%" in page
