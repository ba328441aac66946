"""The desk at 1280 px on demo-shaped data (issue 22): a worker's page answers "is she covered?", a
unit's page shows its enrollments, payments and claims, ledger lines link where they come from, the
nightly summary says so and the association refreshes it, and the navigation is grouped."""
import io
import re

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from huzhu.audit.models import AuditEvent
from huzhu.claims.models import Claim
from huzhu.enrollment.models import Coverage, Enrollment
from huzhu.ledger.models import Account, LedgerEntry
from huzhu.payouts.models import Payout

from .test_crawl_demo import sign_in_staff

TODAY = "2026-11-29 10:00 +0800"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(TODAY, tick=True):
        with transaction.atomic():
            call_command("demo", workers=300, seed=1, stdout=io.StringIO())
            yield
            transaction.set_rollback(True)


@pytest.fixture
def desk(demo, db):
    def client_of(username: str) -> Client:
        client = Client()
        sign_in_staff(client, username)
        return client
    with time_machine.travel(TODAY, tick=True):
        yield client_of


def a_claimant_with_several_years():
    claim = Claim.objects.order_by("pk").first()
    assert Coverage.objects.filter(worker_id=claim.worker_id).values("plan_year__year").distinct().count() >= 2
    return claim


def test_a_workers_page_shows_each_coverage_with_its_certificate_and_real_standing(desk):
    claim = a_claimant_with_several_years()
    page = desk("xiehui").get(reverse("members:worker_detail", args=[claim.worker_id])).text
    coverages = Coverage.objects.filter(worker_id=claim.worker_id).exclude(certificate_no=None)
    for coverage in coverages:
        assert coverage.certificate_no in page
        assert reverse("enrollment:detail", args=[coverage.enrollment_id]) in page
    assert 'data-standing="expired">已到期' in page  # a past year is not "有效"
    assert 'data-standing="active">有效' in page
    assert f'href="{reverse("claims:detail", args=[claim.pk])}"' in page
    assert "任职记录" in page and claim.worker.unit.name in page


def test_a_workers_page_lists_no_claim_outside_the_viewers_scope(desk):
    claim = Claim.objects.exclude(league_id="150200").order_by("pk").first()
    office = desk("baotou")  # 包头: another league's worker is a 404, never a page of her claims
    assert office.get(reverse("members:worker_detail", args=[claim.worker_id])).status_code == 404


def test_a_units_page_shows_its_enrollments_payments_and_claims_with_links(desk):
    claim = Claim.objects.order_by("pk").first()
    unit = claim.unit
    page = desk("kundulun").get(reverse("members:unit_detail", args=[unit.pk])).text
    paid = Enrollment.objects.filter(unit=unit, status=Enrollment.Status.PAID)
    assert paid.exists()
    for enrollment in paid:
        assert reverse("enrollment:detail", args=[enrollment.pk]) in page
    assert "缴费" in page and paid.first().bank_reference in page
    assert f'href="{reverse("claims:detail", args=[claim.pk])}"' in page
    assert f'href="{reverse("members:worker_detail", args=[claim.worker_id])}"' in page  # roster names link
    assert "登记职工" in page  # the agency point registers workers


def test_the_auditor_sees_no_register_buttons_it_could_not_use(desk):
    auditor = desk("shenji")
    unit = Claim.objects.order_by("pk").first().unit
    assert "登记职工" not in auditor.get(reverse("members:unit_detail", args=[unit.pk])).text
    assert auditor.get(reverse("members:worker_create", args=[unit.pk])).status_code == 403
    assert "登记会员单位" not in auditor.get(reverse("members:unit_list")).text


def test_an_enrollments_roster_names_link_to_the_workers_pages(desk):
    enrollment = Enrollment.objects.filter(status=Enrollment.Status.PAID).order_by("pk").first()
    page = desk("kundulun").get(reverse("enrollment:detail", args=[enrollment.pk])).text
    coverage = Coverage.objects.filter(enrollment=enrollment, worker__unit_id=enrollment.unit_id).first()
    assert f'href="{reverse("members:worker_detail", args=[coverage.worker_id])}"' in page


