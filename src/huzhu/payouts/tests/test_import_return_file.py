"""The bank's return file: paid lines pay the claim, failed lines reverse and queue, all or nothing, idempotent."""
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from openpyxl import Workbook

from huzhu.audit.models import AuditEvent
from huzhu.claims.models import Claim
from huzhu.core.errors import Conflict, ValidationFailed
from huzhu.core.scopes import PROVINCE
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger.models import LedgerEntry
from huzhu.payouts import queries, services
from huzhu.payouts.models import Payout, PayoutBatch, ReturnImport

from .conftest import all_paid, everything, lines_of, return_csv

B, P, S = PayoutBatch.Status, Payout.Status, Claim.Status


def entries(kind: str) -> int:
    return LedgerEntry.objects.filter(kind=kind).count()


def test_an_all_paid_return_file_pays_every_claim_and_reconciles_the_batch(sent_batch, maker):
    report = services.import_return_file(actor=maker, batch=sent_batch, file_name="回盘.csv", content=all_paid(sent_batch))
    assert report.applied and (report.paid, report.failed, report.unchanged) == (3, 0, 0) and report.reconciled
    assert set(Claim.objects.filter(pk__in=[c.pk for c in sent_batch.claims]).values_list("status", flat=True)) == {S.PAID}
    batch = PayoutBatch.objects.get(pk=sent_batch.pk)
    assert (batch.status, batch.paid_count, batch.paid_amount) == (B.RECONCILED, 3, D("1800.00"))
    assert entries("payout_paid") == 3 and entries("payout_failed") == 0
    record = ReturnImport.objects.get()
    assert (record.line_count, record.paid_count, record.imported_by) == (3, 3, maker)
    claim = Claim.objects.get(pk=sent_batch.claims[0].pk)
    assert claim.status_changes.last().comment.startswith("银行已付款")


def test_sending_books_the_money_out_of_the_bank_at_the_sending_date(sent_batch):
    paid = LedgerEntry.objects.filter(kind="payout_paid")
    assert paid.count() == 3 and {e.posted_on for e in paid} == {timezone.localdate()}
    lines = {p.account.code: p.amount for p in paid.first().postings.select_related("account")}
    assert lines == {ledger_rules.BENEFITS_PAYABLE: D("600.00"), ledger_rules.BANK: D("-600.00")}


def test_a_failed_line_reverses_the_payment_and_queues_the_claim_for_a_corrected_account(sent_batch, maker):
    first = Payout.objects.filter(batch=sent_batch).order_by("pk").first()
    content = return_csv(lines_of(sent_batch, failed={first.reference}, reason="账号不存在"))
    report = services.import_return_file(actor=maker, batch=sent_batch, file_name="r.csv", content=content)
    assert (report.paid, report.failed, report.reconciled) == (2, 1, True)
    first.refresh_from_db()
    assert (first.status, first.bank_reason) == (P.FAILED, "账号不存在")
    assert Claim.objects.get(pk=first.claim_id).status == S.APPROVED
    reversal = LedgerEntry.objects.get(kind="payout_failed", cause_id=str(first.pk))
    assert reversal.reverses.kind == "payout_paid" and "账号不存在" in reversal.memo
    assert list(queries.failed_payouts_to_resolve(PROVINCE)) == [first]
    batch = PayoutBatch.objects.get(pk=sent_batch.pk)
    assert (batch.failed_count, batch.failed_amount, batch.paid_amount) == (1, D("600.00"), D("1200.00"))


