"""Prometheus metrics: request rate, latency and errors per route, Celery failures and queue depth.

Several gunicorn workers serve one node, so the counters use prometheus_client's multiprocess
mode when PROMETHEUS_MULTIPROC_DIR is set (deploy/gunicorn.conf.py sets and empties it; each
worker writes its own files there and /metrics adds them up). Without it (development, tests)
the default in-process registry is used.

Labels are the route pattern ("bubbles/<int:pk>/"), never the path itself: bounded in number,
and no token, address or name from a URL ends up in the metrics (nor in the access log line
written here, which carries no client address and no query string either).

Celery's failed tasks are counted in Redis (a hash per task name), because workers run on other
machines than the web nodes that are scraped; the queue depth is read from the broker when
/metrics is scraped.
"""

import contextlib
import logging
import os
import time

from django.conf import settings
from kombu.exceptions import ChannelError
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

access_log = logging.getLogger("rainbow_portal.access")

REQUESTS = Counter(
    "portal_http_requests_total",
    "HTTP requests answered, by method, route and status class.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time from the request entering Django to the response leaving it.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
EXCEPTIONS = Counter(
    "portal_http_exceptions_total",
    "Requests that ended in an unhandled exception (answered 500), by route.",
    ["route"],
)

FAILED_TASKS_KEY = "portal:metrics:celery_failed_tasks"
UNMATCHED = "<unmatched>"


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.route or match.view_name or UNMATCHED


class MetricsMiddleware:
    """Counts and times every request; placed right after TrustedProxyMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.access_log = getattr(settings, "ACCESS_LOG", False)

    def __call__(self, request):
        start = time.perf_counter()
        try:
            response = self.get_response(request)
        except Exception:
            EXCEPTIONS.labels(_route(request)).inc()
            raise
        elapsed = time.perf_counter() - start
        route = _route(request)
        status = response.status_code
        REQUESTS.labels(request.method, route, f"{status // 100}xx").inc()
        LATENCY.labels(request.method, route).observe(elapsed)
        if self.access_log:
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
        return response

    def process_exception(self, request, exception):
        # Django turns a view's exception into the 500 page before it reaches __call__.
        EXCEPTIONS.labels(_route(request)).inc()


def _redis():
    import redis

    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def record_task_failure(sender=None, **kwargs) -> None:
    """Celery's task_failure signal: one more failure for this task name (in Redis)."""
    if not settings.REDIS_URL:
        return
    name = getattr(sender, "name", None) or "unknown"
    try:
        _redis().hincrby(FAILED_TASKS_KEY, name, 1)
    except Exception:  # metrics never break a task's own failure handling
        logging.getLogger(__name__).warning("could not count a failed task in Redis")


def _queue_depth(conn, queue: str) -> int:
    """Messages waiting; a queue nobody has declared yet holds none (a passive declare of it
    is refused, and on AMQP that closes the channel: one channel per queue)."""
    channel = conn.channel()
    try:
        _, count, _ = channel.queue_declare(queue=queue, passive=True)
        return count
    except ChannelError:
        return 0
    finally:
        with contextlib.suppress(Exception):  # a channel the broker already closed
            channel.close()


class CeleryCollector:
    """Read at scrape time: queue depth from the broker, failures from Redis."""

    def __init__(self, celery_app, queues):
        self.app = celery_app
        self.queues = queues

    def collect(self):
        depth = GaugeMetricFamily(
            "portal_celery_queue_depth", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        up = GaugeMetricFamily("portal_celery_broker_up", "1 if the broker answered the scrape.")
        try:
            with self.app.connection_for_read() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
                for queue in self.queues:
                    depth.add_metric([queue], _queue_depth(conn, queue))
            up.add_metric([], 1)
        except Exception:
            up.add_metric([], 0)
        yield depth
        yield up
        failed = CounterMetricFamily(
            "portal_celery_tasks_failed", "Celery tasks that raised, by task name.", labels=["task"]
        )
        if settings.REDIS_URL:
            try:
                for name, count in _redis().hgetall(FAILED_TASKS_KEY).items():
                    failed.add_metric([name.decode()], int(count))
            except Exception:  # Redis down: the counter has no samples this scrape
                logging.getLogger(__name__).warning("could not read failed-task counts")
        yield failed


def exposition(celery_app, queues) -> tuple[bytes, str]:
    """The text a scrape gets: this node's request metrics plus the Celery figures."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        for collector in (REQUESTS, LATENCY, EXCEPTIONS):
            registry.register(collector)
    registry.register(CeleryCollector(celery_app, queues))
    return generate_latest(registry), CONTENT_TYPE_LATEST
