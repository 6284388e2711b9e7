"""Faults the portal survives (issue 15), on real services of our own: a redis-server this
test starts and stops (never the shared one), a real Celery worker, a real SMTP server.

- Redis (the cache) stopped: password sign-in fails closed with a clear message (the
  counters that stop password guessing cannot be kept), the API keeps answering.
- Redis (the broker) stopped when a change commits: the change stands, the email stays
  queued, and it goes out once Redis is back (the sweep hands it to a worker).
- SMTP down: retried with backoff, sent once the server is back, never dropped."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.models import OutboundEmail
from core.services import email_send
from core.tasks import email_sweep
from rainbow_portal.celery import app as celery_app
from tests.factories import PASSWORD, UserFactory
from tests.pgtools import redis_server

REDIS_PORT = int(os.environ.get("FAULT_REDIS_PORT", "6391"))
CONTEXT = {"subject": "Queued", "heading": "Hi", "text": "It waited for Redis.", "link": ""}


@pytest.fixture
def own_redis():
    with redis_server(REDIS_PORT) as server:
        yield server


@pytest.fixture
def redis_cache(own_redis, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"{own_redis.url}/1",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return own_redis


@pytest.fixture
def redis_broker(own_redis, monkeypatch):
    """The Celery app on our own Redis, sending for real (not eagerly)."""
    # Celery reads CELERY_BROKER_URL from the environment before its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", f"{own_redis.url}/0")
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport_options, conf.task_always_eager
    # Pools of our own for our broker; the app's pools (and kombu's shared ones for the
    # usual broker) are put back untouched afterwards, never closed.
    pools = celery_app._pool, celery_app.amqp._producer_pool
    conf.broker_url = f"{own_redis.url}/0"
    conf.broker_transport_options = {"socket_connect_timeout": 1}
    conf.task_always_eager = False
    celery_app._pool = celery_app.amqp._producer_pool = None
    yield own_redis
    celery_app.pool.force_close_all()
    conf.broker_url, conf.broker_transport_options, conf.task_always_eager = saved
    celery_app._pool, celery_app.amqp._producer_pool = pools


def _login(client, user):
    return client.post(
        reverse("accounts:login") + "?with=password",
        {"username": user.email, "password": PASSWORD, "step": "password"},
    )


@pytest.mark.django_db(transaction=True)
def test_redis_cache_down_sign_in_fails_closed_with_a_message_the_api_answers(redis_cache, client):
    user = UserFactory()
    assert _login(client, user).status_code == 302  # Redis up: signed in
    assert client.get("/api/v1/me/").status_code == 200
    client.logout()

    redis_cache.stop()
    response = _login(client, user)
    assert response.status_code == 200
    assert "paused for a few minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session  # not signed in unprotected
    # Someone already signed in keeps working: the API's fair-use counts are skipped.
    client.force_login(user)
    assert client.get("/api/v1/me/").status_code == 200
    client.logout()

    redis_cache.start()
    assert _login(client, user).status_code == 302


def _wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_commit_the_email_waits_and_goes_out_when_redis_returns(
    redis_broker, smtp_server
):
    redis_broker.stop()
    with transaction.atomic():  # commits: the send scheduled at commit cannot reach Redis
        email = email_send(to="later@example.test", template="notice", context=CONTEXT)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED and email.attempts == 0

    redis_broker.start()
    # The grace for the lost send has passed (here: moved back, not waited for).
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert email_sweep() == 1  # what beat runs every minute
        assert _wait_for(lambda: smtp_server.messages)
        assert _wait_for(
            lambda: OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENT
        )
    assert len(smtp_server.messages) == 1
    assert "It waited for Redis." in smtp_server.text()
    assert email_sweep() == 0  # sent: never handed out again


@pytest.mark.django_db(transaction=True)
def test_smtp_down_the_email_is_retried_with_backoff_and_sent_when_it_returns(
    settings, django_capture_on_commit_callbacks, smtp_server
):
    port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 9  # the server is down: connection refused
    with django_capture_on_commit_callbacks(execute=True):
        email = email_send(to="patient@example.test", template="notice", context=CONTEXT)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED and email.attempts == 1
    assert email.next_attempt_at > timezone.now()  # backoff: not before its time
    assert email_sweep() == 0

    for _ in range(3):  # still down at the next attempts
        OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        assert email_sweep() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED and email.attempts == 4

    settings.EMAIL_PORT = port  # back
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert email_sweep() == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 5
    assert len(smtp_server.messages) == 1
