"""`huzhu demo_logins` (printed by `make run`) names every login, the payout pair, and how a worker signs in."""
import re
from io import StringIO

from django.core.management import call_command
from django.test import Client

from huzhu.claims import services as claim_services
from huzhu.claims.tests.conftest import TODAY, cover, scans, stay_fields
from huzhu.conftest import make_worker, texted_codes
from huzhu.demo.accounts import DEMO_ACCOUNTS
from huzhu.plans.services import install_default_plans


def test_the_printed_worker_can_sign_in_with_the_texted_code(home_unit, county_clerk):
    install_default_plans()
    worker = make_worker(home_unit, name="其木格", phone="13800000031")
    cover(worker)
    claim_services.file_claim(actor=county_clerk, worker=worker, documents=scans(), today=TODAY, **stay_fields())
    out = StringIO()
    call_command("demo_logins", stdout=out)
    printed = out.getvalue()
    for username in [account[0] for account in DEMO_ACCOUNTS] + ["zhifu", "fuhe"]:
        assert re.search(rf"^\s+{username}\s", printed, re.M), username
    found = re.search(r"/me/ ，身份证号 (\S+)，手机号 (\d+)", printed)
    assert found, printed
    client = Client()
    identity = {"id_number": found[1], "phone": found[2]}
    with texted_codes() as codes:
        client.post("/me/sign-in/", identity)
    assert client.post("/me/sign-in/", {**identity, "code": codes[-1]}).status_code == 302
    assert "其木格" in client.get("/me/").text
