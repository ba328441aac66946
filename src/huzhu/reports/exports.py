"""The dashboard's tables as rows with Chinese headers, and XLSX workbooks of them (openpyxl write-only)."""
import tempfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook

from huzhu.core.spreadsheets import xlsx_row

from .queries import Dashboard

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEVEL_LABELS = {"league": "盟市", "county": "旗县", "unit": "单位"}


def _pct(value: Decimal | None):
    return None if value is None else float(value)


def years_table(board: Dashboard):
    headers = ("年度", "参互人次", "累计参互人次", "参互单位", "互助金", "工会补贴", "受益人次", "补助金", "平均补助",
               "赔付率")
    rows = [(f.year, f.covered, f.cumulative, f.units, f.contribution_amount, f.subsidy_amount, f.beneficiaries,
             f.benefit_amount, f.average_benefit, _pct(f.loss_ratio)) for f in board.by_year]
    return "逐年参互与受益", headers, rows


def regions_table(board: Dashboard):
    level = LEVEL_LABELS.get(board.child_level, "区划")
    headers = (level, "参互人次", "参互单位", "应参互人数", "参互率", "申领件数", "受益人次", "补助金", "平均补助",
               "互助金", "赔付率", "工会补贴")
    rows = [(f.name, f.covered, f.units, f.eligible, _pct(f.participation), f.claims, f.beneficiaries,
             f.benefit_amount, f.average_benefit, f.contribution_amount, _pct(f.loss_ratio), f.subsidy_amount)
            for f in board.children]
    return f"各{level}情况", headers, rows


def statuses_table(board: Dashboard):
    return "申领状态", ("状态", "件数", "补助金"), [(r.label, r.claims, r.benefit_amount) for r in board.statuses]


def types_table(board: Dashboard):
    return "申领类型", ("类型", "件数", "补助金"), [(r.label, r.claims, r.benefit_amount) for r in board.types]


def review_table(board: Dashboard):
    rows = [(r.label, r.claims, r.median_days, r.p90_days) for r in board.steps]
    return "审核用时", ("环节", "件数", "中位数（天）", "90%分位（天）"), rows


def diagnoses_table(board: Dashboard):
    rows = [(r.key, r.label, r.claims, r.benefit_amount) for r in board.diagnoses]
    return "主要疾病", ("ICD-10类目", "疾病", "受益件数", "补助金"), rows


def tiers_table(board: Dashboard):
    return "女性馨康分档", ("档次", "件数", "补助金"), [(r.label, r.claims, r.benefit_amount) for r in board.tiers]


def fund_table(rows):
    """The annual report's fund table (not a dashboard table: it reads the ledger, province only)."""
    headers = ("项目", "结账日期", "互助金收入", "补助金支出（结账前）", "往年调整补助金（结账后）", "提取总准备金",
               "工作经费", "互助基金结余", "应付补助金")
    return "基金收支", headers, [(r.plan_label, r.closed_on.isoformat() if r.closed_on else "未结账",
                                 r.contribution_amount, r.in_year_benefit_amount, r.prior_year_benefit_amount,
                                 r.reserve_amount, r.working_funds_amount, r.fund_balance_amount, r.payable_amount)
                                for r in rows]


TABLES = {"years": years_table, "regions": regions_table, "statuses": statuses_table, "types": types_table,
          "review": review_table, "diagnoses": diagnoses_table, "tiers": tiers_table}


def write_workbook(target, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> None:
    """Write (title, headers, rows) sheets into a write-only workbook at `target` (a path or a file)."""
    workbook = Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        sheet.append(list(headers))
        for row in rows:
            sheet.append(xlsx_row(sheet, list(row)))  # names never run as formulas (core.spreadsheets)
    workbook.save(target)


def workbook_file(board: Dashboard, names: Sequence[str]):
    """A temporary file holding the named tables of a dashboard, rewound for sending."""
    spool = tempfile.TemporaryFile()
    write_workbook(spool, (TABLES[name](board) for name in names))
    spool.seek(0)
    return spool