def test_a_corrected_account_sends_the_claim_into_a_new_batch_with_a_new_payout(sent_batch, maker, checker):
    first = Payout.objects.filter(batch=sent_batch).order_by("pk").first()
    services.import_return_file(actor=maker, batch=sent_batch, file_name="r.csv",
                                content=return_csv(lines_of(sent_batch, failed={first.reference})))
    with pytest.raises(ValidationFailed, match="银行卡号"):
        services.resolve_failed_payout(actor=maker, payout=first)
    assert not queries.claims_ready_for_payout(PROVINCE, everything()).exists()
    services.resolve_failed_payout(actor=maker, payout=first, bank_name="中国农业银行",
                                   bank_account="6228 4800 1234 5678 901")
    worker = first.claim.worker
    worker.refresh_from_db()
    assert worker.reveal_bank_account() == "6228480012345678901" and worker.bank_name == "中国农业银行"
    change = AuditEvent.objects.get(action="change_bank_account", object_id=str(worker.pk))
    assert "6228480012345678901" not in str(change.after) and change.after["bank_account"] == worker.bank_account_masked
    assert queries.failed_payouts_to_resolve(PROVINCE).count() == 0

    retry = services.build_batch(actor=maker, filters=everything())
    new = retry.payouts.get()
    assert (new.claim_id, new.attempt, new.reference) == (first.claim_id, 2, f"HZ{first.claim_id:08d}-2")
    assert new.reveal_bank_account() == "6228480012345678901"
    services.approve_batch(actor=checker, batch=retry)
    services.record_bank_file_export(actor=maker, batch=retry, file_format="csv")
    services.mark_batch_sent(actor=maker, batch=retry, sent_on=timezone.localdate())
    services.import_return_file(actor=maker, batch=retry, file_name="r2.csv", content=all_paid(retry))
    assert Claim.objects.get(pk=first.claim_id).status == S.PAID
    assert Payout.objects.filter(claim_id=first.claim_id, status=P.PAID).count() == 1


def test_confirming_the_old_account_needs_a_reason(sent_batch, maker):
    first = Payout.objects.filter(batch=sent_batch).order_by("pk").first()
    services.import_return_file(actor=maker, batch=sent_batch, file_name="r.csv",
                                content=return_csv(lines_of(sent_batch, failed={first.reference}, reason="系统繁忙")))
    services.resolve_failed_payout(actor=maker, payout=first, note="银行系统临时故障，按原账户重付")
    assert queries.claims_ready_for_payout(PROVINCE, everything()).get().pk == first.claim_id
    with pytest.raises(Conflict):
        services.resolve_failed_payout(actor=maker, payout=first, note="再来一次")


def test_importing_the_same_file_twice_pays_once(sent_batch, maker):
    content = all_paid(sent_batch)
    services.import_return_file(actor=maker, batch=sent_batch, file_name="r.csv", content=content)
    again = services.import_return_file(actor=maker, batch=sent_batch, file_name="r.csv", content=content)
    assert again.applied and (again.paid, again.failed, again.unchanged) == (0, 0, 3)
    assert entries("payout_paid") == 3
    assert Claim.objects.filter(status=S.PAID).count() == 3
    assert sum(c.status_changes.filter(to_status=S.PAID).count() for c in sent_batch.claims) == 3


def test_a_file_with_unknown_references_and_wrong_amounts_is_refused_whole_with_reasons_per_line(sent_batch, maker):
    good, wrong_amount, _ = lines_of(sent_batch)
    content = return_csv([good, (wrong_amount[0], "601.00", "成功", ""), ("HZ99999999-1", "600.00", "成功", "")])
    before = entries("payout_paid"), AuditEvent.objects.count()
    report = services.import_return_file(actor=maker, batch=sent_batch, file_name="bad.csv", content=content)
    assert not report.applied
    assert [(p.row, p.message) for p in report.problems] == [
        (3, "金额不符：回盘 601.00 元，本批次应付 600.00 元"), (4, "支付参考号 HZ99999999-1 不属于本批次")]
    assert set(Payout.objects.filter(batch=sent_batch).values_list("status", flat=True)) == {P.SENT}
    assert not Claim.objects.filter(status=S.PAID).exists()
    assert (entries("payout_paid"), AuditEvent.objects.count()) == before
    assert not ReturnImport.objects.exists()


