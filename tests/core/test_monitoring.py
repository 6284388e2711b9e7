"""Readiness (/readyz), Prometheus metrics (/metrics) and the structured, redacted logs."""

import json
import logging

import pytest
from django.urls import path, reverse

from core import health
from core.monitoring import metrics_view
from rainbow_portal import metrics
from rainbow_portal.logjson import JsonFormatter, RedactPersonalData, redact

pytestmark = pytest.mark.django_db


def test_readyz_reports_every_dependency_on_the_real_services(client, clamd_socket, settings):
    settings.CLAMD_SOCKET = clamd_socket
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "clamd": "ok",
    }


def test_readyz_names_a_missing_clamd(client, settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "no-such.sock")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["clamd"]
    assert response.json()["clamd"] == "error"


def test_readyz_names_an_unreachable_broker_and_cache(client, clamd_socket, settings, monkeypatch):
    from celery import Celery
    from django.core.cache.backends.redis import RedisCache

    settings.CLAMD_SOCKET = clamd_socket
    # A closed port on loopback: both connections are refused at once.
    dead = "redis://127.0.0.1:1/0"
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # Celery prefers it to broker=
    # Not the current app: shared tasks run later in the session must keep the real one.
    monkeypatch.setattr(health, "app", Celery(broker=dead, set_as_current=False))
    monkeypatch.setattr(health, "cache", RedisCache(dead, {}))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["cache", "broker"]
    assert response.json()["database"] == "ok"


def test_readyz_names_a_failing_database(client, monkeypatch, clamd_socket, settings):
    settings.CLAMD_SOCKET = clamd_socket

    def broken_cursor(*args, **kwargs):
        raise OSError("database down")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]


def test_metrics_are_denied_by_default(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_metrics_with_the_token_or_from_an_allowed_network(client, settings):
    settings.METRICS_TOKEN = "t" * 40
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "u" * 40).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer " + "t" * 40).status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


def _sample(text: str, name: str, **labels) -> float:
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_latency_errors_and_celery(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    login = reverse("accounts:login")

    def scrape():
        response = client.get("/metrics")
        assert response.status_code == 200
        return response.content.decode()

    before = scrape()
    client.get(login)
    client.get(login)
    client.get("/nowhere/at/all/")
    after = scrape()
    route = "accounts/login/"
    total = "portal_http_requests_total"
    # The method is part of the match: an earlier test's POST to the same route (another
    # sample line) must not be read instead of these GETs.
    assert _sample(after, total, method="GET", route=route, status="2xx") - _sample(
        before, total, method="GET", route=route, status="2xx"
    ) == pytest.approx(2)
    assert _sample(after, total, route="<unmatched>", status="4xx") > _sample(
        before, total, route="<unmatched>", status="4xx"
    )
    count = "portal_http_request_duration_seconds_count"
    assert (
        _sample(after, count, method="GET", route=route)
        - _sample(before, count, method="GET", route=route)
        == 2
    )
    # No path value ever becomes a label (tokens, names).
    assert "nowhere" not in after
    assert "portal_celery_broker_up 1.0" in after


def test_metrics_report_the_queue_depth_from_the_broker(client, settings):
    from kombu import Queue

    from rainbow_portal.celery import app

    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.METRICS_CELERY_QUEUES = ["deploy-metrics-test"]
    queue = Queue("deploy-metrics-test")
    with app.connection_for_write() as conn:
        bound = queue(conn.default_channel)
        bound.declare()
        bound.purge()
        with conn.Producer() as producer:
            for n in range(3):
                producer.publish({"n": n}, routing_key=queue.name, declare=[queue])
        try:
            text = client.get("/metrics").content.decode()
        finally:
            bound.purge()
    assert _sample(text, "portal_celery_queue_depth", queue="deploy-metrics-test") == 3


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("metrics", metrics_view), path("boom/", _boom)]


def test_an_unhandled_exception_is_counted(client, settings):
    settings.ROOT_URLCONF = __name__
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    client.raise_request_exception = False
    before = metrics.EXCEPTIONS.labels("boom/")._value.get()
    assert client.get("/boom/").status_code == 500
    assert metrics.EXCEPTIONS.labels("boom/")._value.get() == before + 1
    text = client.get("/metrics").content.decode()
    assert _sample(text, "portal_http_requests_total", route="boom/", status="5xx") >= 1


def test_failed_celery_tasks_are_counted_in_redis(settings):
    if not settings.REDIS_URL:
        pytest.fail("REDIS_URL must be set for this test (CI and the helpers set it)")
    redis = metrics._redis()
    redis.hdel(metrics.FAILED_TASKS_KEY, "tests.always_fails")

    class Task:
        name = "tests.always_fails"

    metrics.record_task_failure(sender=Task())
    metrics.record_task_failure(sender=Task())
    assert int(redis.hget(metrics.FAILED_TASKS_KEY, "tests.always_fails")) == 2
    families = list(metrics.CeleryCollector(object(), []).collect())
    failed = next(f for f in families if f.name == "portal_celery_tasks_failed")
    assert ("tests.always_fails", 2) in [(s.labels["task"], s.value) for s in failed.samples]
    redis.hdel(metrics.FAILED_TASKS_KEY, "tests.always_fails")


def test_redaction_removes_addresses_emails_and_query_strings():
    text = redact(
        "Not Found: /accounts/reset/?code=123456 from 203.0.113.9 for zoe@example.test "
        "via 2001:db8::1"
    )
    assert text == "Not Found: /accounts/reset/?[query] from [ip] for [email] via [ip]"


def test_json_log_lines_carry_no_personal_data():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Forbidden: %s by %s", None, None
    )
    record.args = ("/bubbles/?guest=abc", "ann@example.test")
    record.request = object()
    record.route = "bubbles/"
    assert RedactPersonalData().filter(record)
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["message"] == "Forbidden: /bubbles/?[query] by [email]"
    assert entry["level"] == "WARNING" and entry["logger"] == "django.request"
    assert entry["route"] == "bubbles/"
    assert "request" not in entry and "abc" not in line


def test_the_access_log_line_names_the_route_not_the_path(client, settings, caplog):
    settings.ACCESS_LOG = True  # read when the client's handler is built, at its first request
    with caplog.at_level("INFO", "rainbow_portal.access"):
        client.get("/accounts/login/?next=/secret-token/")
    lines = [r for r in caplog.records if r.name == "rainbow_portal.access"]
    assert lines and lines[-1].route == "accounts/login/" and lines[-1].status == 200
    assert "secret-token" not in JsonFormatter().format(lines[-1])
