from celery import shared_task

from .queue_services import activity_drain


@shared_task(name="activity.drain", acks_late=True, ignore_result=True)
def drain() -> int:
    """Queued request records into the table (D15c.1); beat runs it every few seconds."""
    return activity_drain()
