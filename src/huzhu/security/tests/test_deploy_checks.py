"""`huzhu check --deploy` refuses development keys, DEBUG and wide ALLOWED_HOSTS."""
import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from huzhu.security.checks import (
    DEV_AUDIT_KEY,
    DEV_DATA_KEY,
    DEV_SECRET_KEY,
    check_crypto_suite,
    check_production_settings,
)

GOOD = {"SECRET_KEY": "k" * 64, "DATA_KEY": "d" * 48, "AUDIT_KEY": "a" * 48, "DEBUG": False,
        "ALLOWED_HOSTS": ["huzhu.example.org"], "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True}


def _ids(**overrides) -> set[str]:
    with override_settings(**{**GOOD, **overrides}):
        return {problem.id for problem in check_production_settings(None) if problem.level >= 40}


def test_production_settings_pass():
    assert _ids() == set()


@pytest.mark.parametrize("overrides, problem", [
    ({"SECRET_KEY": DEV_SECRET_KEY}, "huzhu.security.E001"),
    ({"DATA_KEY": DEV_DATA_KEY}, "huzhu.security.E002"),
    ({"DEBUG": True}, "huzhu.security.E003"),
    ({"ALLOWED_HOSTS": ["*"]}, "huzhu.security.E004"),
    ({"SESSION_COOKIE_SECURE": False}, "huzhu.security.E006"),
    ({"CSRF_COOKIE_SECURE": False}, "huzhu.security.E006"),
], ids=["dev secret key", "dev data key", "debug on", "any host", "plain-http session cookie", "plain-http csrf cookie"])
def test_each_development_setting_is_an_error(overrides, problem):
    assert _ids(**overrides) == {problem}


def test_a_previous_data_key_warns_that_a_rotation_is_under_way_and_may_not_equal_the_current_one():
    with override_settings(**GOOD, DATA_KEY_PREVIOUS="p" * 48):
        assert "huzhu.security.W004" in {problem.id for problem in check_production_settings(None)}
    assert _ids(DATA_KEY_PREVIOUS=GOOD["DATA_KEY"]) == {"huzhu.security.E005"}


def test_the_deploy_command_fails_with_the_development_keys():
    with override_settings(SECRET_KEY=DEV_SECRET_KEY, DATA_KEY=DEV_DATA_KEY), \
            pytest.raises(SystemCheckError, match="HUZHU_DATA_KEY"):
        call_command("check", "--deploy", "--fail-level", "ERROR")


@pytest.mark.parametrize("audit_key", [DEV_AUDIT_KEY, "short-audit-key"], ids=["development default", "too short"])
def test_the_development_audit_key_is_an_error_since_the_audit_chain_could_be_rewritten(audit_key):
    assert _ids(AUDIT_KEY=audit_key) == {"huzhu.security.E007"}


@pytest.mark.parametrize("setting", ["HUZHU_CRYPTO", "HUZHU_CRYPTO_PREVIOUS"])
def test_an_unknown_crypto_suite_is_an_error_on_every_check_not_read_as_aes(setting):
    with override_settings(**{setting: "sm2"}):
        assert {problem.id for problem in check_crypto_suite(None)} == {"huzhu.security.E020"}


def test_a_suite_switch_under_way_warns_until_the_previous_suite_is_removed():
    with override_settings(HUZHU_CRYPTO="sm", HUZHU_CRYPTO_PREVIOUS="aes"):
        assert {problem.id for problem in check_crypto_suite(None)} == {"huzhu.security.W020"}
    with override_settings(HUZHU_CRYPTO="sm", HUZHU_CRYPTO_PREVIOUS=""):
        assert check_crypto_suite(None) == []
