"""The payout-error KPI (支付差错) from real batches: sent, answered by the bank's return file, some lines failed."""
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from huzhu.campaign import queries
from huzhu.claims import services as claim_services
from huzhu.claims.tests.conftest import archive_in_tmp, cover, scans, stay_fields  # noqa: F401 - fixture
from huzhu.conftest import PASSWORD, make_staff, make_unit, make_worker
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.payouts import rules as payout_rules
from huzhu.payouts import services as payouts
from huzhu.payouts.models import Payout
from huzhu.payouts.tests.conftest import card_number, lines_of, return_csv
from huzhu.regions.models import Role

from .conftest import BAOTOU, CHIFENG, HONGSHAN, KUNDULUN, QINGSHAN

START, END = date(2026, 7, 1), date(2026, 12, 11)  # the 2027 window, END exclusive
_funds = iter(range(13000, 14000))


@pytest.fixture
def office_staff(db):
    """A payout maker and checker at the association, and a desk clerk in each county of the test."""
    clerks = {county: make_staff(f"clerk_{county}", Role.AGENCY, division=county)
              for county in (KUNDULUN, QINGSHAN, HONGSHAN)}
    return (make_staff("payout_maker", Role.ASSOCIATION), make_staff("payout_checker", Role.ASSOCIATION), clerks)


def approve_claims(clerks, county: str, n: int) -> list:
    """`n` small stays filed at the county's desk and approved straight through, each worker with a bank card."""
    unit = make_unit(county)
    claims = []
    for _ in range(n):
        person = make_worker(unit, bank_name="中国工商银行", bank_account=card_number())
        cover(person)
        claim = claim_services.file_claim(actor=clerks[county], worker=person, documents=scans(),
                                          today=date(2026, 6, 1), **stay_fields("1000.00", fund=f"{next(_funds)}.00"))
        assert claim.status == "approved"
        claims.append(claim)
    return claims


def send_batch(maker, checker, *, sent_on: date, failed=(), answer: bool = True):
    """Every claim ready to pay in one batch, sent on `sent_on`; the bank fails the lines of the claims in `failed`."""
    batch = payouts.build_batch(actor=maker, filters=payout_rules.BatchFilters())
    payouts.approve_batch(actor=checker, batch=batch)
    payouts.record_bank_file_export(actor=maker, batch=batch, file_format="csv")
    payouts.mark_batch_sent(actor=maker, batch=batch, sent_on=sent_on)
    if answer:
        refused = {p.reference for p in Payout.objects.filter(batch=batch, claim__in=failed)}
        report = payouts.import_return_file(actor=maker, batch=batch, file_name="回盘.csv",
                                            content=return_csv(lines_of(batch, failed=refused, reason="账号不存在")))
        assert report.applied and report.failed == len(refused)
    return batch


@pytest.fixture
def payout_history(plan_years, office_staff):
    """Batches around the 2027 window, per county (answered lines in the window / of which failed):

    June (before the window): one 昆都仑区 line failed — not counted.
    August: 昆都仑区 3 (1 failed), 青山区 1, 红山区 2. September: the failed 昆都仑区 claim paid on a
    corrected account (a new line). October: one 红山区 line the bank has not answered — not counted yet.
    So 昆都仑区 4/1, 青山区 1/0, 包头市 5/1, 红山区 2/0, 赤峰市 2/0.
    """
    maker, checker, clerks = office_staff
    june = approve_claims(clerks, KUNDULUN, 1)
    send_batch(maker, checker, sent_on=date(2026, 6, 20), failed=june)
    kundulun = approve_claims(clerks, KUNDULUN, 3)
    approve_claims(clerks, QINGSHAN, 1)
    approve_claims(clerks, HONGSHAN, 2)
    send_batch(maker, checker, sent_on=date(2026, 8, 10), failed=kundulun[:1])
    failed = Payout.objects.get(claim=kundulun[0], status=Payout.Status.FAILED)
    payouts.resolve_failed_payout(actor=maker, payout=failed, bank_name="中国农业银行",
                                  bank_account=card_number())
    september = send_batch(maker, checker, sent_on=date(2026, 9, 15))
    assert list(september.payouts.values_list("claim_id", "attempt")) == [(kundulun[0].pk, 2)]
    approve_claims(clerks, HONGSHAN, 1)
    send_batch(maker, checker, sent_on=date(2026, 10, 1), answer=False)


def indicator(evaluations, code: str):
    row = next(e for e in evaluations if e.figures.code == code)
    return next(i for i in row.indicators if i.key == "payout_errors")


def test_payout_figures_count_answered_lines_of_batches_sent_in_the_period_per_region(payout_history,
                                                                                       django_assert_num_queries):
    with django_assert_num_queries(1):
        leagues = queries.payout_figures(PROVINCE, start=START, end=END, group="league_id")
    assert leagues == {BAOTOU: (5, 1), CHIFENG: (2, 0)}
    counties = queries.payout_figures(PROVINCE, start=START, end=END, group="county_id")
    assert counties == {KUNDULUN: (4, 1), QINGSHAN: (1, 0), HONGSHAN: (2, 0)}


def test_offices_are_scored_on_the_share_of_lines_the_bank_returned_failed(payout_history, year_2027):
    ranked = queries.evaluation(PROVINCE, year_2027, start=START, end=END, level="league")
    baotou, chifeng = indicator(ranked, BAOTOU), indicator(ranked, CHIFENG)
    assert (baotou.figure, baotou.score) == ("20.0%（1/5）", D("0.0"))  # 5 or more per hundred earns nothing
    assert (chifeng.figure, chifeng.score) == ("0.0%（0/2）", D("100.0"))


def test_a_region_without_answered_payouts_shows_a_dash_and_is_not_scored_on_them(payout_history, year_2027):
    ranked = queries.evaluation(PROVINCE, year_2027, start=START, end=END, level="league")
    ordos = indicator(ranked, "150600")
    assert (ordos.figure, ordos.score) == ("—", None)
    assert "支付差错无数据，未计分" in next(e for e in ranked if e.figures.code == "150600").notes
    # The October batch is not answered yet and the June one was sent before the period: nothing to score.
    autumn = queries.evaluation(PROVINCE, year_2027, start=date(2026, 10, 1), end=END, level="league")
    assert indicator(autumn, CHIFENG).score is None


def test_an_office_sees_the_payout_errors_of_its_own_agency_points_only(payout_history, year_2027):
    ranked = queries.evaluation(Scope("league", BAOTOU, role=Role.OFFICE), year_2027, start=START, end=END,
                                level="county")
    assert HONGSHAN not in {e.figures.code for e in ranked}
    assert indicator(ranked, KUNDULUN).figure == "25.0%（1/4）"
    assert (indicator(ranked, QINGSHAN).figure, indicator(ranked, QINGSHAN).score) == ("0.0%（0/1）", D("100.0"))


def test_the_evaluation_page_shows_the_payout_error_column(client, payout_history, year_2027):
    make_staff("evaluator", Role.ASSOCIATION)
    assert client.login(username="evaluator", password=PASSWORD)
    response = client.get(reverse("campaign:evaluation"), {"plan": "hospitalization", "year": 2027, "level": "league",
                                                          "start": "2026-07-01", "end": "2026-12-10"})
    page = response.content.decode()
    assert response.status_code == 200 and "20.0%（1/5）" in page
    assert "支付差错（权重" not in page  # not in the "no data" note any more
