"""Vouchers for the accounting system: the account mapping, a month's vouchers in four layouts, and their
reconciliation with the trial balance (checked against raw SQL over the postings)."""
import csv
import io
from collections import defaultdict
from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from huzhu.audit.models import AuditEvent
from huzhu.conftest import PASSWORD, make_worker
from huzhu.enrollment.services import enroll_and_pay
from huzhu.ledger import queries, rules, services, vouchers
from huzhu.ledger.models import Account, AccountMapping

MARCH = "2026-03"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.fixture
def march(plan_year, home_unit):
    """A month of real entries: a unit's contribution, two claims approved, one paid, one paid and returned, a
    hospital's advance, the union's subsidy received; and one entry in April that March must leave out."""
    enroll_and_pay(actor=None, check_participation=False, plan_year=plan_year,
                   batches=[(home_unit, [make_worker(home_unit).pk for _ in range(3)])], paid_on=date(2026, 3, 2))
    services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=901, benefit_amount=D("1234.56"),
                                 posted_on=date(2026, 3, 10))
    services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=902, benefit_amount=D("800.00"),
                                 posted_on=date(2026, 3, 10))
    services.post_payout_paid(actor=None, plan_year=plan_year, payout_id=71, amount=D("1234.56"),
                              posted_on=date(2026, 3, 15))
    services.post_payout_paid(actor=None, plan_year=plan_year, payout_id=72, amount=D("800.00"),
                              posted_on=date(2026, 3, 15))
    services.post_payout_failed(actor=None, plan_year=plan_year, payout_id=72, posted_on=date(2026, 3, 20),
                                reason="账户已销户")
    services.post_hospital_advance(actor=None, plan_year=plan_year, discharge_id=5, hospital_code="H0001",
                                   hospital_name="包头市中心医院", amount=D("300.00"), posted_on=date(2026, 3, 25))
    services.post_subsidy_received(actor=None, plan_year=plan_year, receipt_id=3, amount=D("50.00"),
                                   posted_on=date(2026, 3, 31))
    services.post_claim_approved(actor=None, plan_year=plan_year, claim_id=903, benefit_amount=D("99.00"),
                                 posted_on=date(2026, 4, 1))
    return plan_year


