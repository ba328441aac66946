"""Lockout counters and rate limits live in the cache: every test starts and ends with it empty."""
import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_get(client):
    """GET an API path with a Bearer token."""

    def get(path: str, token: str):
        return client.get(path, headers={"Authorization": f"Bearer {token}"})

    return get
