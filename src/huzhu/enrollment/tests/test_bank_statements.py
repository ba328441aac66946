"""Contributions from the bank statement: the import (layouts, encodings, idempotence, bad rows), bulk confirmation
(coverages, the ledger, no double confirm), the queue, and the union subsidy receivable."""
import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection

from huzhu.conftest import make_staff, make_unit, make_worker
from huzhu.core.actors import SystemActor
from huzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from huzhu.enrollment import rules, services
from huzhu.enrollment.models import BankStatement, Coverage, Enrollment, StatementLine, SubsidyReceipt
from huzhu.enrollment.services import statements
from huzhu.ledger.models import LedgerEntry
from huzhu.regions.models import Role

from .conftest import IN_WINDOW

PAID_ON = date(2025, 11, 20)
TODAY = date(2025, 11, 21)
ICBC_HEADER = ["交易日期", "交易流水号", "借方发生额", "贷方发生额", "对方单位名称", "对方账号", "摘要", "用途"]


@pytest.fixture
def association(db):
    return make_staff("finance", Role.ASSOCIATION)


def awaiting(plan_year, scope, name: str, count: int = 3, county: str = "150203") -> Enrollment:
    unit = make_unit(county, name=name, eligible_headcount=count, female_headcount=0)
    workers = [make_worker(unit) for _ in range(count)]
    enrollment = services.start_enrollment(actor=SystemActor(scope), unit=unit, plan_year=plan_year, today=IN_WINDOW)
    services.add_workers(actor=SystemActor(scope), enrollment=enrollment, worker_ids=[w.pk for w in workers],
                         today=IN_WINDOW)
    return services.submit_enrollment(actor=SystemActor(scope), enrollment=enrollment)


def icbc_csv(rows, *, encoding="utf-8-sig", preamble=True) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.writer(out)
    if preamble:  # what ICBC prints above the table
        writer.writerow(["账号：0602000109200012345", "户名：内蒙古自治区职工互助保障协会"])
        writer.writerow(["起止日期：2025-11-01至2025-11-30"])
    writer.writerow(ICBC_HEADER)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode(encoding))


def credit(serial, amount, payer, remark="互助金", on="2025-11-20"):
    return [on, serial, "", amount, payer, "0602000000000001", remark, ""]


def upload(actor, stream, bank="icbc", name="明细.csv"):
    return statements.import_bank_statement(actor=actor, bank_code=bank, file_name=name, stream=stream)


@pytest.fixture
def three(hospitalization_2026, system_scope):
    """Three units awaiting 270.00 each: 包头钢铁, and two schools alike."""
    return (awaiting(hospitalization_2026, system_scope, "包头钢铁测试公司"),
            awaiting(hospitalization_2026, system_scope, "呼和浩特市第一中学"),
            awaiting(hospitalization_2026, system_scope, "鄂尔多斯市第一中学"))


def test_a_statement_is_matched_credit_by_credit_and_its_debits_only_counted(three, association):
    steel, school_a, school_b = three
    result = upload(association, icbc_csv([
        credit("S1", "270.00", "包头钢铁测试有限责任公司"),
        credit("S2", "270.00", "第一中学"),
        credit("S3", "300.00", "某某商贸", remark=f"互助金 {rules.payment_reference(school_b.pk)}"),
        credit("S4", "55.00", "个体户张三", remark="货款"),
        ["2025-11-20", "D1", "1,200.00", "", "包头供电局", "", "电费", ""],
        ["合计", "", "1,200.00", "895.00", "", "", "", ""],
    ]))
    lines = {line.serial_key: line for line in result.statement.lines.all()}
    assert (result.credits, result.debits, result.duplicates) == (4, 1, 0)  # the totals line is neither
    assert (lines["S1"].outcome, lines["S1"].enrollment_id) == (StatementLine.Outcome.MATCHED, steel.pk)
    assert lines["S2"].outcome == StatementLine.Outcome.AMBIGUOUS
    assert {c["enrollment"] for c in lines["S2"].candidates} == {school_a.pk, school_b.pk}
    assert (lines["S3"].outcome, lines["S3"].difference_amount) == (StatementLine.Outcome.OVERPAID, Decimal("30.00"))
    assert lines["S4"].outcome == StatementLine.Outcome.UNMATCHED
    assert result.statement.credit_amount == Decimal("895.00") and lines["S1"].booked_on == PAID_ON


