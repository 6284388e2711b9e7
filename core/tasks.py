from celery import shared_task

from .delivery import email_deliver, email_due_claim


@shared_task
def send_email(email_id: int) -> bool:
    """One attempt. A failed attempt is recorded on the row with its next time; the sweep
    below hands it out again then (the row, not the broker, holds the retry)."""
    return email_deliver(email_id=email_id)


@shared_task(name="core.email_sweep")
def email_sweep() -> int:
    """Every minute (beat): the queued emails that are due — a retry whose time came, or a
    new email whose send never reached a worker (broker down at commit)."""
    due = email_due_claim()
    for email_id in due:
        send_email.delay(email_id)
    return len(due)