def raw_movements(first: str, after: str) -> dict[str, tuple[D, D]]:
    """The period's debits and credits per our account code, straight from the tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.code, SUM(CASE WHEN p.amount > 0 THEN p.amount ELSE 0 END),"
            " SUM(CASE WHEN p.amount < 0 THEN -p.amount ELSE 0 END)"
            " FROM ledger_posting p JOIN ledger_account a ON a.id = p.account_id"
            " JOIN ledger_ledgerentry e ON e.id = p.entry_id"
            " WHERE e.posted_on >= %s AND e.posted_on < %s GROUP BY a.code", [first, after])
        return {code: (D(str(debit)).quantize(D("0.01")), D(str(credit)).quantize(D("0.01")))
                for code, debit, credit in cursor.fetchall()}


def by_external_code(movements: dict[str, tuple[D, D]]) -> dict[str, tuple[D, D]]:
    mapping = queries.mapping_table()
    totals: dict[str, list[D]] = defaultdict(lambda: [D("0.00"), D("0.00")])
    for code, (debit, credit) in movements.items():
        external = rules.mapped_code(code, mapping)[0]
        totals[external][0] += debit
        totals[external][1] += credit
    return {code: (debit, credit) for code, (debit, credit) in totals.items()}


def csv_rows(response, encoding="utf-8-sig") -> list[dict]:
    content = b"".join(response.streaming_content)
    return list(csv.DictReader(io.StringIO(content.decode(encoding))))


def voucher_sums(rows, number="凭证号", debit="借方金额", credit="贷方金额", code="科目编码"):
    per_voucher: dict[str, list[D]] = defaultdict(lambda: [D(0), D(0)])
    per_code: dict[str, list[D]] = defaultdict(lambda: [D(0), D(0)])
    for row in rows:
        amounts = D(str(row[debit])), D(str(row[credit]))
        assert (amounts[0] == 0) != (amounts[1] == 0), row  # one side of a line, never both nor neither
        for totals in (per_voucher[str(row[number])], per_code[str(row[code])]):
            totals[0] += amounts[0]
            totals[1] += amounts[1]
    return per_voucher, {code: (debit, credit) for code, (debit, credit) in per_code.items()}


def test_the_default_mapping_covers_every_account_the_ledger_uses(plan_year):
    services.post_hospital_advance(actor=None, plan_year=plan_year, discharge_id=1, hospital_code="H9",
                                   hospital_name="某医院", amount=D("1.00"), posted_on=date(2026, 3, 1))
    mapping = queries.mapping_table()
    codes = set(Account.objects.values_list("code", flat=True)) | {code for code, _name, _type in rules.CHART}
    assert any(code.startswith("2301-") for code in codes) and "2202-H9" in codes
    assert [code for code in sorted(codes) if rules.mapped_code(code, mapping) is None] == []
    assert mapping["1002"] == ("1002", "银行存款") and mapping["5101"][0].startswith("5101")


def test_an_unmapped_account_blocks_the_export_and_is_named(client, association_approver, march):
    AccountMapping.objects.filter(account_code="5101").delete()
    login(client, association_approver)
    page = client.get(reverse("ledger:vouchers"), {"month": MARCH}).text
    assert "5101 补助金支出" in page and "去设置科目对照" in page
    refused = client.get(reverse("ledger:vouchers"), {"month": MARCH, "export": "csv"})
    assert refused.status_code == 422 and "5101 补助金支出" in refused.text
    assert not AuditEvent.objects.filter(action="ledger_export_vouchers").exists()


def test_the_association_edits_the_mapping_and_the_edit_is_audited(client, association_approver, auditor, plan_year):
    login(client, association_approver)
    response = client.post(reverse("ledger:account_mapping"), {"account_code": "5201", "external_code": "520101",
                                                               "external_name": "管理费用—办公费"}, follow=True)
    assert "已保存科目对照" in response.text and "520101" in response.text
    event = AuditEvent.objects.get(action="ledger_set_account_mapping")
    assert event.before == {"external_code": "5201", "external_name": "管理费用"}
    assert event.after["external_code"] == "520101"
    bad = client.post(reverse("ledger:account_mapping"), {"account_code": "5201", "external_code": "=1+1",
                                                          "external_name": "x"}, follow=True)
    assert "会计科目编码“=1+1”不正确" in bad.text
    login(client, auditor)
    assert "520101" in client.get(reverse("ledger:account_mapping")).text
    assert client.post(reverse("ledger:account_mapping"), {"account_code": "5201", "external_code": "1",
                                                           "external_name": "x"}).status_code == 403


def test_a_months_generic_csv_balances_per_voucher_and_reconciles_with_the_trial_balance(client, auditor, march,
                                                                                         home_unit):
    login(client, auditor)
    response = client.get(reverse("ledger:vouchers"), {"month": MARCH, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert list(rows[0]) == list(vouchers.GENERIC_HEADERS)
    per_voucher, per_code = voucher_sums(rows)
    assert len(per_voucher) == 8  # one voucher per March entry; April's claim is not in March
    assert all(debit == credit for debit, credit in per_voucher.values())
    assert sorted(int(number) for number in per_voucher) == list(range(1, 9))
    assert per_code == by_external_code(raw_movements("2026-03-01", "2026-04-01"))
    contribution = [row for row in rows if row["业务类型"] == "收到互助金"]
    assert {row["往来单位"] for row in contribution} == {home_unit.name}
    assert {row["部门"] for row in contribution} == {"包头市"}
    assert [row["往来单位"] for row in rows if row["科目编码"] == "220902" and D(row["贷方金额"])] == ["包头市中心医院"]
    assert {row["凭证日期"][:7] for row in rows} == {MARCH}
    event = AuditEvent.objects.get(action="ledger_export_vouchers")
    assert event.after["layout"] == "csv" and event.after["starts_on"] == "2026-03-01"


def test_the_page_shows_the_reconciliation_and_the_xlsx_carries_it_as_a_sheet(client, association_approver, march):
    login(client, association_approver)
    page = client.get(reverse("ledger:vouchers"), {"month": MARCH}).text
    assert "本期 8 张凭证" in page and "各科目凭证合计与试算平衡表本期发生额一致" in page and "不一致" not in page
    response = client.get(reverse("ledger:vouchers"), {"month": MARCH, "export": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book.sheetnames == ["记账凭证", "与试算平衡表核对"]
    lines = list(book["记账凭证"].iter_rows(values_only=True))
    assert lines[0] == vouchers.GENERIC_HEADERS
    _per_voucher, per_code = voucher_sums([dict(zip(lines[0], line, strict=True)) for line in lines[1:]])
    checks = list(book["与试算平衡表核对"].iter_rows(values_only=True))
    assert checks[0] == vouchers.RECONCILIATION_HEADERS
    assert {row[-1] for row in checks[1:]} == {"一致"}
    expected = by_external_code(raw_movements("2026-03-01", "2026-04-01"))
    assert {row[0]: (D(str(row[5])), D(str(row[6]))) for row in checks[1:]} == expected == {
        code: (D(str(debit)), D(str(credit))) for code, (debit, credit) in per_code.items()}


def test_the_yonyou_layout_is_gb18030_text_with_the_required_fields(client, association_approver, march):
    login(client, association_approver)
    response = client.get(reverse("ledger:vouchers"), {"month": MARCH, "export": "ufida"})
    assert "gb18030" in response["Content-Type"] and response["Content-Disposition"].endswith('-yonyou.txt"')
    rows = csv_rows(response, encoding="gb18030")
    assert tuple(rows[0]) == vouchers.UFIDA_HEADERS
    assert {row["凭证类别字"] for row in rows} == {"记"} and {row["附单据数"] for row in rows} == {"0"}
    per_voucher, per_code = voucher_sums(rows, debit="借方金额", credit="贷方金额")
    assert all(debit == credit for debit, credit in per_voucher.values())
    assert per_code == by_external_code(raw_movements("2026-03-01", "2026-04-01"))


def test_the_kingdee_layout_has_the_kis_columns(client, association_approver, march):
    login(client, association_approver)
    response = client.get(reverse("ledger:vouchers"), {"month": MARCH, "export": "kingdee"})
    lines = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
                 .iter_rows(values_only=True))
    assert lines[0] == vouchers.KINGDEE_HEADERS
    rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    assert rows[0]["日期"].date() == date(2026, 3, 2) and rows[0]["币别"] == "RMB" and rows[0]["制单人"] == "approver"
    per_voucher, per_code = voucher_sums(rows, code="科目代码")
    assert all(debit == credit for debit, credit in per_voucher.values())
    assert per_code == by_external_code(raw_movements("2026-03-01", "2026-04-01"))


def test_grouped_by_day_and_kind_the_vouchers_still_reconcile(client, association_approver, march):
    login(client, association_approver)
    rows = csv_rows(client.get(reverse("ledger:vouchers"), {"month": MARCH, "grouping": "day_kind", "export": "csv"}))
    per_voucher, per_code = voucher_sums(rows)
    assert len(per_voucher) == 6  # the two approvals of 10 March make one voucher, so do the payouts of the 15th
    assert any(row["摘要"] == "2026-03-10 核定补助金 2 笔" for row in rows)
    assert per_code == by_external_code(raw_movements("2026-03-01", "2026-04-01"))


def test_a_date_range_and_a_bad_period(client, association_approver, march):
    login(client, association_approver)
    rows = csv_rows(client.get(reverse("ledger:vouchers"), {"from": "2026-03-10", "to": "2026-03-15",
                                                             "export": "csv"}))
    assert {row["凭证日期"] for row in rows} == {"2026-03-10", "2026-03-15"}
    assert "截止日期不能早于起始日期" in client.get(reverse("ledger:vouchers"), {"from": "2026-03-10",
                                                                         "to": "2026-03-01"}).text
    assert "月份应写作" in client.get(reverse("ledger:vouchers"), {"month": "2026-13"}).text


def test_an_office_may_read_the_mapping_but_not_export_vouchers(client, league_reviewer, march):
    login(client, league_reviewer)
    assert client.get(reverse("ledger:account_mapping")).status_code == 200
    assert client.get(reverse("ledger:vouchers"), {"month": MARCH}).status_code == 403
    assert client.get(reverse("ledger:vouchers"), {"month": MARCH, "export": "csv"}).status_code == 403


def test_a_voucher_that_does_not_match_is_stated():
    totals = vouchers.VoucherTotals(by_code={"1002": ["银行存款", D("10.00"), D("0.00")]})
    rows = vouchers.reconcile(totals, {"1002": (D("12.00"), D("0.00"))}, {"1002": ("1002", "银行存款")})
    assert not rows[0].matches and rows[0].difference_amount == D("-2.00")
