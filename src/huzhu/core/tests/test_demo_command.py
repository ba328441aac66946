"""`huzhu demo` (what `make run` loads): every part gets data (payouts and risk findings too), and the demo
logins work."""
import re
from datetime import date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.test import Client
from django.utils import timezone

from huzhu.claims.models import Claim, ClaimStatusChange
from huzhu.conftest import module_settings
from huzhu.core.money import ZERO, quantize_money
from huzhu.core.scopes import PROVINCE
from huzhu.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from huzhu.enrollment.models import Coverage
from huzhu.hospitals.models import DischargeSettlement
from huzhu.ledger import queries as ledger_queries
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger.models import LedgerEntry, Posting
from huzhu.members.models import MemberUnit
from huzhu.payouts.models import Payout, PayoutBatch
from huzhu.plans.models import PlanYear, TermsVersion
from huzhu.risk.models import RiskFinding

pytestmark = pytest.mark.django_db
DEMO = {"workers": 1500, "seed": 3, "years": [2024, 2025, 2026]}


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for the file (three years: two of them closed), inside a transaction rolled back after
    it; each test runs in a savepoint of its own. Returns what the command printed."""
    out = StringIO()
    with django_db_blocker.unblock(), module_settings(tmp_path_factory), transaction.atomic():
        with time_machine.travel("2026-11-29 10:00 +0800"):  # the seed's claims then include approved-unpaid ones
            call_command("demo", **DEMO, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_the_demo_fills_every_part_and_pays_older_approved_claims_through_a_batch(demo_output):

    assert MemberUnit.objects.exists() and Coverage.objects.exists()
    assert Claim.objects.filter(status=Claim.Status.PAID).exists()
    batch = PayoutBatch.objects.latest("pk")  # today's batch; older approvals went in monthly batches
    assert batch.status == PayoutBatch.Status.RECONCILED
    paid_in_batch = Payout.objects.filter(batch=batch, status=Payout.Status.PAID).values("claim_id")
    assert Claim.objects.filter(pk__in=paid_in_batch, status=Claim.Status.PAID).count() == paid_in_batch.count() > 0
    assert "支付批次" in demo_output
    scanned = re.search(r"风险扫描：([\d,]+) 条", demo_output)
    assert scanned and int(scanned[1].replace(",", "")) == RiskFinding.objects.count()

    again = StringIO()
    call_command("demo", **DEMO, if_empty=True, stdout=again)
    assert "跳过" in again.getvalue() and PayoutBatch.objects.latest("pk").pk == batch.pk
    # the migration installed 2026 and 2027 already: the demo used them and added no second version
    assert PlanYear.objects.filter(year__in=(2026, 2027)).count() == 4
    assert TermsVersion.objects.filter(plan_year__year__in=(2026, 2027)).count() == 4

    client = Client()
    for username, *_ in DEMO_ACCOUNTS:
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()


def test_the_demo_books_are_what_an_auditor_would_sign(demo_output):
    # every paid claim was paid through a payout batch, made by zhifu and checked by fuhe, or taken off the bill by
    # a partner hospital at discharge: the hospital is owed it (2202-<code>) until its reimbursement batch is paid
    paid = Claim.objects.filter(status=Claim.Status.PAID)
    at_hospital = paid.filter(channel=Claim.Channel.HOSPITAL)
    assert paid.exists() and at_hospital.exists()
    assert not paid.exclude(channel=Claim.Channel.HOSPITAL).exclude(
        Exists(Payout.objects.filter(claim=OuterRef("pk"), status=Payout.Status.PAID))).exists()
    settled = DischargeSettlement.objects.filter(status=DischargeSettlement.Status.SETTLED)
    assert set(settled.values_list("claim_id", flat=True)) == set(at_hospital.values_list("pk", flat=True))
    for code in settled.values_list("hospital__code", flat=True).distinct():
        owed_to_hospital = -Posting.objects.filter(account__code=f"2202-{code}").aggregate(s=Sum("amount"))["s"]
        assert owed_to_hospital == settled.filter(hospital__code=code, reimbursed_on__isnull=True).aggregate(
            s=Sum("benefit_amount"))["s"] > 0
    assert set(PayoutBatch.objects.values_list("created_by__username", "approved_by__username")) == {("zhifu", "fuhe")}
    assert set(PayoutBatch.objects.values_list("status", flat=True)) == {PayoutBatch.Status.RECONCILED}
    # history moves (before today's batch) count as notified: the outbox does not message old news
    today_batch = timezone.make_aware(datetime(2026, 11, 29))
    assert not ClaimStatusChange.objects.filter(notified_at__isnull=True, at__lt=today_batch).exists()
    # rejected claims pay nothing
    rejected = Claim.objects.filter(status=Claim.Status.REJECTED)
    assert rejected.exists() and not rejected.exclude(benefit_amount=0).exists()

    closed_years = 0
    for plan_year in PlanYear.objects.filter(current_version__isnull=False):
        position = ledger_queries.fund_position(plan_year)
        # the payable is exactly what approved claims are still owed (not sent to the bank, or returned)
        at_the_bank = Payout.objects.filter(claim=OuterRef("pk"), status__in=(Payout.Status.SENT, Payout.Status.PAID))
        owed = (Claim.objects.filter(plan_year=plan_year, status=Claim.Status.APPROVED).exclude(Exists(at_the_bank))
                .aggregate(total=Sum("benefit_amount", default=ZERO))["total"])
        assert position.payable_amount == owed, plan_year
        assert ledger_queries.trial_balance(PROVINCE, plan_year).is_balanced, plan_year
        close = ledger_queries.year_close_of(plan_year)
        assert (close is not None) == (plan_year.terms.protection_end_on < date(2026, 11, 29)), plan_year
        if close is not None:
            closed_years += 1
            expected = quantize_money(position.total_contributions_amount * plan_year.terms.reserve_rate)
            appropriation = LedgerEntry.objects.get(plan_year=plan_year, kind="reserve_appropriation")
            assert expected > 0 and close.reserve_amount == expected == position.reserve_amount
            assert appropriation.postings.get(account__code=ledger_rules.TOTAL_RESERVE).amount == -expected
    assert closed_years == 4  # both plans, 2024 and 2025
    unbalanced = Posting.objects.values("entry_id").order_by().annotate(total=Sum("amount")).exclude(total=0)
    assert not unbalanced.exists()


def test_the_demo_leaves_every_reviewer_a_queue_with_documents_and_womens_claims(demo_output):
    from django.contrib.auth import get_user_model

    from huzhu.claims.models import ClaimDocument
    from huzhu.claims.queries import claims_awaiting_review
    from huzhu.regions.queries import scope_of

    with time_machine.travel("2026-11-29 10:00 +0800"):
        users = get_user_model().objects
        waiting = {role: claims_awaiting_review(scope_of(users.get(username=username)))
                   for username, role, _division, _label in DEMO_ACCOUNTS if role in ("agency", "office", "association")}
    assert {claim.status for claim in waiting["agency"]} == {Claim.Status.FIRST_REVIEW}
    assert all(claim.county_id == "150203" for claim in waiting["agency"]) and waiting["agency"].count() >= 3
    assert {claim.status for claim in waiting["office"]} == {Claim.Status.SECOND_REVIEW}
    assert all(claim.league_id == "150200" for claim in waiting["office"]) and waiting["office"].count() >= 3
    assert {claim.status for claim in waiting["association"]} == {Claim.Status.APPROVAL}
    assert waiting["association"].count() >= 3
    supplement = Claim.objects.filter(status=Claim.Status.SUPPLEMENT)
    assert supplement.exists() and all(claim.missing_items for claim in supplement)
    # every claim waiting on a desk has generated scans in the archive, as an upload would
    open_claims = Claim.objects.filter(status__in=(Claim.Status.FIRST_REVIEW, Claim.Status.SECOND_REVIEW,
                                                   Claim.Status.APPROVAL, Claim.Status.SUPPLEMENT))
    documented = set(ClaimDocument.objects.values_list("claim_id", flat=True))
    assert set(open_claims.values_list("pk", flat=True)) <= documented
    document = ClaimDocument.objects.select_related("file").first()
    assert document.file.content_type == "image/png" and document.file.size > 1000
    women = Claim.objects.filter(plan_year__plan_id="women_health", claim_type__in=("diagnosis", "procedure"))
    assert women.filter(status__in=(Claim.Status.APPROVED, Claim.Status.PAID)).exists()
    assert women.filter(status__in=open_claims.values("status")).exists()
    assert not women.exclude(worker__gender="F").exists()
    # each waiting move is one the workflow allows, recorded as history
    for claim in open_claims:
        assert claim.status_changes.order_by("at", "pk").last().to_status == claim.status



def test_the_demo_bank_statement_uploads_and_its_reference_credit_matches(demo_output, association_approver):
    from huzhu.demo.bank_statement import statement_path
    from huzhu.enrollment.services.statements import import_bank_statement

    assert "银行流水样例" in demo_output
    path = statement_path()
    with path.open("rb") as stream:
        imported = import_bank_statement(actor=association_approver, bank_code="icbc", file_name=path.name,
                                         stream=stream)
    # at 1,500 workers every case is there: a reference, a name, a short payment, a stranger; the fee is a debit
    assert imported.debits == 1 and imported.credits == 4, imported
    assert imported.outcomes.get("matched", 0) == 2 and imported.outcomes.get("underpaid") == 1, imported.outcomes
    assert imported.outcomes.get("unmatched") == 1, imported.outcomes
