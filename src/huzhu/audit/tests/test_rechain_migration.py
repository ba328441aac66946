"""Migration 0003 re-chains the events of the old SHA-256 chain with HMAC, and refuses a broken old chain."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from huzhu.audit.chain import verify_chain
from huzhu.audit.legacy import sha256_event_hash

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE, AFTER = [("audit", "0002_hash_chain")], [("audit", "0003_keyed_sealed_chain")]


def _legacy_chain(count: int):
    """Migrate back to the SHA-256 chain and record `count` events the way the old code did."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    AuditEvent, AuditChainHead = apps.get_model("audit", "AuditEvent"), apps.get_model("audit", "AuditChainHead")
    previous, last = "", None
    for n in range(count):
        event = AuditEvent(at=timezone.now(), actor_label="system", action="legacy.step", object_type="thing",
                           object_id=str(n), after={"n": n}, prev_hash=previous)
        event.hash = sha256_event_hash(event)
        event.save()
        previous, last = event.hash, event
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_event_id": last.pk, "last_hash": previous})
    return AuditEvent


def _migrate_forward():
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)


def test_old_events_are_rechained_with_hmac_in_id_order_and_verify():
    _legacy_chain(4)
    _migrate_forward()
    from huzhu.audit.models import AuditEvent

    rows = list(AuditEvent.objects.order_by("pk").values_list("seq", "algorithm"))
    assert rows == [(1, "hmac-sha256"), (2, "hmac-sha256"), (3, "hmac-sha256"), (4, "hmac-sha256")]
    report = verify_chain()
    assert report.ok and report.events == 4


def test_a_broken_old_chain_stops_the_migration_naming_the_event(monkeypatch):
    LegacyEvent = _legacy_chain(3)
    edited = LegacyEvent.objects.order_by("pk")[1]
    LegacyEvent.objects.filter(pk=edited.pk).update(actor_label="someone-else")
    with pytest.raises(RuntimeError, match=f"事件 #{edited.pk} 不符合旧的 SHA-256 链"):
        _migrate_forward()
    # After the inquiry, the operator may re-chain anyway; the database is left migrated.
    monkeypatch.setenv("HUZHU_AUDIT_RECHAIN_BROKEN", "accept")
    _migrate_forward()
    assert verify_chain().ok
