"""A recovery (应收) opened by a reversal after payment is closed: repaid into the bank, or written off with a reason,
each with its ledger entry; on the payouts' 待处理 page by the association."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from huzhu.claims import services as claim_services
from huzhu.claims.models import Claim, ClaimRecovery
from huzhu.conftest import PASSWORD
from huzhu.core.errors import Conflict, PermissionDenied, ValidationFailed
from huzhu.ledger import rules as ledger_rules
from huzhu.ledger.models import LedgerEntry, Posting

from .conftest import SYSTEM_ACTOR, TODAY, feed_row, write_csv

pytestmark = pytest.mark.django_db
LATER = TODAY + timedelta(days=20)


@pytest.fixture
def recovery(run_feed, tmp_path, covered):
    """A data claim paid, then its settlement reversed: an open recovery of the whole benefit."""
    run_feed(write_csv(tmp_path / "feed.csv", [feed_row(covered, serial="R1", self_pay="2000.00", total="16000.00")]))
    claim_services.mark_claim_paid(actor=None, claim=Claim.objects.get())
    run_feed(write_csv(tmp_path / "reversal.csv", [feed_row(covered, serial="R1R", reversal_of="R1",
                                                            self_pay="2000.00", total="16000.00")]))
    with time_machine.travel(LATER, tick=False):  # the office closes it some days later
        yield ClaimRecovery.objects.get()


def receivable_of(claim_id) -> Decimal:
    """What the recovery-receivable account (1231) holds for the claim's entries."""
    return Posting.objects.filter(entry__cause_type="claim", entry__cause_id=str(claim_id),
                                  account__code=ledger_rules.RECOVERY_RECEIVABLE).aggregate(
        total=Sum("amount", default=Decimal("0")))["total"]


def test_a_repaid_recovery_moves_the_receivable_into_the_bank_and_closes_once(recovery):
    assert receivable_of(recovery.claim_id) == recovery.amount > 0
    closed = claim_services.close_recovery(actor=SYSTEM_ACTOR, recovery=recovery, outcome="recovered",
                                           closed_on=LATER, note="职工已退回")
    assert (closed.status, closed.closed_on) == (ClaimRecovery.Status.RECOVERED, LATER)
    entry = LedgerEntry.objects.get(pk=closed.close_ledger_entry_id)
    assert entry.kind == "claim_recovery_repaid" and entry.posted_on == LATER
    assert entry.postings.get(account__code=ledger_rules.BANK).amount == recovery.amount
    assert receivable_of(recovery.claim_id) == 0
    with pytest.raises(Conflict):
        claim_services.close_recovery(actor=SYSTEM_ACTOR, recovery=recovery, outcome="written_off",
                                      closed_on=LATER, note="再次办结")


def test_only_the_association_closes_a_recovery(recovery, county_clerk, association_approver):
    with pytest.raises(PermissionDenied):
        claim_services.close_recovery(actor=county_clerk, recovery=recovery, outcome="recovered", closed_on=LATER)
    closed = claim_services.close_recovery(actor=association_approver, recovery=recovery, outcome="recovered",
                                           closed_on=LATER)
    assert closed.closed_by == association_approver


def test_a_write_off_needs_a_reason_and_charges_the_benefit_again(recovery):
    with pytest.raises(ValidationFailed) as refused:
        claim_services.close_recovery(actor=SYSTEM_ACTOR, recovery=recovery, outcome="written_off", closed_on=LATER)
    assert refused.value.field == "note"
    for day, field in ((LATER + timedelta(days=1), "closed_on"), (TODAY - timedelta(days=1), "closed_on")):
        with pytest.raises(ValidationFailed) as refused:
            claim_services.close_recovery(actor=SYSTEM_ACTOR, recovery=recovery, outcome="recovered", closed_on=day)
        assert refused.value.field == field
    recovery.refresh_from_db()
    assert recovery.status == ClaimRecovery.Status.OPEN and receivable_of(recovery.claim_id) == recovery.amount

    closed = claim_services.close_recovery(actor=SYSTEM_ACTOR, recovery=recovery, outcome="written_off",
                                           closed_on=LATER, note="职工已故，无可追回")
    entry = LedgerEntry.objects.get(pk=closed.close_ledger_entry_id)
    assert entry.kind == "claim_recovery_written_off"
    assert entry.postings.get(account__code=ledger_rules.BENEFITS_EXPENSE).amount == recovery.amount
    assert receivable_of(recovery.claim_id) == 0 and closed.close_note == "职工已故，无可追回"


def test_the_association_closes_a_recovery_on_the_page_and_a_clerk_cannot(recovery, client, association_approver,
                                                                          county_clerk):
    url = f"/payouts/recoveries/{recovery.pk}/close/"
    assert client.login(username=county_clerk.username, password=PASSWORD)
    assert client.post(url, {"outcome": "recovered", "closed_on": LATER.isoformat()}).status_code in (403, 404)
    client.logout()

    assert client.login(username=association_approver.username, password=PASSWORD)
    page = client.get("/payouts/failed/").content.decode()
    assert url in page and "核销" in page
    # A write-off without its reason: said on the page, nothing changes.
    refused = client.post(url, {"outcome": "written_off", "closed_on": LATER.isoformat(), "note": " "}, follow=True)
    assert "核销须填写原因" in refused.content.decode()
    recovery.refresh_from_db()
    assert recovery.status == ClaimRecovery.Status.OPEN
    # Full-width digits in the date, as an input method may type them, are a date all the same.
    typed = date.isoformat(LATER).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    done = client.post(url, {"outcome": "recovered", "closed_on": typed, "note": "已到账"}, follow=True)
    assert "已办结" in done.content.decode()
    recovery.refresh_from_db()
    assert recovery.status == ClaimRecovery.Status.RECOVERED and recovery.closed_by == association_approver
    assert url not in client.get("/payouts/failed/").content.decode()
