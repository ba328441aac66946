"""Hospital fixtures: plans, a covered worker, a partner hospital with a token, and a discharge call's body."""
import itertools
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from huzhu.claims.tests.conftest import cover
from huzhu.conftest import BAOTOU, make_worker
from huzhu.core.actors import SYSTEM_ACTOR
from huzhu.core.crypto import decrypt_text
from huzhu.hospitals import services
from huzhu.plans.services import install_default_plans

_serials = itertools.count(1)


def today():
    return timezone.localdate()


@pytest.fixture
def plans(db):
    year = today().year
    return install_default_plans(years=(year - 1, year))


@pytest.fixture
def covered(plans, home_unit):
    worker = make_worker(home_unit, name="王秀兰", gender="F")
    for year in sorted({(today() - timedelta(days=20)).year, today().year}):
        cover(worker, year=year)
    return worker


def register(code="H15020300001", name="包头市中心医院"):
    return services.register_hospital(actor=SYSTEM_ACTOR, fields={
        "code": code, "name": name, "league": BAOTOU, "bank_name": "中国工商银行包头分行",
        "account_name": name, "bank_account": "0602 0012 3456 7890 123", "contact_name": "李明",
        "contact_phone": "0472-5555555"})


@pytest.fixture
def hospital(db):
    return register()


@pytest.fixture
def token(hospital):
    _row, plain = services.issue_token(actor=SYSTEM_ACTOR, hospital=hospital, name="HIS 正式环境")
    return plain


@pytest.fixture
def his(token):
    """The hospital's system: a client that sends its token."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def stay(worker=None, *, serial="", self_pay="3000.00", fund="12000.00", out_of_policy="2000.00", days_ago=1,
         length=10, **overrides) -> dict:
    """A discharge call's body: a stay that ended `days_ago`, whose in-policy self-pay is `self_pay`."""
    discharged = today() - timedelta(days=days_ago)
    total = f"{float(fund) + float(self_pay) + float(out_of_policy):.2f}"
    body = {"serial": serial or f"ZY{next(_serials):012d}",
            "id_number": decrypt_text(worker.id_number_encrypted) if worker else "",
            "name": worker.name if worker else "", "hospital_code": "H15020300001",
            "admitted_on": (discharged - timedelta(days=length)).isoformat(), "discharged_on": discharged.isoformat(),
            "settled_on": discharged.isoformat(), "diagnosis_code": "J18.900", "total_amount": total,
            "fund_paid_amount": fund, "policy_self_pay_amount": self_pay, "out_of_policy_amount": out_of_policy,
            "patient_authorized": True}
    body.update(overrides)
    return body


def post(client, body, path="/api/v1/hospital/discharges"):
    return client.post(path, body, content_type="application/json")
