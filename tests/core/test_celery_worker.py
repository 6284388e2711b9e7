"""A real Celery worker on the configured broker (Redis in CI, the filesystem locally)."""

import pytest
from celery.contrib.testing.worker import start_worker

from core.models import OutboundEmail
from core.services import email_send
from rainbow_portal.celery import app

CONTEXT = {
    "subject": "Via the worker",
    "heading": "Hi",
    "text": "Sent by a real worker.",
    "link": "",
}


@pytest.fixture
def real_worker():
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app
    app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_email_goes_through_broker_and_worker(real_worker, smtp_server):
    import time

    email = email_send(to="worker@example.test", template="notice", context=CONTEXT)
    # The worker saves the row after the SMTP server accepted the message: wait for both.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if smtp_server.messages and email.status != OutboundEmail.Status.QUEUED:
            break
        time.sleep(0.1)
    assert len(smtp_server.messages) == 1
    assert "Sent by a real worker." in smtp_server.text()
    assert email.status == OutboundEmail.Status.SENT
