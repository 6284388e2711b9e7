from celery import shared_task

from .delivery import email_deliver


class RetryableSend(Exception):
    pass


@shared_task(
    bind=True,
    autoretry_for=(OSError, RetryableSend),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=5,
)
def send_email(self, email_id: int) -> bool:
    try:
        return email_deliver(email_id=email_id)
    except OSError:
        raise
    except Exception as exc:  # SMTP protocol errors: retried like network errors
        raise RetryableSend(str(exc)) from exc