def test_a_re_upload_of_the_same_statement_adds_nothing(three, association):
    rows = [credit("S1", "270.00", "包头钢铁测试公司"), credit("S2", "55.00", "个体户")]
    upload(association, icbc_csv(rows))
    again = upload(association, icbc_csv(rows))
    assert again.statement is None and again.duplicates == 2
    assert BankStatement.objects.count() == 1 and StatementLine.objects.count() == 2
    longer = upload(association, icbc_csv([*rows, credit("S3", "10.00", "个体户")]))
    assert longer.credits == 1 and longer.duplicates == 2


def test_gb18030_csv_and_an_xlsx_of_the_agricultural_bank_are_read(three, association):
    gbk = upload(association, icbc_csv([credit("G1", "270.00", "包头钢铁测试公司")], encoding="gb18030"))
    assert gbk.statement.lines.get().payer_name == "包头钢铁测试公司"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["中国农业银行账户交易明细"])
    sheet.append(["交易日期", "交易流水号", "收入金额", "支出金额", "对方户名", "对方账号", "交易用途"])
    sheet.append([date(2025, 11, 20), "A1", 270, None, "呼和浩特市第一中学", "15050001", "互助金"])
    sheet.append([date(2025, 11, 20), "A2", None, 80.5, "办公用品", "", "购物"])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    abc = upload(association, out, bank="abc", name="abc.xlsx")
    assert (abc.credits, abc.debits) == (1, 1)
    assert abc.statement.lines.get().outcome == StatementLine.Outcome.MATCHED


def test_bad_rows_are_named_by_row_column_and_reason_and_nothing_is_stored(three, association):
    with pytest.raises(statements.StatementRowsInvalid) as refused:
        upload(association, icbc_csv([
            credit("S1", "270.00", "包头钢铁测试公司"),
            credit("S2", "27O.00", "包头钢铁测试公司"),
            credit("S3", "10.00", "x", on="2025-13-40"),
            credit("S1", "5.00", "y"),
        ]))
    named = [(e.row_no, e.column) for e in refused.value.errors]
    assert named == [(5, "贷方发生额"), (6, "交易日期"), (7, "交易流水号")]
    assert "第5行“贷方发生额”" in refused.value.message
    assert not BankStatement.objects.exists() and not StatementLine.objects.exists()


def test_a_saved_layout_reads_a_bank_export_the_default_does_not(three, association):
    header = ["记账日", "流水", "收", "付", "付款人", "附言"]
    content = io.BytesIO("\n".join([",".join(header), "2025-11-20,B1,270.00,,包头钢铁测试公司,互助金"]).encode())
    with pytest.raises(ValidationFailed, match="找不到表头"):
        upload(association, content, bank="icbc")
    statements.save_statement_layout(actor=association, bank_code="nxbank", bank_name="农商银行", columns={
        "booked_on": "记账日", "serial": "流水", "credit": "收", "debit": "付", "payer_name": "付款人", "remark": "附言"})
    content.seek(0)
    assert upload(association, content, bank="nxbank").statement.lines.get().outcome == StatementLine.Outcome.MATCHED


def test_only_the_association_imports_statements(three, county_clerk):
    with pytest.raises(PermissionDenied):
        upload(county_clerk, icbc_csv([credit("S1", "270.00", "包头钢铁测试公司")]))


def _entry_lines(enrollment_id):
    entry = LedgerEntry.objects.get(cause_type="enrollment", cause_id=str(enrollment_id), kind="contribution_paid")
    return entry.posted_on, sorted((p.account.code, p.amount) for p in entry.postings.all())


