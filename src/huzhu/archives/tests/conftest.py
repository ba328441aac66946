import pytest


@pytest.fixture(autouse=True)
def archive_in_tmp(settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"
    return settings.ARCHIVE_ROOT
