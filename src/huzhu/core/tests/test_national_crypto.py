"""HUZHU_CRYPTO=sm: field encryption with SM4-GCM, blind indexes with HMAC-SM3 (core/crypto.py)."""
import base64
import os

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.core.exceptions import ImproperlyConfigured

from huzhu.audit import chain
from huzhu.core import crypto
from huzhu.core.crypto import blind_index, blind_indexes, decrypt_text, encrypt_text

KEY = "a-data-key-for-the-national-suite-0123456789"
OTHER = "another-data-key-for-the-national-suite-987"
NUMBER = "150203198503021234"


def sm_keys(master: str) -> tuple[bytes, bytes]:
    """The SM4 and HMAC-SM3 keys docs/security.md says a data key derives (HKDF-SM3), computed here independently."""
    material = HKDF(algorithm=hashes.SM3(), length=48, salt=b"huzhu", info=b"data-keys-sm").derive(master.encode())
    return material[:16], material[16:]


def test_the_sm3_primitive_matches_the_standards_abc_vector():
    digest = hashes.Hash(hashes.SM3())
    digest.update(b"abc")
    assert digest.finalize().hex() == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_under_sm_a_value_round_trips_and_its_ciphertext_names_sm4_and_the_key(settings):
    settings.DATA_KEY, settings.HUZHU_CRYPTO = KEY, "sm"
    token = encrypt_text(NUMBER)
    assert token.startswith(f"sm4.{crypto.key_id(KEY)}:")
    assert decrypt_text(token) == NUMBER
    assert [decrypt_text(t) for t in crypto.encrypt_texts(["13800000001", "乳腺恶性肿瘤", ""])] == \
        ["13800000001", "乳腺恶性肿瘤", ""]


def test_an_sm4_gcm_ciphertext_made_independently_decrypts(settings):
    settings.DATA_KEY, settings.HUZHU_CRYPTO = KEY, "sm"
    tag = f"sm4.{crypto.key_id(KEY)}"
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(sm_keys(KEY)[0]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(tag.encode())
    sealed = encryptor.update(NUMBER.encode()) + encryptor.finalize() + encryptor.tag
    assert decrypt_text(f"{tag}:{base64.b64encode(nonce + sealed).decode()}") == NUMBER


def test_our_sm4_ciphertext_opens_with_the_sm4_primitive_and_not_with_aes(settings):
    settings.DATA_KEY, settings.HUZHU_CRYPTO = KEY, "sm"
    token = encrypt_text(NUMBER)
    tag, _, payload = token.partition(":")
    raw = base64.b64decode(payload)
    decryptor = Cipher(algorithms.SM4(sm_keys(KEY)[0]), modes.GCM(raw[:12], raw[-16:])).decryptor()
    decryptor.authenticate_additional_data(tag.encode())
    assert (decryptor.update(raw[12:-16]) + decryptor.finalize()).decode() == NUMBER
    forged = f"v2.{crypto.key_id(KEY)}:{payload}"  # the same bytes claimed as AES-GCM
    with pytest.raises(crypto.UnreadableCiphertext):
        decrypt_text(forged)


def test_under_sm_the_blind_index_is_hmac_sm3(settings):
    settings.DATA_KEY, settings.HUZHU_CRYPTO = KEY, "sm"
    mac = crypto_hmac.HMAC(sm_keys(KEY)[1], hashes.SM3())
    mac.update(NUMBER.encode())
    assert blind_index(NUMBER) == mac.finalize().hex()[:32]
    sm_index = blind_index(NUMBER)
    assert crypto.blind_index_many([NUMBER, "13800000001"])[0] == sm_index
    settings.HUZHU_CRYPTO = ""
    assert blind_index(NUMBER) != sm_index


def test_the_suites_give_different_indexes_and_both_ciphertexts_open_after_a_switch(settings):
    settings.DATA_KEY, settings.HUZHU_CRYPTO = KEY, ""
    aes_token, aes_index = encrypt_text(NUMBER), blind_index(NUMBER)
    settings.HUZHU_CRYPTO = "sm"
    sm_token, sm_index = encrypt_text(NUMBER), blind_index(NUMBER)
    assert aes_index != sm_index and aes_token.startswith("v2.") and sm_token.startswith("sm4.")
    assert decrypt_text(aes_token) == decrypt_text(sm_token) == NUMBER  # the tag names the algorithm
    settings.HUZHU_CRYPTO = ""
    assert decrypt_text(sm_token) == NUMBER


def test_during_a_switch_look_ups_try_the_previous_suites_index(settings):
    settings.DATA_KEY, settings.HUZHU_CRYPTO = KEY, ""
    aes_index = blind_index(NUMBER)
    settings.HUZHU_CRYPTO = "sm"
    assert blind_indexes(NUMBER) == [blind_index(NUMBER)]
    settings.HUZHU_CRYPTO_PREVIOUS = "aes"
    assert blind_indexes(NUMBER) == [blind_index(NUMBER), aes_index]
    assert crypto.blind_index_many([NUMBER], previous=True) == [aes_index]
    assert crypto.rotation_under_way() and crypto.previous_tag() == f"v2.{crypto.key_id(KEY)}"


def test_a_switch_and_a_new_key_at_once_use_the_old_key_with_the_old_suite(settings):
    settings.DATA_KEY, settings.HUZHU_CRYPTO = OTHER, ""
    old_token, old_index = encrypt_text(NUMBER), blind_index(NUMBER)
    settings.DATA_KEY, settings.HUZHU_CRYPTO = KEY, "sm"
    settings.DATA_KEY_PREVIOUS, settings.HUZHU_CRYPTO_PREVIOUS = OTHER, "aes"
    assert decrypt_text(old_token) == NUMBER
    assert blind_indexes(NUMBER)[1] == old_index
    assert crypto.previous_tag() == f"v2.{crypto.key_id(OTHER)}" and crypto.current_tag() == f"sm4.{crypto.key_id(KEY)}"


def test_the_previous_suite_equal_to_the_current_one_is_no_rotation(settings):
    settings.HUZHU_CRYPTO, settings.HUZHU_CRYPTO_PREVIOUS = "sm", "sm"
    assert not crypto.rotation_under_way() and blind_indexes(NUMBER) == [blind_index(NUMBER)]


def test_an_unknown_suite_name_is_refused_rather_than_read_as_aes(settings):
    settings.HUZHU_CRYPTO = "sm2"
    with pytest.raises(ImproperlyConfigured, match="HUZHU_CRYPTO"):
        encrypt_text(NUMBER)


def test_field_encryption_and_the_audit_chain_read_the_setting_the_same_way(settings):
    for value, national in (("sm", True), ("SM", True), (" sm ", True), ("", False), ("aes", False)):
        settings.HUZHU_CRYPTO = value
        assert crypto.uses_national_algorithms() is national
        assert (chain.current_algorithm() == chain.SM3) is national
        assert crypto.current_tag().startswith("sm4." if national else "v2.")
