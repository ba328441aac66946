"""XLSX exports, the annual PDF and the `huzhu report` command."""
import re
import zlib
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.template.loader import render_to_string
from openpyxl import load_workbook

from huzhu.conftest import PASSWORD
from huzhu.core.money import quantize_money
from huzhu.core.scopes import PROVINCE, Scope
from huzhu.ledger import services as ledger
from huzhu.plans.models import PlanYear
from huzhu.reports import exports
from huzhu.reports.annual import annual_context
from huzhu.reports.models import SummaryRefresh


def _pdf_text(pdf: bytes) -> bytes:
    """The PDF's streams inflated (WeasyPrint compresses its objects, the document info included)."""
    text = pdf
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            text += zlib.decompress(match.group(1))
        except zlib.error:
            pass
    return text


def _has_title(pdf: bytes, title: str) -> bool:
    return ("<feff" + title.encode("utf-16-be").hex()).encode() in _pdf_text(pdf)


def test_every_table_exports_to_xlsx_with_chinese_headers(scheme, association_approver, client):
    client.login(username=association_approver.username, password=PASSWORD)
    response = client.get("/reports/export/all.xlsx?year=2026")
    assert response.status_code == 200
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["逐年参互与受益", "各盟市情况", "申领状态", "申领类型", "审核用时", "主要疾病", "女性馨康分档"]
    years = list(book["逐年参互与受益"].values)
    assert years[0][:3] == ("年度", "参互人次", "累计参互人次") and [r[0] for r in years[1:]] == [2025, 2026]
    one = client.get("/reports/export/regions.xlsx?year=2026")
    assert load_workbook(BytesIO(b"".join(one.streaming_content))).sheetnames == ["各盟市情况"]
    assert client.get("/reports/export/nonsense.xlsx").status_code == 404


def test_the_annual_report_is_a_chinese_pdf_with_its_title(scheme, association_approver, client):
    client.login(username=association_approver.username, password=PASSWORD)
    response = client.get("/reports/annual/2026.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and _has_title(response.content, "职工互助保障2026年度报告")


def test_the_annual_report_prints_the_latest_audit_chain_checkpoint(scheme):
    from django.template.loader import render_to_string

    from huzhu.audit.checkpoints import write_checkpoint
    from huzhu.audit.services import seal_events
    from huzhu.core.scopes import Scope
    from huzhu.regions.models import Role
    from huzhu.reports.annual import annual_context

    scope = Scope("province", role=Role.ASSOCIATION)
    assert "尚无审计链检查点" in render_to_string("reports/annual.html", annual_context(scope, year=2026))
    seal_events()
    checkpoint = write_checkpoint()
    html = render_to_string("reports/annual.html", annual_context(scope, year=2026))
    assert checkpoint.seq > 0
    assert f"第 {checkpoint.seq} 条审计事件（事件 #{checkpoint.event_id}），哈希前 16 位 {checkpoint.hash[:16]}" in html
    assert checkpoint.at in html


def test_the_annual_reports_first_page_is_filled_not_three_quarters_empty(scheme):
    from weasyprint import HTML

    first = HTML(string=render_to_string("reports/annual.html", annual_context(PROVINCE, year=2026))).render().pages[0]
    body = first._page_box.children[0].children[0]  # page → html → body
    bottom = max(box.position_y + box.margin_height() for box in body.children)
    assert bottom > 0.75 * first.height  # the first chart shares page 1 with the summary


def test_report_annual_writes_the_pdf_and_export_writes_the_workbook(scheme, tmp_path):
    out = tmp_path / "report.pdf"
    call_command("report", "annual", "--year", "2026", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF-") and _has_title(out.read_bytes(), "职工互助保障2026年度报告")
    book = tmp_path / "figures.xlsx"
    call_command("report", "export", "--year", "2026", "--region", "150200", "--table", "regions", "--out", str(book))
    rows = list(load_workbook(book)["各旗县情况"].values)
    assert rows[0][0] == "旗县" and rows[1][0] == "昆都仑区"
    call_command("report", "export", "--out", str(book))
    assert load_workbook(book).sheetnames[0] == "逐年参互与受益"


def test_report_refresh_records_when_it_ran(scheme):
    SummaryRefresh.objects.all().delete()
    call_command("report", "refresh", "--year", "2026")
    assert set(SummaryRefresh.objects.values_list("plan_year__year", flat=True)) == {2026}


@pytest.mark.parametrize("argv", [
    ["annual", "--year", "1999", "--out", "/tmp/x.pdf"],
    ["annual", "--year", "2026", "--out", "/nonexistent-dir/x.pdf"],
    ["export", "--region", "999999", "--out", "/tmp/x.xlsx"],
    ["refresh", "--year", "1999"],
    ["annual", "--out", "/tmp/x.pdf"],
], ids=["unknown year", "missing directory", "unknown region", "refresh of an unknown year", "year is required"])
def test_report_command_fails_with_a_message_and_exit_code_1(scheme, argv):
    with pytest.raises(CommandError):
        call_command("report", *argv)


def test_every_table_has_chinese_headers(scheme):
    from huzhu.core.scopes import PROVINCE
    from huzhu.reports import queries

    board = queries.dashboard(PROVINCE, queries.Filters(year=2026))
    for name, table in exports.TABLES.items():
        title, headers, rows = table(board)
        assert all(re.search(r"[\u4e00-\u9fff]", h) for h in headers), name


def test_the_annual_report_shows_the_fund_with_prior_year_adjustments_apart(scheme):
    plan_year = PlanYear.objects.get(plan_id="hospitalization", year=2025)
    ledger.close_plan_year(actor=None, plan_year=plan_year)
    ledger.post_claim_approved(actor=None, plan_year=plan_year, claim_id=987654, benefit_amount=Decimal("321.09"),
                               posted_on=date(2026, 11, 30))
    context = annual_context(PROVINCE, year=2025, plan="hospitalization")
    title, headers, rows = context["fund"]
    assert title == "基金收支" and headers[3:5] == ("补助金支出（结账前）", "往年调整补助金（结账后）")
    (row,) = rows
    assert row[1] != "未结账" and row[4] == Decimal("321.09")
    assert row[5] == quantize_money(Decimal("0.05") * row[2])
    html = render_to_string("reports/annual.html", context)
    assert "五、基金收支" in html and "结账后往年调整补助金 321.09 元" in html
    assert annual_context(Scope("county", "150203", role="agency"), year=2025)["fund"] is None


def test_the_annual_report_shows_unearned_contributions_at_its_reporting_date(scheme):
    from datetime import date
    from decimal import Decimal

    from django.db.models import Sum
    from django.template.loader import render_to_string

    from huzhu.core.scopes import Scope
    from huzhu.enrollment.models import Coverage
    from huzhu.regions.models import Role
    from huzhu.reports.annual import annual_context

    scope = Scope("province", role=Role.ASSOCIATION)
    paid = Coverage.objects.filter(plan_year__year=2026, status=Coverage.Status.ACTIVE).aggregate(
        total=Sum("contribution_amount"))["total"]
    # every coverage of the scheme was paid in November 2025, so each runs the whole of 2026
    mid_year = annual_context(scope, year=2026, today=date(2026, 6, 30))
    assert mid_year["unearned_amount"] == pytest.approx(paid * Decimal(184) / 365, abs=Decimal("0.02"))
    assert annual_context(scope, year=2026, today=date(2027, 2, 1))["unearned_amount"] == Decimal("0.00")
    html = render_to_string("reports/annual.html", mid_year)
    assert "未到期互助金（元，截至 6月30日）" in html
