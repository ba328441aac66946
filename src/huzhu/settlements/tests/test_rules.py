"""The feed's contract as pure rules: the header, a row's facts and the named reasons of a bad row."""
from datetime import date

import pytest

from huzhu.core.idnumbers import make_resident_id
from huzhu.settlements import rules

TODAY = date(2027, 3, 1)
ID = make_resident_id("150203", date(1985, 3, 2), 123)


def cells(**overrides) -> dict:
    row = {"结算流水号": "JS0001", "身份证号": ID, "姓名": "张三", "定点机构编码": "H15020300001",
           "定点机构名称": "包头市中心医院", "入院日期": "2027-02-01", "出院日期": "2027-02-10", "结算日期": "2027-02-10",
           "主要诊断编码": "J18.900", "医疗费总额": "20000.00", "统筹基金支付": "12000", "大病保险支付": "",
           "医疗救助支付": "0", "政策范围内个人自付": "6000.00", "政策范围外个人自付": "2000.00", "全自费": "0",
           "险种": "职工基本医疗保险", "就医类别": "住院", "冲销标志": "0", "原结算流水号": ""}
    row.update(overrides)
    return row


def test_the_contract_header_maps_every_column_in_any_order():
    positions = rules.map_feed_header(reversed(rules.HEADER))
    assert positions["结算流水号"] == len(rules.HEADER) - 1 and len(positions) == 20


def test_a_header_missing_a_column_and_with_an_unknown_one_is_refused_naming_both():
    header = [name for name in rules.HEADER if name != "冲销标志"] + ["备注"]
    with pytest.raises(rules.FeedHeaderProblem) as problem:
        rules.map_feed_header(header)
    assert "缺少列：冲销标志" in str(problem.value) and "无法识别的列：备注" in str(problem.value)


def test_a_good_row_is_read_with_full_width_digits_and_spaces_normalised():
    wide = ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    line = rules.read_row(2, cells(身份证号=f" {wide} ", 医疗费总额="２００００.００", 入院日期="20270201"), today=TODAY)
    assert isinstance(line, rules.SettlementLine)
    assert line.id_number == ID and line.amounts["total_amount"] == rules.Decimal("20000.00")
    assert line.admitted_on == date(2027, 2, 1) and line.claim_type == "inpatient" and not line.is_reversal


@pytest.mark.parametrize(("change", "field"), [
    ({"身份证号": "150203198503021234"}, "身份证号"),
    ({"就医类别": "门诊"}, "就医类别"),
    ({"入院日期": "2027-13-01"}, "入院日期"),
    ({"出院日期": "2027-01-01"}, "出院日期"),
    ({"医疗费总额": "abc"}, "医疗费总额"),
    ({"冲销标志": "1"}, "原结算流水号"),
    ({"结算流水号": ""}, "结算流水号"),
    ({"主要诊断编码": "肺炎"}, "主要诊断编码"),
], ids=["bad-id-checksum", "unknown-care", "bad-date", "discharge-before-admission", "bad-amount",
        "reversal-without-original", "no-serial", "diagnosis-not-icd10"])
def test_a_bad_row_names_its_field(change, field):
    error = rules.read_row(7, cells(**change), today=TODAY)
    assert isinstance(error, rules.RowError) and error.row_no == 7 and error.field == field and error.reason


def test_a_message_never_carries_a_long_run_of_digits():
    error = rules.read_row(3, cells(医疗费总额="1234567890123456789"), today=TODAY)
    assert isinstance(error, rules.RowError)
    assert "1234567890123456789" not in error.reason and "1234" in error.reason


@pytest.mark.parametrize(("code", "women"), [("C50.901", True), ("C58", True), ("D06.9", True), ("C59.0", False),
                                              ("D08.1", False), ("J18.900", False)])
def test_womens_plan_diagnoses(code, women):
    assert rules.is_women_diagnosis(code) is women
