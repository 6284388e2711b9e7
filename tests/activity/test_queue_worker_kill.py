"""Issue 15's rule for the cheap activity write: no record is lost when a web worker dies.
A real gunicorn (2 sync workers) on the test database and the real Redis, under load from
six client threads; one worker is killed with SIGKILL mid-load. After the drain, every
request that got a response has its record (D15c.1)."""

import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from activity import queue_services
from tests.activity.killed_worker import assert_every_answer_recorded, sigkill_a_worker_under_load

pytestmark = pytest.mark.django_db(transaction=True)


def test_sigkill_of_a_worker_under_load_loses_no_answered_request(tmp_path):
    assert settings.REDIS_URL, "this test needs the real Redis of REDIS_URL"
    key = f"test:activity-kill:{uuid.uuid4().hex}"
    run = sigkill_a_worker_under_load(
        dict(
            PORTAL_VAR_DIR=str(tmp_path),
            ACTIVITY_QUEUE_URL=settings.REDIS_URL,
            ACTIVITY_QUEUE_KEY=key,
            ACTIVITY_SPOOL_DIR="off",  # this test is the Redis queue's (the spool's: test_spool_*)
        )
    )
    with override_settings(ACTIVITY_QUEUE_URL=settings.REDIS_URL, ACTIVITY_QUEUE_KEY=key):
        try:
            queue_services.activity_drain()
            assert queue_services.activity_queue_length() == 0
        finally:
            client = queue_services._redis()
            for name in client.scan_iter(f"{key}*"):
                client.delete(name)
    assert_every_answer_recorded(run)