def test_a_bank_statement_line_links_its_claim_payout_batch_and_bank_reference(desk):
    payout = Payout.objects.filter(status=Payout.Status.PAID).order_by("pk").first()
    entry = LedgerEntry.objects.get(cause_type="payout", cause_id=str(payout.pk), kind="payout_paid")
    bank = Account.objects.get(plan_year=payout.plan_year, code="1002")
    html = desk("xiehui").get(reverse("ledger:account_statement", args=[bank.pk])).text
    row = next(row for row in html.split("<tr>") if f"#{entry.pk}<" in row)
    assert f'href="{reverse("claims:detail", args=[payout.claim_id])}"' in row
    assert f'href="{reverse("payouts:batch_detail", args=[payout.batch_id])}"' in row
    assert payout.reference in row
    contribution = next(row for row in html.split("<tr>") if "参互缴费" in row)
    assert re.search(r'href="/enrollment/\d+/"', contribution)


def test_a_statement_page_reads_its_sources_in_a_few_queries_whatever_its_length(desk, django_assert_max_num_queries):
    bank = Account.objects.filter(code="1002").order_by("-plan_year__year").first()
    client = desk("xiehui")
    with django_assert_max_num_queries(25):
        assert client.get(reverse("ledger:account_statement", args=[bank.pk])).status_code == 200


def test_the_dashboard_says_its_figures_come_from_the_nightly_summary(desk):
    page = desk("baotou").get(reverse("reports:dashboard")).text
    assert "按夜间汇总，截至" in page
    assert "立即重新汇总" not in page  # the office cannot rebuild the province's summaries
    assert "huzhu " not in page


def test_the_association_refreshes_the_summary_from_the_page_and_the_request_is_audited(
        desk, django_capture_on_commit_callbacks):
    client = desk("xiehui")
    assert "立即重新汇总" in client.get(reverse("reports:dashboard")).text
    before = AuditEvent.objects.filter(action="refresh_report_summaries").count()
    with django_capture_on_commit_callbacks(execute=True):  # the job starts once the request commits
        response = client.post(reverse("reports:refresh"), {"next": "/reports/?year=2026"})
    assert response.status_code == 302 and response["Location"] == "/reports/?year=2026"
    assert AuditEvent.objects.filter(action="request_report_refresh", actor_label__contains="xiehui").exists()
    assert AuditEvent.objects.filter(action="refresh_report_summaries").count() > before  # the job ran (inline)


def test_an_office_cannot_refresh_the_summary(desk):
    assert desk("baotou").post(reverse("reports:refresh")).status_code == 403


def test_the_associations_navigation_is_five_chinese_groups_on_one_line(desk):
    html = desk("xiehui").get("/").text
    groups = re.findall(r'<button type="button" class="navgroup-label"[^>]*>([^<]+)</button>', html)
    assert groups == ["参保", "理赔", "资金", "分析", "系统"]
    nav = html.split('class="mainnav"')[1].split("</nav>")[0]
    assert not re.search(r">[A-Za-z][A-Za-z ]+<", nav)  # every label in Chinese
    # 首页 and nineteen items (医保数据, 合作医院, 作废票据, 投诉咨询 under 理赔; 银行对账, 工会补贴应收 under 资金; 服务时效 under
    # 分析), each reachable
    assert nav.count("<a href=") == 20


def test_templates_never_tell_staff_to_run_a_shell_command():
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offending = [str(path.relative_to(root)) for path in root.glob("*/templates/**/*.html")
                 if re.search(r"<code>\s*(huzhu|python|make|manage\.py)\b", path.read_text(encoding="utf-8"))]
    offending += [str(path.relative_to(root)) for path in (root / "templates").glob("**/*.html")
                  if re.search(r"<code>\s*(huzhu|python|make|manage\.py)\b", path.read_text(encoding="utf-8"))]
    assert not offending


def test_the_staffing_tab_shows_only_to_roles_that_may_open_it(desk):
    assert "人员配备" not in desk("kundulun").get(reverse("campaign:progress")).text  # the page answers 403 to it
    assert desk("kundulun").get(reverse("campaign:staffing")).status_code == 403
    assert "人员配备" in desk("baotou").get(reverse("campaign:progress")).text


def test_administrators_see_no_api_token_link_they_could_not_use(desk):
    admin = desk("admin")
    assert "API 令牌" not in admin.get("/").text
    assert admin.get(reverse("security:tokens")).status_code == 403
    assert "API 令牌" in desk("xiehui").get("/").text
