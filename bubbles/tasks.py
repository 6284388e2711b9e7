from celery import shared_task

from .services.messages import conversation_email_send


@shared_task
def conversation_email(export_id: str) -> bool:
    return conversation_email_send(export_id=export_id)
