"""Passwords are hashed with Argon2 in production (the suite itself uses a quick hasher, see conftest)."""
import importlib

from django.contrib.auth.hashers import check_password, make_password
from django.test.utils import override_settings


def test_production_hashes_new_passwords_with_argon2_and_still_reads_pbkdf2():
    production = importlib.import_module("huzhu.settings").PASSWORD_HASHERS
    assert production[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=production):
        encoded = make_password("huzhu-demo-2026")
        assert encoded.startswith("argon2$")
        assert check_password("huzhu-demo-2026", encoded)
        assert check_password("huzhu-demo-2026", make_password("huzhu-demo-2026", hasher="pbkdf2_sha256"))
