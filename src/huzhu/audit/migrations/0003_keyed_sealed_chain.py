"""Keyed, sealed audit chain (issue 17): add the MAC, seal sequence and algorithm; re-chain old events.

The events recorded before this migration were chained with plain SHA-256. They are checked
against that chain first — a broken chain is not laundered into a keyed one: the migration stops
and names the event (set HUZHU_AUDIT_RECHAIN_BROKEN=accept to re-chain anyway, after the
inquiry) — and then re-chained, in id order, with HMAC under HUZHU_AUDIT_KEY. Run it with the
production HUZHU_AUDIT_KEY set: a later change of key makes every row fail `huzhu audit verify`.
"""
import os

from django.db import migrations, models

from huzhu.audit.legacy import sha256_event_hash


def _legacy_problem(events, head) -> str:
    previous, last = "", None
    for event in events:
        if head is None or head.last_event_id is None or event.pk > head.last_event_id:
            return f"事件 #{event.pk} 位于旧链头之后"
        if event.prev_hash != previous or sha256_event_hash(event) != event.hash:
            return f"事件 #{event.pk} 不符合旧的 SHA-256 链"
        previous, last = event.hash, event
    if last is not None and (last.pk != head.last_event_id or last.hash != head.last_hash):
        return "旧链头与最后一条事件不符"
    return ""


def rechain_with_hmac(apps, schema_editor):
    from huzhu.audit.chain import current_algorithm, event_mac, link_hash

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    head = AuditChainHead.objects.filter(pk=1).first()
    problem = _legacy_problem(AuditEvent.objects.order_by("pk").iterator(chunk_size=2000), head)
    if problem and os.environ.get("HUZHU_AUDIT_RECHAIN_BROKEN") != "accept":
        raise RuntimeError(f"审计链在迁移前已断裂：{problem}。先查明原因；确需重新成链时设置 "
                           "HUZHU_AUDIT_RECHAIN_BROKEN=accept 再迁移。")
    algorithm = current_algorithm()
    seq, previous, last_id, batch = 0, "", None, []
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        seq += 1
        event.algorithm = algorithm
        event.mac = event_mac(event)
        event.seq, event.prev_hash = seq, previous
        event.hash = link_hash(algorithm=algorithm, seq=seq, prev_hash=previous, mac=event.mac)
        previous, last_id = event.hash, event.pk
        batch.append(event)
        if len(batch) >= 1000:
            AuditEvent.objects.bulk_update(batch, ["algorithm", "mac", "seq", "prev_hash", "hash"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["algorithm", "mac", "seq", "prev_hash", "hash"])
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"last_seq": seq, "last_event_id": last_id, "last_hash": previous})


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_hash_chain'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditchainhead',
            name='last_seq',
            field=models.BigIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='algorithm',
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='mac',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='seq',
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.RunPython(rechain_with_hmac, migrations.RunPython.noop),
    ]
