"""Pure rules: payout references, the return file's header, result words, and checking a whole file."""
from decimal import Decimal as D

import pytest

from huzhu.payouts import rules
from huzhu.payouts.rules import FAILED, PAID, PayoutFacts, ReturnLine

PAYOUTS = {
    "HZ00000001-1": PayoutFacts(1, "HZ00000001-1", D("600.00"), "sent"),
    "HZ00000002-1": PayoutFacts(2, "HZ00000002-1", D("4100.00"), "sent"),
    "HZ00000003-1": PayoutFacts(3, "HZ00000003-1", D("800.00"), PAID),
    "HZ00000004-2": PayoutFacts(4, "HZ00000004-2", D("900.00"), FAILED),
    "HZ00000005-1": PayoutFacts(5, "HZ00000005-1", D("700.00"), "pending"),
}


def line(reference, result=PAID, amount="600.00", reason="", row=2):
    return ReturnLine(row=row, reference=reference, result=result, amount=D(amount) if amount else None,
                      reason=reason, raw_result=result or "??")


def test_a_reference_names_the_claim_and_the_attempt():
    assert rules.payout_reference(123, 1) == "HZ00000123-1"
    assert rules.payout_reference(123, 2) != rules.payout_reference(123, 1)


@pytest.mark.parametrize("word, result", [
    ("成功", PAID), ("交易成功", PAID), ("SUCCESS", PAID), (" paid ", PAID),
    ("失败", FAILED), ("退票", FAILED), ("Failed", FAILED), ("处理中", None), ("", None),
], ids=lambda v: str(v))
def test_the_banks_result_words_are_understood(word, result):
    assert rules.parse_result(word) == result


def test_a_header_in_another_order_and_with_the_banks_names_is_mapped():
    header = rules.map_return_header(["备注", "交易状态", "金额", "业务参考号"])
    assert header == {"reason": 0, "result": 1, "amount": 2, "reference": 3}


def test_a_header_without_the_result_column_is_refused_with_the_column_named():
    with pytest.raises(ValueError, match="缺少列：处理结果"):
        rules.map_return_header(["支付参考号", "金额（元）"])


def test_an_unreadable_amount_is_kept_on_the_line_and_reported():
    read = rules.read_return_line(3, {"reference": 0, "result": 1, "amount": 2}, ["HZ00000001-1", "成功", "六百"])
    check = rules.check_return_lines([read], PAYOUTS)
    assert [p.message for p in check.problems] == ["金额“六百”格式不正确"]


def test_lines_of_sent_payouts_are_decided():
    check = rules.check_return_lines(
        [line("HZ00000001-1"), line("HZ00000002-1", FAILED, "4100.00", "账户已销户", row=3)], PAYOUTS)
    assert check.problems == []
    assert [(d.payout_id, d.result, d.reason) for d in check.decisions] == [(1, PAID, ""), (2, FAILED, "账户已销户")]


def test_a_line_already_applied_the_same_way_is_unchanged_not_an_error():
    check = rules.check_return_lines([line("HZ00000003-1", amount="800.00"),
                                      line("HZ00000004-2", FAILED, "900.00", "户名不符")], PAYOUTS)
    assert check.problems == [] and check.decisions == []
    assert len(check.unchanged) == 2


@pytest.mark.parametrize("bad, message", [
    (line(""), "缺少支付参考号"),
    (line("HZ99999999-1"), "支付参考号 HZ99999999-1 不属于本批次"),
    (line("HZ00000001-1", None), "处理结果“??”无法识别"),
    (line("HZ00000001-1", amount="601.00"), "金额不符：回盘 601.00 元，本批次应付 600.00 元"),
    (line("HZ00000001-1", FAILED), "支付失败须注明银行说明"),
    (line("HZ00000003-1", FAILED, "800.00", "退回"), "该笔已记为“已付款”，与回盘的“支付失败”不符"),
    (line("HZ00000004-2", PAID, "900.00"), "该笔已记为“支付失败”，与回盘的“已付款”不符"),
    (line("HZ00000005-1", amount="700.00"), "该笔支付尚未送银行"),
], ids=["empty", "unknown", "result", "amount", "no-reason", "paid-then-failed", "failed-then-paid", "not-sent"])
def test_bad_lines_are_refused_with_a_chinese_reason(bad, message):
    check = rules.check_return_lines([bad], PAYOUTS)
    assert check.decisions == []
    assert len(check.problems) == 1 and check.problems[0].message.startswith(message)
    assert check.problems[0].row == 2


def test_a_reference_twice_in_one_file_is_refused_on_the_second_line():
    check = rules.check_return_lines([line("HZ00000001-1", row=2), line("HZ00000001-1", row=7)], PAYOUTS)
    assert [(p.row, p.message) for p in check.problems] == [(7, "支付参考号 HZ00000001-1 在文件中重复出现（第2行已有）")]


def test_a_file_without_amounts_is_checked_on_reference_and_result_only():
    check = rules.check_return_lines([line("HZ00000001-1", amount="")], PAYOUTS)
    assert check.problems == [] and len(check.decisions) == 1


def test_filters_read_as_words_for_the_batch_list():
    from datetime import date

    filters = rules.BatchFilters(plan="hospitalization", league="150200", approved_from=date(2026, 5, 1))
    label = rules.filters_label(filters, {"hospitalization": "职工住院医疗互助保障", "150200": "包头市"})
    assert label == "职工住院医疗互助保障 · 包头市 · 审批 2026-05-01 至 …"
    assert rules.BatchFilters(approved_from=date(2026, 5, 2), approved_to=date(2026, 5, 1)).problem()
