"""The pure matcher of bank statement credits: reference, amount and name, fuzzy names, ambiguity, over/under."""
from decimal import Decimal

import pytest

from huzhu.enrollment.rules import (
    AwaitingPayment,
    AwaitingPool,
    Credit,
    CreditOutcome,
    match_credit,
    name_similarity,
    normalize_payer_name,
    payment_reference,
    references_in,
)

D = Decimal
UNITS = [
    AwaitingPayment(11, "包头钢铁测试公司", D("270.00")),
    AwaitingPayment(12, "赤峰红山测试有限公司", D("270.00")),
    AwaitingPayment(13, "呼和浩特市第一中学", D("900.00")),
    AwaitingPayment(14, "鄂尔多斯市东胜区第一中学", D("900.00")),
]


def test_a_payment_reference_carries_a_check_digit_that_a_typo_breaks():
    reference = payment_reference(123)
    assert reference == "HZ00001236"
    assert references_in(f"互助金 {reference}") == [123]
    assert references_in("互助金 HZ00001237") == []  # one digit off


@pytest.mark.parametrize("remark", [
    pytest.param("ｈｚ００００００１１X", id="full-width and lower case"),
    pytest.param("缴费编号:HZ 0000011", id="with a space"),
    pytest.param("HZ-0000011 2026年互助金", id="with a hyphen"),
])
def test_references_are_read_as_banks_print_remarks(remark):
    digits = payment_reference(11)[2:]
    assert references_in(remark.replace("0000011X", digits).replace("００００００１１X", digits)
                         .replace("0000011", digits)) == [11]


@pytest.mark.parametrize(("payer", "unit"), [
    pytest.param("包头钢铁测试有限责任公司", "包头钢铁测试公司", id="有限责任公司 against 公司"),
    pytest.param("包头钢铁测试（有限公司）", "包头钢铁测试公司", id="brackets"),
    pytest.param("包 头 钢 铁 测 试 公 司", "包头钢铁测试公司", id="spaces"),
    pytest.param("ＡＢＣ科技有限公司", "ABC科技公司", id="full-width letters"),
])
def test_names_are_normalised_before_they_are_compared(payer, unit):
    assert normalize_payer_name(payer) == normalize_payer_name(unit)
    assert name_similarity(payer, unit) == 100


def test_a_reference_in_the_remark_matches_even_under_another_payer_name():
    match = match_credit(Credit(D("270.00"), "某某财务代理公司", f"互助金{payment_reference(12)}"), UNITS)
    assert (match.outcome, match.enrollment_id) == (CreditOutcome.MATCHED, 12)
    assert match.candidates[0].score == 100


def test_the_same_amount_and_a_similar_name_match_one_enrollment():
    match = match_credit(Credit(D("270.00"), "包头钢铁测试有限责任公司", "互助金"), UNITS)
    assert (match.outcome, match.enrollment_id, match.difference_amount) == (CreditOutcome.MATCHED, 11, D("0.00"))


def test_a_slightly_misspelt_payer_still_matches_with_its_score_shown():
    match = match_credit(Credit(D("270.00"), "包头钢铁侧试有限公司", ""), UNITS)
    assert match.outcome == CreditOutcome.MATCHED and match.enrollment_id == 11
    assert 80 <= match.candidates[0].score < 100


def test_two_units_alike_with_the_same_due_are_ambiguous_and_both_listed():
    match = match_credit(Credit(D("900.00"), "第一中学", "互助金"), UNITS)
    assert match.outcome == CreditOutcome.AMBIGUOUS and match.enrollment_id is None
    assert {c.enrollment_id for c in match.candidates} == {13, 14}
    assert all(c.score > 0 for c in match.candidates)


@pytest.mark.parametrize(("amount", "outcome", "difference"), [
    pytest.param("300.00", CreditOutcome.OVERPAID, "30.00", id="thirty yuan too much"),
    pytest.param("180.00", CreditOutcome.UNDERPAID, "-90.00", id="one person short"),
])
def test_a_payment_of_another_amount_is_stated_not_applied(amount, outcome, difference):
    by_name = match_credit(Credit(D(amount), "赤峰红山测试有限公司", ""), UNITS)
    by_reference = match_credit(Credit(D(amount), "别的名字", payment_reference(12)), UNITS)
    for match in (by_name, by_reference):
        assert (match.outcome, match.enrollment_id, match.difference_amount) == (outcome, 12, D(difference))


def test_an_unknown_payer_with_a_common_amount_is_unmatched_not_guessed():
    match = match_credit(Credit(D("270.00"), "锡林郭勒盟某个体商户", "货款"), UNITS)
    assert match.outcome == CreditOutcome.UNMATCHED and match.candidates == ()


def test_an_enrollment_taken_by_one_credit_is_not_matched_by_a_second():
    pool = AwaitingPool(UNITS)
    first = match_credit(Credit(D("270.00"), "包头钢铁测试公司", ""), pool)
    pool.take(first.enrollment_id)
    second = match_credit(Credit(D("270.00"), "包头钢铁测试公司", ""), pool)
    assert first.outcome == CreditOutcome.MATCHED and second.outcome == CreditOutcome.UNMATCHED