def test_a_partial_return_file_leaves_the_batch_waiting_for_the_rest(sent_batch, maker):
    lines = lines_of(sent_batch)
    report = services.import_return_file(actor=maker, batch=sent_batch, file_name="part1.csv",
                                         content=return_csv(lines[:2]))
    assert (report.paid, report.reconciled) == (2, False)
    assert PayoutBatch.objects.get(pk=sent_batch.pk).status == B.SENT
    report = services.import_return_file(actor=maker, batch=sent_batch, file_name="all.csv", content=return_csv(lines))
    assert (report.paid, report.unchanged, report.reconciled) == (1, 2, True)


def test_an_xlsx_return_file_with_the_banks_own_column_names_is_read(sent_batch, maker):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["业务参考号", "交易状态", "金额", "备注"])
    for reference, amount, _, _ in lines_of(sent_batch):
        sheet.append([reference, "交易成功", float(amount), None])
    out = io.BytesIO()
    workbook.save(out)
    report = services.import_return_file(actor=maker, batch=sent_batch, file_name="return.xlsx", content=out.getvalue())
    assert report.applied and report.paid == 3


def test_a_gb18030_csv_from_an_older_bank_system_is_read(sent_batch, maker):
    text = "支付参考号,金额（元）,处理结果,银行说明\n" + "".join(
        f"{reference},{amount},成功,\n" for reference, amount, _, _ in lines_of(sent_batch))
    report = services.import_return_file(actor=maker, batch=sent_batch, file_name="r.csv",
                                         content=text.encode("gb18030"))
    assert report.applied and report.paid == 3


@pytest.mark.parametrize("content, message", [
    (b"", "回盘文件是空的"),
    ("支付参考号,金额\n".encode(), "缺少列：处理结果"),
    ("支付参考号,处理结果\n".encode(), "只有表头"),
    (b"%PDF-1.4 not a table", "不是CSV或Excel"),
    (b"PK\x03\x04broken", "文件已损坏"),
], ids=["empty", "no-result-column", "header-only", "pdf", "broken-xlsx"])
def test_a_file_that_is_not_a_return_file_is_refused_with_a_chinese_message(sent_batch, maker, content, message):
    with pytest.raises(ValidationFailed, match=message):
        services.import_return_file(actor=maker, batch=sent_batch, file_name="x", content=content)


def test_a_return_file_for_a_batch_not_yet_sent_is_refused(approve_claim, maker, checker):
    approve_claim()
    batch = services.build_batch(actor=maker, filters=everything())
    services.approve_batch(actor=checker, batch=batch)
    with pytest.raises(Conflict, match="须先送银行"):
        services.import_return_file(actor=maker, batch=batch, file_name="r.csv", content=all_paid(batch))


def test_claims_of_a_closed_year_are_paid_and_returned_as_prior_year_adjustments(approve_claim, maker, checker):
    import time_machine

    from huzhu.ledger import queries as ledger_queries
    from huzhu.ledger import services as ledger

    claims = [approve_claim() for _ in range(2)]
    plan_year = claims[0].plan_year
    with time_machine.travel("2027-01-20 10:00 +0800", tick=False):
        ledger.close_plan_year(actor=maker, plan_year=plan_year)
        batch = services.build_batch(actor=maker, filters=everything())
        services.approve_batch(actor=checker, batch=batch)
        services.record_bank_file_export(actor=maker, batch=batch, file_format="csv")
        services.mark_batch_sent(actor=maker, batch=batch, sent_on=timezone.localdate())
        failed = {Payout.objects.filter(batch=batch).order_by("pk").first().reference}
        report = services.import_return_file(actor=maker, batch=batch, file_name="回盘.csv",
                                             content=return_csv(lines_of(batch, failed=failed)))
    assert report.applied and (report.paid, report.failed) == (1, 1)
    late = LedgerEntry.objects.filter(kind__in=("payout_paid", "payout_failed"))
    assert late.count() == 3 and all(e.is_prior_year_adjustment and e.plan_year_id == plan_year.pk for e in late)
    position = ledger_queries.fund_position(plan_year)
    assert position.prior_year_paid_amount == D("600.00") and position.payable_amount == D("600.00")
    assert ledger_queries.trial_balance(PROVINCE, plan_year).is_balanced