def test_confirmed_credits_start_coverages_and_book_what_a_typed_payment_books(hospitalization_2026, system_scope,
                                                                               association):
    by_statement = awaiting(hospitalization_2026, system_scope, "包头钢铁测试公司")
    typed = awaiting(hospitalization_2026, system_scope, "赤峰红山测试公司", county="150402")
    services.record_payment(actor=SystemActor(system_scope), enrollment=typed, amount="270.00", paid_on=PAID_ON,
                            bank_reference="T1", today=TODAY)
    result = upload(association, icbc_csv([credit("S1", "270.00", "包头钢铁测试公司")]))
    line = result.statement.lines.get()
    assert statements.confirm_statement_lines(actor=association, line_ids=[line.pk], today=TODAY) == 1
    by_statement.refresh_from_db()
    assert (by_statement.status, by_statement.paid_on, by_statement.bank_reference) == (
        Enrollment.Status.PAID, PAID_ON, "S1")
    coverages = list(by_statement.coverages.all())
    assert {c.status for c in coverages} == {Coverage.Status.ACTIVE}
    assert {c.starts_on for c in coverages} == {date(2026, 1, 1)} and all(c.certificate_no for c in coverages)
    assert _entry_lines(by_statement.pk) == _entry_lines(typed.pk)
    assert _entry_lines(by_statement.pk)[1] == [("1002", Decimal("270.00")), ("1221", Decimal("30.00")),
                                                ("4101", Decimal("-270.00")), ("4102", Decimal("-30.00"))]
    line.refresh_from_db()
    assert line.status == StatementLine.Status.CONFIRMED and line.resolved_by == association


def test_a_confirmed_line_cannot_be_confirmed_twice_and_refuses_its_whole_batch(hospitalization_2026, system_scope,
                                                                              association):
    awaiting(hospitalization_2026, system_scope, "包头钢铁测试公司")
    awaiting(hospitalization_2026, system_scope, "赤峰红山测试公司", county="150402")
    result = upload(association, icbc_csv([credit("S1", "270.00", "包头钢铁测试公司"),
                                           credit("S2", "270.00", "赤峰红山测试公司")]))
    first, second = result.statement.lines.order_by("row_no")
    statements.confirm_statement_lines(actor=association, line_ids=[first.pk], today=TODAY)
    with pytest.raises(Conflict) as refused:
        statements.confirm_statement_lines(actor=association, line_ids=[first.pk, second.pk], today=TODAY)
    assert refused.value.code == "line_not_confirmable"
    second.refresh_from_db()
    assert second.status == StatementLine.Status.OPEN
    assert Enrollment.objects.filter(status=Enrollment.Status.PAID).count() == 1


def test_an_ambiguous_credit_is_assigned_by_hand_and_confirmed(three, association):
    _steel, school_a, _school_b = three
    line = upload(association, icbc_csv([credit("S2", "270.00", "第一中学")])).statement.lines.get()
    statements.assign_statement_line(actor=association, line=line, reference=rules.payment_reference(school_a.pk),
                                     today=TODAY)
    line.refresh_from_db()
    school_a.refresh_from_db()
    assert line.status == StatementLine.Status.CONFIRMED and school_a.status == Enrollment.Status.PAID


def test_an_underpaid_credit_assigned_by_hand_stays_open_with_the_difference(three, association):
    steel = three[0]
    line = upload(association, icbc_csv([credit("S9", "180.00", "某公司")])).statement.lines.get()
    statements.assign_statement_line(actor=association, line=line, reference=str(steel.pk), today=TODAY)
    line.refresh_from_db()
    assert (line.status, line.outcome, line.difference_amount) == (
        StatementLine.Status.OPEN, StatementLine.Outcome.UNDERPAID, Decimal("-90.00"))
    with pytest.raises(Conflict):
        statements.confirm_statement_lines(actor=association, line_ids=[line.pk], today=TODAY)


def test_a_credit_that_is_no_contribution_leaves_the_queue_with_its_reason(three, association):
    line = upload(association, icbc_csv([credit("S4", "55.00", "个体户", remark="货款")])).statement.lines.get()
    with pytest.raises(ValidationFailed):
        statements.dismiss_statement_line(actor=association, line=line, reason=" ")
    statements.dismiss_statement_line(actor=association, line=line, reason="误汇，已退回")
    with pytest.raises(Conflict):
        statements.dismiss_statement_line(actor=association, line=line, reason="again")
    line.refresh_from_db()
    assert (line.status, line.dismissed_reason) == (StatementLine.Status.DISMISSED, "误汇，已退回")


# --- the union subsidy receivable ---------------------------------------------------------------

