"""The bulk scan: the same findings as assessing each claim alone; safe to run again; precision by month."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from huzhu.claims import services as claim_services
from huzhu.claims.tests.conftest import cover, scans
from huzhu.conftest import make_unit, make_worker
from huzhu.core.scopes import PROVINCE
from huzhu.risk import queries, services
from huzhu.risk.models import RiskBaseline, RiskFinding

SMALL_PEERS = {"min_group": 3, "unit_min_covered": 2, "clerk_min_decisions": 2}


@pytest.fixture
def year_of_claims(plans, home_unit, file_stay, settings, no_straight_through):
    """A small year: clean stays, an overlap, a shared card, a near-duplicate, a long stay, a frequent claimant."""
    settings.RISK_SETTINGS = SMALL_PEERS
    people = [make_worker(home_unit, bank_account="6222021234567890123" if n < 2 else "") for n in range(6)]
    for person in people:
        cover(person)
    other = make_unit()
    for _ in range(4):
        person = make_worker(other)
        cover(person)
    for n, person in enumerate(people):
        file_stay(f"{900 + n * 37}.00", who=person, admitted=date(2026, 2, 1 + n), discharged=date(2026, 2, 8 + n))
    file_stay("950.00", who=people[0], admitted=date(2026, 2, 3), discharged=date(2026, 2, 6))  # overlap
    file_stay("900.00", who=people[3], admitted=date(2026, 2, 1), discharged=date(2026, 2, 8))  # near-duplicate
    file_stay("1200.00", who=people[4], admitted=date(2026, 2, 25), discharged=date(2026, 5, 30))  # long stay
    for month, day in ((1, 5), (3, 1), (3, 20), (4, 1), (4, 20), (5, 1)):
        file_stay("800.00", who=people[5], admitted=date(2026, month, day), discharged=date(2026, month, day + 6))
    return people


def snapshot():
    return sorted((f.claim_id, f.code, f.severity, f.message, f.evidence) for f in RiskFinding.objects.all())


def test_the_scan_finds_what_assessing_each_claim_alone_finds(year_of_claims):
    summary = services.scan_year(year=2026, chunk=4)  # several chunks
    scanned = snapshot()
    assert summary.claims == 15 and summary.findings == len(scanned)
    codes = {code for _, code, *_ in scanned}
    assert {"overlapping_stay", "shared_bank_account", "invoice_near_duplicate", "stay_length_outlier",
            "frequency_outlier"} <= codes
    RiskFinding.objects.all().delete()
    from huzhu.claims.models import Claim

    for claim in Claim.objects.filter(plan_year__year=2026).select_related("plan_year"):
        services.assess_claim(claim=claim)
    assert snapshot() == scanned


def test_running_the_scan_again_changes_nothing_and_keeps_reviews(year_of_claims, association_approver):
    services.scan_year(year=2026)
    first = snapshot()
    finding = RiskFinding.objects.filter(code="overlapping_stay").first()
    services.review_finding(actor=association_approver, finding=finding, verdict="confirmed")
    services.scan_year(year=2026, chunk=3)
    assert snapshot() == first
    assert RiskFinding.objects.get(pk=finding.pk).review == "confirmed"
    assert RiskBaseline.objects.filter(year=2026, kind="stay", key="J18").count() == 1


def test_a_withdrawn_claim_loses_its_open_findings_at_the_next_scan(year_of_claims, county_clerk):
    services.scan_year(year=2026)
    claim = RiskFinding.objects.filter(code="overlapping_stay").first().claim
    claim_services.withdraw_claim(actor=county_clerk, claim=claim)
    services.scan_year(year=2026)
    assert not RiskFinding.objects.filter(claim=claim).exists()


def test_the_scan_command_shows_progress_and_totals(year_of_claims, capsys):
    call_command("risk", "scan", "--year", "2026", "--chunk", "5")
    out, err = capsys.readouterr()
    assert "已检查 15/15 件申领（100%）" in err
    assert "2026 年度：检查申领 15 件" in out and "住院时间重叠（overlapping_stay）" in out


def test_precision_is_reported_per_check_and_month(year_of_claims, association_approver):
    services.scan_year(year=2026)
    march, april = (timezone.make_aware(datetime(2026, m, 5)) for m in (3, 4))
    RiskFinding.objects.filter(code="frequency_outlier").update(found_at=march)
    RiskFinding.objects.filter(code="shared_bank_account").update(found_at=april)
    frequent = list(RiskFinding.objects.filter(code="frequency_outlier"))
    services.review_finding(actor=association_approver, finding=frequent[0], verdict="confirmed")
    services.review_finding(actor=association_approver, finding=frequent[1], verdict="false_alarm", note="慢病复查")
    rows = {(r["code"], r["month"].month): r for r in queries.precision_by_month(PROVINCE, 2026)}
    march_row = rows[("frequency_outlier", 3)]
    assert (march_row["reviewed"], march_row["confirmed"], march_row["precision"]) == (2, 1, 0.5)
    assert rows[("shared_bank_account", 4)]["precision"] is None
    by_check = {r["code"]: r for r in queries.by_check(PROVINCE, 2026)}
    assert by_check["frequency_outlier"]["false_alarms"] == 1


def test_a_reused_invoice_from_another_workers_withdrawn_claim_is_a_hard_stop(plans, home_unit, county_clerk,
                                                                              no_straight_through):
    first, second = make_worker(home_unit), make_worker(home_unit)
    cover(first), cover(second)
    bill = {"code": "15010126", "number": "8800000001", "check_code": "A1B2C3", "amount": Decimal("1500.00")}
    fields = {"claim_type": "inpatient", "hospital": "包头市第四医院", "admitted_on": date(2026, 3, 1),
              "discharged_on": date(2026, 3, 5), "diagnosis_code": "J18.900",
              "amounts": {"total_amount": Decimal("1500.00"), "fund_paid_amount": Decimal("1000.00"),
                          "policy_self_pay_amount": Decimal("500.00")}}
    withdrawn = claim_services.file_claim(actor=county_clerk, worker=first, invoices=[bill], documents=scans(),
                                          today=date(2026, 6, 1), **fields)
    claim_services.withdraw_claim(actor=county_clerk, claim=withdrawn)
    again = claim_services.file_claim(actor=county_clerk, worker=second, invoices=[bill], documents=scans(),
                                      today=date(2026, 6, 1), **fields)
    finding = RiskFinding.objects.get(claim=again, code="invoice_reused")
    assert finding.severity == "hard_stop" and f"另一职工申领 #{withdrawn.pk}" in finding.message
    assert again.status != "approved"
