"""/me/, the worker's one entry point: coverages as they stand today, certificates, claims with what
they miss, the messages sent about them, and the bank card (masked) with a change that needs a
fresh texted code."""
import time
from datetime import date

import pytest
import time_machine

from huzhu.audit.models import AuditEvent
from huzhu.conftest import sign_in_as_worker, texted_codes
from huzhu.members.models import Worker
from huzhu.security import worker_session

from .. import services
from .conftest import cover

NEW_CARD = "6222020200112233445"


@pytest.fixture
def returned_claim(file_stay, no_straight_through, league_reviewer):
    claim = file_stay()
    return services.return_for_supplement(actor=league_reviewer, claim=claim, missing_items=["invoice", "id_card"],
                                          comment="发票不清晰")


@pytest.fixture
def carded_worker(worker, county_clerk):
    from huzhu.members import services as member_services

    return member_services.change_bank_account(actor=county_clerk, worker=worker, bank_name="工商银行",
                                               bank_account="6222020200998877665", reason="登记")


def test_me_shows_real_coverage_standings_certificates_claims_with_missing_items_and_notifications(
        client, carded_worker, returned_claim):
    worker = carded_worker
    cover(worker, year=2027, starts_on=date(2027, 1, 1))
    worker.coverages.filter(plan_year__year=2026).update(certificate_no="HZ2026-150203-0000001")
    with time_machine.travel(date(2027, 3, 1), tick=False):
        sign_in_as_worker(client, worker)
        page = client.get("/me/").content.decode()
    assert 'data-standing="expired">已到期' in page  # 2026 ended: no longer "有效"
    assert 'data-standing="active">有效' in page
    assert "电子保障凭证" in page and "/certificate/" in page
    assert f"#{returned_claim.pk}" in page and "请补充：医疗收费票据" in page
    assert "需要补正" in page  # the SMS text of the return, as a notification
    assert "6222***********7665" in page and "6222020200998877665" not in page
    assert 'href="/me/bank-card/"' in page


def test_the_bank_card_changes_only_with_the_code_texted_for_the_change_and_is_audited(client, carded_worker):
    worker = carded_worker
    sign_in_as_worker(client, worker)
    card = {"bank_name": "建设银行", "bank_account": NEW_CARD}
    with texted_codes() as codes:
        asked = client.post("/me/bank-card/", card)
    assert asked.status_code == 200 and 'name="code"' in asked.content.decode() and len(codes) == 1
    wrong = client.post("/me/bank-card/", {**card, "code": "000000" if codes[0] != "000000" else "111111"})
    assert "验证码错误" in wrong.content.decode()
    assert Worker.objects.get(pk=worker.pk).bank_name == "工商银行"

    done = client.post("/me/bank-card/", {**card, "code": codes[0]})
    assert done.status_code == 302 and done.url == "/me/"
    changed = Worker.objects.get(pk=worker.pk)
    assert changed.bank_name == "建设银行" and changed.bank_account_masked == "6222***********3445"
    event = AuditEvent.objects.filter(action="change_bank_account", object_id=str(worker.pk)).latest("at")
    assert event.actor_label == f"worker:{worker.pk}" and event.after["bank_account"] == "6222***********3445"
    assert NEW_CARD not in str(event.after)


def test_a_sign_in_code_does_not_confirm_a_bank_card_change(client, carded_worker):
    worker = carded_worker
    identity = {"id_number": worker.reveal_id_number(), "phone": worker.reveal_phone()}
    with texted_codes() as codes:
        client.post("/me/sign-in/", identity)  # a sign-in code, open and unused
    assert codes, "no sign-in code was texted"
    # A browser already signed in as her (the second code request of the minute would be refused).
    session = client.session
    session[worker_session.SESSION_KEY] = {"w": worker.pk, "at": time.time()}
    session.save()
    refused = client.post("/me/bank-card/", {"bank_name": "建设银行", "bank_account": NEW_CARD, "code": codes[-1]})
    assert refused.status_code == 200 and "验证码错误" in refused.content.decode()
    assert Worker.objects.get(pk=worker.pk).bank_name == "工商银行"


def test_the_bank_card_page_needs_a_signed_in_worker(client, carded_worker):
    response = client.post("/me/bank-card/", {"bank_name": "建设银行", "bank_account": NEW_CARD})
    assert response.status_code == 302 and response.url.startswith("/me/sign-in/")
