"""Complaint fixtures: a worker with a phone in 昆都仑区 (包头), the clerks of two counties, a client signed in as each."""
import pytest
from django.test import Client

from huzhu.conftest import HONGSHAN, PASSWORD, make_staff, make_worker, sign_in_as_worker
from huzhu.regions.models import Role


@pytest.fixture
def worker(home_unit):
    return make_worker(home_unit, name="王秀兰", gender="F", phone="13800138001")


@pytest.fixture
def other_clerk(db):
    return make_staff("clerk_hongshan", Role.AGENCY, division=HONGSHAN)


@pytest.fixture
def staff_client():
    def signed_in(user) -> Client:
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client
    return signed_in


@pytest.fixture
def phone(worker) -> Client:
    """The worker's phone, signed in at /me/ with the texted code."""
    client = Client()
    sign_in_as_worker(client, worker)
    return client
