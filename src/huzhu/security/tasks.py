"""Background jobs of the security app."""
from celery import shared_task

from huzhu.audit.chain import verify_chain
from huzhu.audit.checkpoints import write_checkpoint_if_moved
from huzhu.audit.services import record_event


@shared_task(name="huzhu.security.verify_audit_chain", acks_late=True)
def verify_audit_chain(requested_by: str = "schedule") -> dict:
    """Walk the audit chain and record the outcome as an audit event (nightly, or on demand)."""
    report = verify_chain()
    if report.ok:
        write_checkpoint_if_moved()  # the verified head anchors the next run
    outcome = {"ok": report.ok, "events": report.events, "broken_event_id": report.broken_event_id,
               "problem": report.problem, "requested_by": requested_by}
    record_event(actor=None, action="audit.chain_verified", object_type="audit_chain", object_id="1",
                 after=outcome)
    return outcome


@shared_task(name="huzhu.security.purge_access_log", acks_late=True)
def purge_access_log() -> int:
    """Delete personal-data access records past HUZHU_AUDIT_RETENTION_DAYS (daily)."""
    from .services import purge_expired_access_records

    return purge_expired_access_records(actor=None)
