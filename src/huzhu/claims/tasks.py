"""Background jobs of claims; each calls a service and is safe to run twice."""
from celery import shared_task

from .services import deliver_notifications


@shared_task(name="claims.send_notifications")
def send_notifications(limit: int = 500) -> int:
    """Deliver pending claim status notifications."""
    return deliver_notifications(limit=limit)
