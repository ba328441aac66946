"""`huzhu demo` (what `make run` loads): every part gets data (payouts and risk findings too), and the demo
logins work."""
import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from huzhu.claims.models import Claim
from huzhu.core.demo_accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from huzhu.enrollment.models import Coverage
from huzhu.members.models import MemberUnit
from huzhu.payouts.models import Payout, PayoutBatch
from huzhu.plans.models import PlanYear, TermsVersion
from huzhu.risk.models import RiskFinding

pytestmark = pytest.mark.django_db


def test_the_demo_fills_every_part_and_pays_older_approved_claims_through_a_batch():
    out = StringIO()
    with time_machine.travel("2026-11-29 10:00 +0800"):  # the seed's claims then include approved-unpaid ones
        call_command("demo", workers=1500, seed=3, years=[2025, 2026], stdout=out)

    assert MemberUnit.objects.exists() and Coverage.objects.exists()
    assert Claim.objects.filter(status=Claim.Status.PAID).exists()
    batch = PayoutBatch.objects.get()
    assert batch.status == PayoutBatch.Status.RECONCILED
    paid_in_batch = Payout.objects.filter(batch=batch, status=Payout.Status.PAID).values("claim_id")
    assert Claim.objects.filter(pk__in=paid_in_batch, status=Claim.Status.PAID).count() == paid_in_batch.count() > 0
    assert "支付批次" in out.getvalue()
    scanned = re.search(r"风险扫描：([\d,]+) 条", out.getvalue())
    assert scanned and int(scanned[1].replace(",", "")) == RiskFinding.objects.count()

    again = StringIO()
    call_command("demo", workers=1500, seed=3, years=[2025, 2026], if_empty=True, stdout=again)
    assert "跳过" in again.getvalue() and PayoutBatch.objects.count() == 1
    # the migration installed 2026 and 2027 already: the demo used them and added no second version
    assert PlanYear.objects.filter(year__in=(2026, 2027)).count() == 4
    assert TermsVersion.objects.filter(plan_year__year__in=(2026, 2027)).count() == 4

    client = Client()
    for username, *_ in DEMO_ACCOUNTS:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
