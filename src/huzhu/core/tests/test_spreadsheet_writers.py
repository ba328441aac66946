"""Every XLSX and CSV writer keeps formula-like text as text and numbers as numbers (core.spreadsheets)."""
import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import openpyxl

FORMULA = '=HYPERLINK("http://x.example/","点我")'


def cells_of(content: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def test_the_ledger_export_writes_a_formula_memo_as_text_and_a_negative_amount_as_a_number(db):
    from huzhu.ledger.exports import xlsx_response

    response = xlsx_response("t.xlsx", "明细", ("摘要", "金额"), [(FORMULA, Decimal("-12.50")), ("@SUM(A1)", 3)])
    cells = cells_of(b"".join(response.streaming_content))
    assert [(c.value, c.data_type) for c in cells[2:]] == [(FORMULA, "s"), (-12.5, "n"), ("@SUM(A1)", "s"), (3, "n")]


def test_the_report_workbook_writes_a_formula_label_as_text():
    from huzhu.reports.exports import write_workbook

    out = io.BytesIO()
    write_workbook(out, [("地区", ("地区", "补助金"), [("=1+cmd", Decimal("100.00"))])])
    assert [(c.value, c.data_type) for c in cells_of(out.getvalue())[2:]] == [("=1+cmd", "s"), (100, "n")]


def test_the_official_days_csv_quotes_a_formula_name():
    from huzhu.claims.services.calendar import schedule_csv

    text = schedule_csv([SimpleNamespace(on=date(2027, 1, 1), is_working=False, name="=1+1")]).decode("utf-8-sig")
    assert text.splitlines()[1] == "2027-01-01,休,'=1+1"
