"""Checkpoints outside the database, and the MAC algorithm (HMAC-SHA256, or HMAC-SM3 under HUZHU_CRYPTO=sm)."""
import json

import pytest
from django.core.management import CommandError, call_command

from huzhu.audit.chain import SHA256, SM3, verify_chain
from huzhu.audit.checkpoints import checkpoint_path, latest_checkpoint, read_checkpoints
from huzhu.audit.models import AuditEvent
from huzhu.audit.services import record_event, seal_events

pytestmark = pytest.mark.django_db


def record(n: int):
    return record_event(actor=None, action="test.step", object_type="thing", object_id=n)


def test_verify_appends_a_signed_checkpoint_of_the_head_it_verified():
    events = [record(n) for n in range(3)]
    call_command("audit", "verify")
    checkpoints, bad = read_checkpoints()
    assert bad is None and len(checkpoints) == 1
    assert (checkpoints[0].seq, checkpoints[0].event_id) == (3, events[-1].pk)
    assert checkpoints[0].hash == AuditEvent.objects.get(pk=events[-1].pk).hash
    call_command("audit", "verify")
    assert len(checkpoint_path().read_text().splitlines()) == 1  # the head has not moved
    record(4)
    call_command("audit", "verify")
    lines = checkpoint_path().read_text().splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["seq"] == 3 and json.loads(lines[1])["seq"] == 4


def test_an_edited_checkpoint_line_is_refused_naming_the_line():
    [record(n) for n in range(2)]
    call_command("audit", "verify")
    line = json.loads(checkpoint_path().read_text())
    line["seq"] = 1  # pretend the head was earlier, to cover a deleted tail
    checkpoint_path().write_text(json.dumps(line) + "\n")
    with pytest.raises(CommandError, match="检查点文件第 1 行签名不符"):
        call_command("audit", "verify")


def test_checkpoints_written_under_another_audit_key_do_not_verify(settings):
    record(1)
    call_command("audit", "verify")
    settings.AUDIT_KEY = "another-audit-key-of-at-least-32-chars"
    report = verify_chain()
    assert not report.ok and "签名不符" in report.problem
    assert latest_checkpoint() is None


def test_under_huzhu_crypto_sm_events_and_checkpoints_use_hmac_sm3_and_verify(settings):
    settings.HUZHU_CRYPTO = "sm"
    event = record(1)
    call_command("audit", "verify")
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.algorithm == SM3 and stored.seq == 1 and len(stored.hash) == 64
    assert latest_checkpoint().algorithm == SM3


def test_a_chain_of_both_algorithms_verifies_row_by_row_and_an_sm3_row_edit_is_caught(settings):
    first = record(1)
    settings.HUZHU_CRYPTO = "sm"
    second = record(2)
    settings.HUZHU_CRYPTO = ""
    third = record(3)
    seal_events()
    algorithms = list(AuditEvent.objects.order_by("seq").values_list("algorithm", flat=True))
    assert algorithms == [SHA256, SM3, SHA256]
    assert verify_chain().ok
    AuditEvent.objects.filter(pk=second.pk).update(object_id="22")
    report = verify_chain()
    assert not report.ok and report.broken_event_id == second.pk
    assert first.pk < second.pk < third.pk


def test_an_unsealed_event_edited_before_sealing_is_never_sealed_and_is_named():
    sealed = record(1)
    seal_events()
    edited = record(2)
    AuditEvent.objects.filter(pk=edited.pk).update(after={"benefit_amount": "99999.00"})
    later = record(3)
    report = verify_chain()
    assert not report.ok and report.broken_event_id == edited.pk and "未封存" in report.problem
    assert AuditEvent.objects.get(pk=edited.pk).seq is None
    assert AuditEvent.objects.get(pk=later.pk).seq == 2 and sealed.pk < later.pk
