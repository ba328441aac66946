"""The dashboard's 免申即享 figures: per county, the share of paid benefits made from data and the median days
from settlement to payout sent, against the claims and payouts themselves."""
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.db.models import Sum
from django.utils import timezone

from huzhu.claims import services as claim_services
from huzhu.claims.models import Claim
from huzhu.claims.services.from_data import SettlementFacts
from huzhu.claims.tests.conftest import TODAY, cover, scans, stay_fields
from huzhu.conftest import HONGSHAN, KUNDULUN, PASSWORD, make_staff, make_unit, make_worker
from huzhu.core.actors import WorkerActor
from huzhu.payouts import services as payouts
from huzhu.payouts.rules import BatchFilters
from huzhu.payouts.tests.conftest import all_paid, card_number
from huzhu.plans.services import install_default_plans
from huzhu.regions.models import Role
from huzhu.regions.queries import scope_of
from huzhu.reports import queries


@pytest.fixture(autouse=True)
def archive_in_tmp(settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"


def _settlement(worker, coverage, n: int, settled_on: date) -> SettlementFacts:
    fund, self_pay = D(6000 + n), D(1000 + 100 * n)
    return SettlementFacts(
        serial=f"JSDASH{n:04d}", worker_id=worker.pk, coverage_id=coverage.pk, claim_type="inpatient",
        hospital=f"测试医院{n}", admitted_on=date(2026, 3, n), discharged_on=date(2026, 3, n + 4), settled_on=settled_on,
        diagnosis_code="J18.900", total_amount=fund + self_pay, fund_paid_amount=fund, serious_illness_amount=D(0),
        medical_aid_amount=D(0), policy_self_pay_amount=self_pay, out_of_policy_amount=D(0), self_funded_amount=D(0))


@pytest.fixture
def paid_claims(db, home_unit, county_clerk, association_approver):
    """Kundulun: three claims made from data (settled 5, 10 and 30 days before the batch went out) and one desk
    claim; Hongshan: one desk claim; all paid through one batch. A fourth data claim waits for its card."""
    install_default_plans()
    sent_on = timezone.localdate()
    data = []
    for n, days in ((1, 5), (2, 10), (3, 30), (4, 1)):
        person = make_worker(home_unit, bank_name="工商银行", bank_account=card_number())
        facts = _settlement(person, cover(person), n, sent_on - timedelta(days=days))
        made = claim_services.claims_from_settlements(actor=association_approver, settlements=[facts], today=TODAY)
        claim = Claim.objects.get(pk=made[facts.serial])
        assert claim.status == Claim.Status.APPROVED
        if n != 4:
            claim_services.confirm_bank_card(actor=WorkerActor(person.pk), claim=claim)
        data.append(claim)
    desk = []
    for unit, fund in ((home_unit, "12001.00"), (make_unit(HONGSHAN), "12002.00")):
        person = make_worker(unit, bank_name="工商银行", bank_account=card_number())
        cover(person)
        clerk = county_clerk if unit == home_unit else association_approver
        desk.append(claim_services.file_claim(actor=clerk, worker=person, documents=scans(), today=TODAY,
                                              **stay_fields("1000.00", fund=fund)))
    assert all(c.status == Claim.Status.APPROVED for c in desk)
    checker = make_staff("checker_np", Role.ASSOCIATION)
    batch = payouts.build_batch(actor=association_approver, filters=BatchFilters())
    assert batch.payout_count == 5  # the unconfirmed data claim is held
    payouts.approve_batch(actor=checker, batch=batch)
    payouts.record_bank_file_export(actor=association_approver, batch=batch, file_format="csv")
    payouts.mark_batch_sent(actor=association_approver, batch=batch, sent_on=sent_on)
    payouts.import_return_file(actor=association_approver, batch=batch, file_name="return.csv", content=all_paid(batch))
    return {"data": data, "desk": desk}


def test_the_share_with_no_paper_and_the_median_days_per_county(paid_claims, association_approver):
    board = queries.dashboard(scope_of(association_approver), queries.Filters(year=2026), today=TODAY)
    rows = {r.code: r for r in board.no_paper}
    assert set(rows) == {KUNDULUN, HONGSHAN, ""}
    paid = Claim.objects.filter(status=Claim.Status.PAID)
    kundulun = paid.filter(county_id=KUNDULUN)
    data_amount = kundulun.filter(channel="data").aggregate(s=Sum("benefit_amount"))["s"]
    assert (rows[KUNDULUN].paid_claims, rows[KUNDULUN].data_claims) == (4, 3)
    assert rows[KUNDULUN].data_amount == data_amount
    assert rows[KUNDULUN].paid_amount == kundulun.aggregate(s=Sum("benefit_amount"))["s"]
    assert rows[KUNDULUN].share == (data_amount / rows[KUNDULUN].paid_amount).quantize(D("0.0001"))
    assert rows[KUNDULUN].median_days == 10  # of 5, 10 and 30 days; the held claim is not paid
    assert (rows[HONGSHAN].data_claims, rows[HONGSHAN].share, rows[HONGSHAN].median_days) == (0, D("0.0000"), None)
    assert rows[""].paid_claims == 5 and rows[""].paid_amount == paid.aggregate(s=Sum("benefit_amount"))["s"]


def test_a_county_clerk_sees_only_their_county_on_the_page(paid_claims, county_clerk, client):
    client.login(username=county_clerk.username, password=PASSWORD)
    page = client.get("/reports/?year=2026").content.decode()
    assert "免申即享与出院即赔" in page and "10 天" in page
    board = queries.dashboard(scope_of(county_clerk), queries.Filters(year=2026), today=TODAY)
    assert [r.code for r in board.no_paper] == [KUNDULUN, ""]
