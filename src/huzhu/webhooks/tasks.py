"""Background job of webhooks: enqueue new claim events and send what is due; safe to run twice."""
from celery import shared_task

from . import services


@shared_task(name="webhooks.deliver")
def deliver_webhooks(limit: int = 100) -> int:
    """Fan claim status changes out to subscribers and deliver due events (schedule every minute)."""
    services.enqueue_claim_events()
    return services.deliver_due(limit=limit)
