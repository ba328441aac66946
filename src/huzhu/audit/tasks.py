"""Background jobs of the audit app."""
from celery import shared_task

from .checkpoints import write_checkpoint_if_moved
from .services import seal_events


@shared_task(name="huzhu.audit.seal_events", acks_late=True)
def seal_audit_events() -> dict:
    """Seal committed events a sealing-on-commit missed, then checkpoint the head if it moved (every minute)."""
    sealed = seal_events()
    checkpoint = write_checkpoint_if_moved()
    return {"sealed": sealed, "checkpoint_seq": checkpoint.seq if checkpoint else None}
