"""Actuarial fixtures: archives in a temporary folder, a compact synthetic experience."""
from datetime import date

import pytest


@pytest.fixture(autouse=True)
def archive_in_tmp(settings, tmp_path):
    settings.ARCHIVE_ROOT = tmp_path / "archive"
    return settings.ARCHIVE_ROOT


@pytest.fixture
def experience_2024_2026(db):
    """Three years of a 1,500-worker hospitalization experience, valued on 2026-09-30."""
    from huzhu.demo import synthetic

    return synthetic.build(workers=1500, years=(2024, 2025, 2026), frequency=0.05, as_of=date(2026, 9, 30), seed=4)
