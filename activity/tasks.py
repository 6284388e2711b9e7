from celery import shared_task

from .queue_services import activity_drain_all


@shared_task(name="activity.drain", acks_late=True, ignore_result=True)
def drain() -> int:
    """Spooled (D16sp.1) and queued (D15c.1) request records into the table; beat runs it
    every few seconds (on a single machine this drains the web workers' spool too)."""
    return activity_drain_all()
