"""The union subsidy statement (工会补贴对账单) sent to a league's union: its paid enrollments, receipts, balance."""
import io
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import openpyxl

from huzhu.core.spreadsheets import xlsx_row

HEADER = ("旗县", "单位", "统一社会信用代码", "参互编号", "缴费日期", "参互人数", "每人补贴（元）", "补贴金额（元）")


def statement_xlsx(*, plan_year, league_name: str, enrollments: Iterable, receipts: Iterable,
                   printed_on: date) -> bytes:
    """One sheet: the title, every paid enrollment with its subsidy, the receipts, and what is still owed."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("对账单")
    sheet.append([f"{league_name}总工会 · {plan_year} 职工互助保障工会补贴对账单"])
    sheet.append([f"制表日期：{printed_on:%Y-%m-%d}"])
    sheet.append([])
    sheet.append(list(HEADER))
    owed = Decimal("0.00")
    count = people = 0
    per_person = plan_year.terms.subsidy_amount
    for e in enrollments:
        sheet.append(xlsx_row(sheet, [e.county.name, e.unit.name, e.unit.credit_code, e.pk,
                                      e.paid_on, e.headcount, per_person, e.subsidy_amount]))
        owed += e.subsidy_amount
        count += 1
        people += e.headcount
    sheet.append(["合计", f"{count}个参互", "", "", "", people, "", owed])
    sheet.append([])
    sheet.append(["已到账", "到账日期", "银行流水号", "", "", "", "", "金额（元）"])
    received = Decimal("0.00")
    for r in receipts:
        sheet.append(xlsx_row(sheet, ["", r.received_on, r.bank_reference, r.note, "", "", "", r.amount]))
        received += r.amount
    sheet.append(["到账合计", "", "", "", "", "", "", received])
    sheet.append(["尚欠补贴", "", "", "", "", "", "", owed - received])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
