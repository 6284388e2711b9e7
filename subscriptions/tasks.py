from celery import shared_task
from django.utils import timezone

from .dates import parse_month, previous_month
from .services import invoices_issue_for_month


@shared_task(name="subscriptions.invoices_monthly")
def invoices_monthly(month: str | None = None) -> dict:
    """Beat runs this on the 1st: it bills the month that just ended. Idempotent, so a retry
    or a second beat tick issues nothing more."""
    day = parse_month(month) if month else previous_month(timezone.now().date())
    return invoices_issue_for_month(month=day, actor=None)
