"""Resident ID numbers, credit codes and phones: stdnum plus the caveats DATA.md lists."""
from datetime import date

import pytest

from huzhu.core.idnumbers import (
    make_credit_code,
    make_resident_id,
    mask_id_number,
    parse_credit_code,
    parse_mobile,
    parse_resident_id,
)

TODAY = date(2026, 11, 29)
GOOD = make_resident_id("150203", date(1985, 3, 2), 123)


def test_a_valid_number_gives_birth_date_and_gender():
    rid = parse_resident_id(GOOD, today=TODAY)
    assert rid.birth_date == date(1985, 3, 2)
    assert rid.gender == "M"  # 17th digit 3 is odd
    assert rid.league_code == "150200"
    assert rid.region_warning is None


def test_an_even_17th_digit_is_a_woman():
    assert parse_resident_id(make_resident_id("150203", date(1990, 1, 1), 124), today=TODAY).gender == "F"


def test_full_width_digits_and_spaces_are_normalised():
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in GOOD)
    assert parse_resident_id(f" {fullwidth[:6]} {fullwidth[6:]} ", today=TODAY).number == GOOD


def test_a_lower_case_x_check_digit_is_accepted():
    number = next(make_resident_id("150203", date(1980, 1, d), 11) for d in range(1, 29)
                  if make_resident_id("150203", date(1980, 1, d), 11).endswith("X"))
    assert parse_resident_id(number.lower(), today=TODAY).number == number


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        pytest.param("", "不能为空", id="empty"),
        pytest.param(GOOD[:17], "18位", id="too-short"),
        pytest.param(GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), "校验位", id="wrong-check-digit"),
        pytest.param(make_resident_id("150203", date(2027, 5, 1), 11), "晚于今天", id="future-birth-date"),
        pytest.param(make_resident_id("150203", date(1890, 5, 1), 11), "120岁", id="implausible-age"),
    ],
)
def test_bad_numbers_are_rejected_with_a_reason(number, reason):
    with pytest.raises(ValueError, match=reason):
        parse_resident_id(number, today=TODAY)


def test_an_impossible_date_is_rejected_even_with_a_matching_check_digit():
    body = "15020319850230123"  # 30 February
    from stdnum.cn import ric

    with pytest.raises(ValueError, match="出生日期不存在"):
        parse_resident_id(body + ric.calc_check_digit(body + "0"), today=TODAY)


def test_an_unknown_region_under_a_known_province_warns_instead_of_crashing():
    # DATA.md: stdnum 2.2 raises KeyError for 150199...
    number = make_resident_id("150199", date(1985, 1, 1), 123)
    rid = parse_resident_id(number, today=TODAY)
    assert rid.region_warning and "150199" in rid.region_warning


def test_a_region_that_did_not_exist_in_the_birth_year_warns_but_is_accepted():
    number = make_resident_id("150207", date(1970, 1, 1), 123)  # 九原区 from 1999 (郊区 from 1983)
    assert parse_resident_id(number, today=TODAY).region_warning


def test_masking_shows_only_the_first_and_last_four():
    assert mask_id_number(GOOD) == GOOD[:4] + "*" * 10 + GOOD[-4:]


def test_a_letter_first_credit_code_is_accepted():
    code = make_credit_code("Y1", "150203", "MA0C1234")
    assert parse_credit_code(code) == code


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        pytest.param(lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"), "校验位不正确", id="check-digit"),
        pytest.param(lambda c: c[:16] + ("0" if c[16] != "0" else "1") + c[17], "校验位", id="org-code-check"),
        pytest.param(lambda c: c[:10], "18位", id="length"),
        pytest.param(lambda c: "I" + c[1:], "不允许的字符", id="letter-I"),
    ],
)
def test_bad_credit_codes_are_rejected(mutate, reason):
    with pytest.raises(ValueError, match=reason):
        parse_credit_code(mutate(make_credit_code("91", "150203", "MA0C1234")))


def test_a_credit_code_whose_embedded_organisation_code_is_wrong_is_rejected():
    from stdnum.cn import uscc

    good = make_credit_code("91", "150203", "MA0C1234")
    org_bad = good[:16] + ("0" if good[16] != "0" else "1")
    code = org_bad + uscc.calc_check_digit(org_bad)  # overall check digit recomputed: only GB 11714 catches it
    with pytest.raises(ValueError, match="组织机构代码"):
        parse_credit_code(code)


@pytest.mark.parametrize("phone", ["13800138000", "+86 138-0013-8000", "１３８００１３８０００"])
def test_mobile_numbers_are_normalised(phone):
    assert parse_mobile(phone) == "13800138000"


@pytest.mark.parametrize("phone", ["1380013800", "23800138000", "12800138000", "abc"])
def test_bad_mobile_numbers_are_rejected(phone):
    with pytest.raises(ValueError, match="手机号"):
        parse_mobile(phone)
