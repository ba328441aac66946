from decimal import Decimal

import pytest

from huzhu.core import crypto
from huzhu.core.crypto import blind_index, blind_indexes, decrypt_text, encrypt_text
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


OLD, NEW = "old-key-for-crypto-tests-0123456789", "new-key-for-crypto-tests-0123456789"
NUMBER = "150203198503021234"


def legacy_ciphertext(plain: str, key: str) -> str:
    """A value as written before key ids existed: `v1:` and the key's AES-GCM, `v1` as associated data."""
    import base64

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    nonce = b"\x00" * 12
    sealed = AESGCM(crypto._keys(key)[0]).encrypt(nonce, plain.encode(), b"v1")
    return "v1:" + base64.b64encode(nonce + sealed).decode()


def test_a_ciphertext_names_its_key_by_an_id_that_reveals_nothing_of_it(settings):
    settings.DATA_KEY = NEW
    token = encrypt_text(NUMBER)
    tag = token.partition(":")[0]
    assert tag == f"v2.{crypto.key_id(NEW)}" and len(crypto.key_id(NEW)) == 8
    assert crypto.key_id(NEW) not in NEW and crypto.key_id(OLD) != crypto.key_id(NEW)


def test_the_tag_is_sealed_into_the_ciphertext(settings):
    settings.DATA_KEY = NEW
    token = encrypt_text(NUMBER)
    forged = "v1:" + token.partition(":")[2]
    with pytest.raises(crypto.UnreadableCiphertext):
        decrypt_text(forged)


def test_during_a_rotation_old_values_open_with_the_previous_key_and_new_ones_with_the_current(settings):
    settings.DATA_KEY = OLD
    old_token = encrypt_text(NUMBER)
    settings.DATA_KEY, settings.DATA_KEY_PREVIOUS = NEW, OLD
    assert decrypt_text(old_token) == decrypt_text(encrypt_text(NUMBER)) == NUMBER
    assert encrypt_text(NUMBER).startswith(crypto.current_tag() + ":")


@pytest.mark.parametrize("previous", ["", "some-other-key-0123456789-0123456789"], ids=["missing", "wrong"])
def test_a_value_no_configured_key_opens_is_a_clear_error(settings, previous):
    settings.DATA_KEY = OLD
    old_token = encrypt_text(NUMBER)
    settings.DATA_KEY, settings.DATA_KEY_PREVIOUS = NEW, previous
    with pytest.raises(crypto.UnreadableCiphertext, match=crypto.key_id(NEW)):
        decrypt_text(old_token)


@pytest.mark.parametrize("writer", [OLD, NEW], ids=["previous-key", "current-key"])
def test_values_written_before_key_ids_open_with_either_configured_key(settings, writer):
    settings.DATA_KEY, settings.DATA_KEY_PREVIOUS = NEW, OLD
    assert decrypt_text(legacy_ciphertext(NUMBER, writer)) == NUMBER


def test_look_ups_try_the_previous_keys_index_only_while_a_rotation_is_under_way(settings):
    settings.DATA_KEY = OLD
    old_index = blind_index(NUMBER)
    settings.DATA_KEY = NEW
    assert blind_indexes(NUMBER) == [blind_index(NUMBER)]
    settings.DATA_KEY_PREVIOUS = OLD
    assert blind_indexes(NUMBER) == [blind_index(NUMBER), old_index]
    assert crypto.index_aliases([NUMBER]) == {blind_index(NUMBER): blind_index(NUMBER), old_index: blind_index(NUMBER)}


def test_batch_encryption_gives_each_value_its_own_nonce_under_the_current_key(settings):
    numbers = ["150203198503021234", "150203198503021234", "15020319850302123X"]
    sealed = crypto.encrypt_texts(numbers)
    assert len(set(sealed)) == 3
    assert [decrypt_text(token) for token in sealed] == numbers
    assert {crypto.tag_of(token) for token in sealed} == {crypto.current_tag()}


def test_batch_blind_indexes_match_one_at_a_time_under_either_key(settings):
    numbers = ["150203198503021234", "15020319850302123X"]
    current = crypto.blind_index_many(numbers)
    assert current == [blind_index(n) for n in numbers]
    assert crypto.blind_index_many(numbers, key="another-key") != current
    settings.DATA_KEY, settings.DATA_KEY_PREVIOUS = "another-key", settings.DATA_KEY
    assert crypto.blind_index_many(numbers, key=crypto.previous_key()) == current
