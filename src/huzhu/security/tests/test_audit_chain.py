"""The audit log is a keyed chain: `huzhu audit verify` passes, and names the first tampered event."""
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from huzhu.audit.chain import event_mac, link_hash, verify_chain
from huzhu.audit.models import AuditChainHead, AuditEvent
from huzhu.audit.services import record_event, seal_events


@pytest.fixture
def three_events(db):
    events = [record_event(actor=None, action="test.step", object_type="thing", object_id=n,
                           after={"n": n, "名称": "测试", "amount": "12.50"}) for n in range(3)]
    seal_events()
    return events


def test_each_event_links_to_the_previous_ones_hash_once_sealed(three_events):
    first, second, third = (AuditEvent.objects.get(pk=e.pk) for e in three_events)
    assert (first.seq, second.seq, third.seq) == (1, 2, 3)
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert third.mac == event_mac(third)
    assert third.hash == link_hash(algorithm=third.algorithm, seq=3, prev_hash=second.hash, mac=third.mac)
    assert AuditChainHead.objects.get(pk=1).last_event_id == third.pk


def test_verify_passes_on_an_untouched_chain(three_events, capsys):
    call_command("audit", "verify")
    assert "审计链完整" in capsys.readouterr().out


def test_editing_a_row_with_raw_sql_is_caught_and_named(three_events):
    tampered = three_events[1]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET actor_label = %s WHERE id = %s",
                       ["someone-else", tampered.pk])
    with pytest.raises(CommandError, match=f"事件 #{tampered.pk}：内容与签名不符"):
        call_command("audit", "verify")


def test_deleting_a_row_in_the_middle_is_caught_at_the_next_event(three_events):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [three_events[1].pk])
    report = verify_chain()
    assert not report.ok and report.broken_event_id == three_events[2].pk


def test_deleting_the_last_row_is_caught_by_the_chain_head(three_events):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEvent._meta.db_table} WHERE id = %s", [three_events[2].pk])
    report = verify_chain()
    assert not report.ok and "链头" in report.problem


def test_an_event_recorded_but_not_yet_sealed_is_sealed_by_verify(three_events):
    pending = record_event(actor=None, action="test.late", object_type="thing", object_id=9)
    assert AuditEvent.objects.get(pk=pending.pk).seq is None
    report = verify_chain()
    assert report.ok and report.events == 4
    assert AuditEvent.objects.get(pk=pending.pk).seq == 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    """Eight threads append at once: each seals on commit under the head lock, so there is one chain."""
    import threading

    from django.db import connections

    errors = []

    def append(worker: int):
        try:
            for n in range(10):
                record_event(actor=None, action="test.concurrent", object_type="thread", object_id=f"{worker}-{n}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.filter(seq__isnull=True).count() == 0  # sealed on commit, not by verify
    report = verify_chain()
    assert report.ok and report.events == 80
    prev_hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prev_hashes)) == 80  # no two events claim the same predecessor
