from celery import shared_task

from .export_services import conversation_email_send


@shared_task
def conversation_email(export_id: str) -> bool:
    """Idempotent: a second delivery of the same id sends nothing more."""
    return conversation_email_send(export_id=export_id)
