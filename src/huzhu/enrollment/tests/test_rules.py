"""Pure enrollment rules: eligibility, participation thresholds, dates, certificates, roster rows."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from huzhu.core.idnumbers import make_resident_id
from huzhu.enrollment import rules
from huzhu.plans.default_terms import default_terms

HOSPITAL = default_terms("hospitalization", 2026)
WOMEN = default_terms("women_health", 2026)
START = date(2026, 1, 1)


@pytest.mark.parametrize(("person", "terms", "eligible"), [
    pytest.param(rules.Person("M", date(1985, 3, 2)), HOSPITAL, True, id="man of 40 in hospitalization"),
    pytest.param(rules.Person("M", date(2010, 1, 2)), HOSPITAL, False, id="boy of 15 is too young"),
    pytest.param(rules.Person("M", date(2010, 1, 1)), HOSPITAL, True, id="16th birthday on period start"),
    pytest.param(rules.Person("M", date(1966, 1, 1)), HOSPITAL, False, id="man of 60 has reached retirement"),
    pytest.param(rules.Person("M", date(1966, 1, 2)), HOSPITAL, True, id="man one day short of 60"),
    pytest.param(rules.Person("F", date(1971, 1, 1)), HOSPITAL, False, id="woman of 55 has reached retirement"),
    pytest.param(rules.Person("F", date(1966, 1, 2)), WOMEN, True, id="woman of 59 in women_health"),
    pytest.param(rules.Person("F", date(1965, 1, 2)), WOMEN, True, id="woman of 60 in women_health"),
    pytest.param(rules.Person("F", date(1965, 1, 1)), WOMEN, False, id="woman of 61 in women_health"),
    pytest.param(rules.Person("M", date(1985, 3, 2)), WOMEN, False, id="man in women_health"),
    pytest.param(rules.Person("M", date(1990, 1, 1), kind="gig"), HOSPITAL, True, id="gig worker"),
])
def test_eligibility_follows_the_terms(person, terms, eligible):
    assert rules.is_eligible(person, terms.eligibility, START) is eligible


def test_a_man_is_told_the_womens_plan_is_for_women_only():
    assert rules.ineligibility_reason(rules.Person("M", date(1985, 1, 1)), WOMEN.eligibility, START) == "本项目仅限女性参加"


@pytest.mark.parametrize(("staff", "female", "enrolled", "terms", "passes", "shortfall"), [
    pytest.param(100, 0, 80, HOSPITAL, True, 0, id="80 of 100 meets 80 percent"),
    pytest.param(100, 0, 79, HOSPITAL, False, 1, id="79 of 100 is one short"),
    pytest.param(11, 0, 9, HOSPITAL, True, 0, id="11 staff need ceil(8.8)=9"),
    pytest.param(11, 0, 8, HOSPITAL, False, 1, id="11 staff with 8 is short"),
    pytest.param(10, 0, 9, HOSPITAL, False, 1, id="10 staff must all enroll"),
    pytest.param(10, 0, 10, HOSPITAL, True, 0, id="10 staff all enrolled"),
    pytest.param(3, 0, 0, HOSPITAL, False, 3, id="nobody enrolled"),
    pytest.param(80, 30, 29, WOMEN, False, 1, id="women in a unit of 80 staff must all enroll"),
    pytest.param(200, 50, 40, WOMEN, True, 0, id="40 of 50 women in a big unit"),
    pytest.param(200, 50, 39, WOMEN, False, 1, id="39 of 50 women is short"),
])
def test_participation_threshold(staff, female, enrolled, terms, passes, shortfall):
    check = rules.check_participation(terms.participation, rules.Headcounts(staff, female, enrolled))
    assert check.passes is passes
    assert check.shortfall == shortfall


def test_shortfall_is_stated_in_chinese():
    check = rules.check_participation(HOSPITAL.participation, rules.Headcounts(100, 0, 72))
    assert check.message() == "参互率72.0%（72/100人）低于要求的80%：至少须80人参互，还差8人"
    small = rules.check_participation(HOSPITAL.participation, rules.Headcounts(8, 0, 6))
    assert "须全员参互" in small.message() and "还差2人" in small.message()


@pytest.mark.parametrize(("paid_on", "starts_on"), [
    pytest.param(date(2025, 11, 20), date(2026, 1, 1), id="paid before the period starts"),
    pytest.param(date(2025, 12, 31), date(2026, 1, 1), id="paid on new year's eve"),
    pytest.param(date(2026, 1, 1), date(2026, 1, 2), id="paid on the first day"),
    pytest.param(date(2026, 3, 5), date(2026, 3, 6), id="mid-year join starts the day after payment"),
])
def test_coverage_starts_the_day_after_payment_never_before_the_period(paid_on, starts_on):
    assert rules.coverage_start(HOSPITAL, paid_on) == starts_on


def test_contribution_due_shows_the_union_subsidy_apart():
    due = rules.contribution_due(HOSPITAL, 25)
    assert (due.contribution_amount, due.subsidy_amount, due.due_amount) == (
        Decimal("2500.00"), Decimal("250.00"), Decimal("2250.00"))


def test_certificate_numbers_are_readable():
    assert rules.certificate_number(2026, "150203", 123) == "HZ2026-150203-0000123"


def test_renewal_diff_sorts_workers_into_kept_joined_left_and_changed():
    diff = rules.renewal_diff(last_year=[1, 2, 3, 4], roster=[2, 3, 4, 5, 6], blocked={4: "已达60岁上限", 6: "x"})
    assert diff.kept == (2, 3) and diff.joined == (5,) and diff.left == (1,)
    assert diff.changed == ((4, "已达60岁上限"),)
    assert diff.to_enroll == (2, 3, 5)


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param("2020-01-05", date(2020, 1, 5), id="iso"),
    pytest.param("2020/1/5", date(2020, 1, 5), id="slashes"),
    pytest.param("2020年1月5日", date(2020, 1, 5), id="chinese"),
    pytest.param("20200105", date(2020, 1, 5), id="compact"),
    pytest.param(43835, date(2020, 1, 5), id="excel serial number"),
    pytest.param("43835", date(2020, 1, 5), id="excel serial as text"),
    pytest.param(datetime(2020, 1, 5, 0, 0), date(2020, 1, 5), id="datetime cell"),
    pytest.param("２０２０－０１－０５", date(2020, 1, 5), id="full-width digits"),
])
def test_dates_are_read_from_text_or_excel_serials(value, expected):
    assert rules.parse_cell_date(value) == expected


ID = make_resident_id("150203", date(1985, 3, 2), 11)
CONTEXT = rules.RowContext(terms=HOSPITAL, enrolled_on=date(2025, 11, 1), today=date(2025, 11, 1))


def _cells(**overrides):
    cells = {"姓名": "巴特尔", "身份证号": ID, "手机号": "13900000001", "人员类别": "", "入职日期": "2020-01-01"}
    cells.update(overrides)
    return cells


@pytest.mark.parametrize(("overrides", "field", "reason_part"), [
    pytest.param({"姓名": " "}, "姓名", "不能为空", id="missing name"),
    pytest.param({"身份证号": ""}, "身份证号", "不能为空", id="missing id number"),
    pytest.param({"身份证号": ID[:-1] + ("0" if ID[-1] != "0" else "1")}, "身份证号", "校验位", id="bad checksum"),
    pytest.param({"身份证号": ID[:17]}, "身份证号", "18位", id="short id number"),
    pytest.param({"身份证号": 150203198503020011}, "身份证号", "存成了数字", id="id stored as a number"),
    pytest.param({"手机号": "1390000"}, "手机号", "11位", id="bad phone"),
    pytest.param({"人员类别": "临时工"}, "人员类别", "无法识别", id="unknown kind"),
    pytest.param({"入职日期": "去年"}, "入职日期", "无法识别", id="bad start date"),
    pytest.param({"身份证号": "=A1&B1"}, "身份证号", "公式", id="formula cell"),
    pytest.param({"身份证号": make_resident_id("150203", date(1960, 1, 1), 11)}, "身份证号", "上限", id="too old"),
])
def test_bad_roster_rows_name_the_field_and_reason(overrides, field, reason_part):
    result = rules.validate_row(7, _cells(**overrides), CONTEXT)
    assert isinstance(result, rules.RowError)
    assert result.field == field and reason_part in result.reason
    assert result.message().startswith("第7行 ")


def test_a_row_with_several_problems_gives_every_one_not_only_the_first():
    result = rules.validate_row(9, _cells(姓名=" ", 手机号="1390000", 人员类别="临时工", 入职日期="去年"), CONTEXT)
    assert isinstance(result, rules.RowError) and result.field == "姓名"
    assert result.reason.startswith("不能为空；手机号：") and "人员类别：“临时工”无法识别" in result.reason
    assert "入职日期：" in result.reason and result.masked == ID[:4] + "**********" + ID[14:]


def test_an_ineligible_person_with_a_bad_phone_gets_both_errors():
    result = rules.validate_row(5, _cells(身份证号=make_resident_id("150203", date(1960, 1, 1), 11), 手机号="1390000"),
                                CONTEXT)
    assert isinstance(result, rules.RowError) and result.field == "手机号"  # the first in column order
    assert "11位" in result.reason and "不符合参互条件" in result.reason and result.name == "巴特尔"


def test_full_width_digits_and_spaces_in_id_numbers_are_normalised():
    wide = " ".join(ID[:6]) + "　" + ID[6:].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    result = rules.validate_row(2, _cells(身份证号=wide), CONTEXT)
    assert isinstance(result, rules.RosterRow) and result.id_number == ID


def test_a_man_in_a_womens_plan_roster_is_refused_by_gender():
    context = rules.RowContext(terms=WOMEN, enrolled_on=date(2025, 11, 1), today=date(2025, 11, 1))
    result = rules.validate_row(3, _cells(), context)
    assert isinstance(result, rules.RowError) and "仅限女性" in result.reason


def test_header_names_missing_and_renamed_columns():
    with pytest.raises(rules.HeaderProblem, match="缺少必需列：身份证号.*无法识别的列：身份证"):
        rules.map_header(["姓名", "身份证", "手机号"])


WIDE = str.maketrans("0123456789", "０１２３４５６７８９")
VARIANTS = [
    pytest.param({}, id="clean"),
    pytest.param({"身份证号": " " + ID[:6] + "-" + ID[6:].translate(WIDE)}, id="full-width id with a dash"),
    pytest.param({"身份证号": make_resident_id("150203", date(1985, 3, 2), 35).lower()}, id="lower-case x"),
    pytest.param({"手机号": "+86 139-0000-0001"}, id="phone with country code"),
    pytest.param({"手机号": 13900000001}, id="phone as a number"),
    pytest.param({"手机号": 0}, id="phone zero"),
    pytest.param({"手机号": "12900000001"}, id="bad phone"),
    pytest.param({"人员类别": " 在职 职工 "}, id="kind with spaces"),
    pytest.param({"人员类别": "新就业形态劳动者"}, id="gig worker"),
    pytest.param({"入职日期": 43835}, id="excel serial"),
    pytest.param({"入职日期": True}, id="a true cell is not day one"),
    pytest.param({"入职日期": "2030-01-01"}, id="start in the future"),
    pytest.param({"入职日期": "1980-01-01"}, id="start before birth"),
    pytest.param({"入职日期": datetime(2020, 1, 5, 8, 30)}, id="datetime cell"),
    pytest.param({"身份证号": make_resident_id("150203", date(2026, 3, 2), 11)}, id="born after today"),
    pytest.param({"身份证号": "150203198502300011"}, id="no such birth date"),
    pytest.param({"姓名": " 巴 特\t尔 ", "民族": " 蒙古族 "}, id="name with spaces"),
    pytest.param({"民族": 0}, id="ethnicity zero"),
]


@pytest.mark.parametrize("overrides", VARIANTS)
def test_a_validator_reused_across_rows_answers_like_a_fresh_check(overrides):
    validator = rules.RowValidator(CONTEXT)
    for cells in (_cells(), _cells(入职日期=1), _cells(**overrides), _cells(), _cells(**overrides)):
        assert validator(4, cells) == rules.validate_row(4, cells, CONTEXT)


def test_clean_and_untidy_spellings_of_the_same_row_give_the_same_row():
    validator = rules.RowValidator(CONTEXT)
    clean = validator(2, _cells())
    untidy = validator(2, _cells(身份证号=" ".join(ID[:6]) + ID[6:].translate(WIDE), 手机号="139 0000 0001",
                                 入职日期="2020年1月1日"))
    assert isinstance(clean, rules.RosterRow) and clean == untidy