def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_the_subsidy_receivable_per_league_and_its_receipt_clearing_it(hospitalization_2026, system_scope,
                                                                       association, scope_for, settings):
    paid = [awaiting(hospitalization_2026, system_scope, f"单位{n}", count=n + 1) for n in range(3)]
    awaiting(hospitalization_2026, system_scope, "赤峰单位", county="150402")  # submitted only: nothing owed
    statements_of = upload(association, icbc_csv([credit(f"S{e.pk}", str(e.due_amount), e.unit.name) for e in paid]))
    statements.confirm_statement_lines(actor=association, line_ids=[
        line.pk for line in statements_of.statement.lines.all()], today=TODAY)
    from huzhu.enrollment.queries import statements as queries

    rows = {r.league_code: r for r in queries.subsidy_receivables(scope_for(association), hospitalization_2026)}
    owed_sql = _raw("SELECT SUM(subsidy_amount) FROM enrollment_enrollment WHERE plan_year_id = %s AND league_id = %s"
                    " AND status = 'paid'", [hospitalization_2026.pk, "150200"])
    assert set(rows) == {"150200"}
    assert rows["150200"].owed_amount == Decimal(str(owed_sql)) == Decimal("60.00")  # (1+2+3) x 10
    assert rows["150200"].headcount == 6
    receipt = statements.record_subsidy_receipt(actor=association, plan_year=hospitalization_2026,
                                                league_code="150200", amount="40.00", received_on=TODAY,
                                                bank_reference="GH-1", today=TODAY)
    with pytest.raises(ValidationFailed, match="超过"):
        statements.record_subsidy_receipt(actor=association, plan_year=hospitalization_2026, league_code="150200",
                                          amount="20.01", received_on=TODAY, bank_reference="GH-2", today=TODAY)
    row = queries.subsidy_receivables(scope_for(association), hospitalization_2026)[0]
    assert (row.received_amount, row.outstanding_amount) == (Decimal("40.00"), Decimal("20.00"))
    # The ledger: 1221 debited 60 at payment, credited 40 by the receipt.
    balance = _raw("SELECT SUM(p.amount) FROM ledger_posting p JOIN ledger_account a ON a.id = p.account_id"
                   " WHERE a.code = '1221' AND a.plan_year_id = %s", [hospitalization_2026.pk])
    assert Decimal(str(balance)) == row.outstanding_amount
    entry = LedgerEntry.objects.get(cause_type="subsidy_receipt", cause_id=str(receipt.pk))
    assert sorted((p.account.code, p.amount) for p in entry.postings.all()) == [
        ("1002", Decimal("40.00")), ("1221", Decimal("-40.00"))]
    assert SubsidyReceipt.objects.count() == 1


def test_the_subsidy_statement_lists_the_paid_enrollments_and_totals(client, hospitalization_2026, system_scope,
                                                                     association):
    enrollment = awaiting(hospitalization_2026, system_scope, "包头钢铁测试公司")
    services.record_payment(actor=SystemActor(system_scope), enrollment=enrollment, amount="270.00", paid_on=PAID_ON,
                            bank_reference="T1", today=TODAY)
    client.force_login(association)
    response = client.get(f"/enrollment/subsidy-receivables/{hospitalization_2026.pk}/150200/statement.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert any(row[1] == "包头钢铁测试公司" and row[7] == 30 for row in values)
    assert [row[7] for row in values if row[0] == "尚欠补贴"] == [30]


def test_pages_the_auditor_reads_and_a_county_clerk_cannot(client, three, association, auditor, county_clerk):
    upload(association, icbc_csv([credit("S1", "270.00", "包头钢铁测试公司"), credit("S2", "270.00", "第一中学")]))
    statement = BankStatement.objects.get()
    client.force_login(auditor)
    for url in ("/enrollment/bank-statements/", f"/enrollment/bank-statements/{statement.pk}/",
                f"/enrollment/bank-statements/{statement.pk}/?outcome=ambiguous", "/enrollment/bank-statements/queue/",
                "/enrollment/bank-statements/layouts/", "/enrollment/subsidy-receivables/"):
        assert client.get(url).status_code == 200, url
    page = client.get(f"/enrollment/bank-statements/{statement.pk}/").content.decode()
    assert "呼和浩特市第一中学" in page and 'name="line"' not in page  # candidates shown, no confirm boxes
    assert client.post("/enrollment/bank-statements/confirm/", {"line": [1]}).status_code == 403
    client.force_login(county_clerk)
    assert client.get("/enrollment/bank-statements/").status_code == 403
