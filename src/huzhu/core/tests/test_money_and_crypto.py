from decimal import Decimal

import pytest

from huzhu.core.crypto import blind_index, decrypt_text, encrypt_text
from huzhu.core.money import parse_money, quantize_money


@pytest.mark.parametrize(("raw", "rounded"), [("0.005", "0.01"), ("0.004", "0.00"), ("2.675", "2.68"), ("-0.005", "-0.01")])
def test_rounding_is_half_up_to_the_fen(raw, rounded):
    assert quantize_money(Decimal(raw)) == Decimal(rounded)


def test_floats_are_refused_as_money():
    with pytest.raises(TypeError):
        quantize_money(0.1)


@pytest.mark.parametrize("text", ["abc", "1.234", "NaN", ""])
def test_bad_amounts_get_a_chinese_message(text):
    with pytest.raises(ValueError, match="金额"):
        parse_money(text)


def test_parse_money_accepts_thousands_separators():
    assert parse_money("15,000.5") == Decimal("15000.50")


def test_encryption_round_trips_and_differs_each_time():
    first, second = encrypt_text("150203198503021234"), encrypt_text("150203198503021234")
    assert first != second
    assert "150203198503021234" not in first
    assert decrypt_text(first) == decrypt_text(second) == "150203198503021234"


def test_blind_index_is_stable_and_keyed(settings):
    index = blind_index("150203198503021234")
    assert index == blind_index("150203198503021234")
    settings.DATA_KEY = "another-key"
    assert blind_index("150203198503021234") != index
