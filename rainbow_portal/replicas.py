"""Read replicas (issue 15, docs/replicas.md): the directory search, profile and list
selectors read from a streaming replica when `DATABASE_REPLICA_URL` is set.

Rules, in the order they are checked (each keeps a reader from seeing older data than it
wrote):
- Only a request the middleware allows reads from the replica: a GET, HEAD or OPTIONS (the
  methods that change nothing: a POST, PUT, PATCH or DELETE reads the primary throughout)
  without the "sticky" cookie a write request leaves for REPLICA_STICKY_SECONDS. Celery
  tasks, commands and anything outside a request read the primary.
- Only inside a selector marked `@replica_read`; every other query reads the primary.
- Not inside a transaction on the primary.
- Not while the circuit breaker is open: a replica that failed its check is skipped by every
  request of this process for REPLICA_RETRY_SECONDS, so a stopped replica costs one failed
  connection (short connect timeout) per process per interval, not one per request.

Writes always go to the primary (the router), and migrations run only there.
"""

import contextlib
import functools
import logging
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import QuerySet
from django.db.utils import DatabaseError

logger = logging.getLogger(__name__)

REPLICA = "replica"
STICKY_COOKIE = "rp_primary"
_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)
_reading: ContextVar[str | None] = ContextVar("replica_reading", default=None)


class _Breaker:
    """Per process: when the replica last failed, and how many checks were made (tests)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.open_until = 0.0
        self.probes = 0
        self.failures = 0

    def reset(self):
        with self.lock:
            self.open_until, self.probes, self.failures = 0.0, 0, 0


breaker = _Breaker()


def configured() -> bool:
    alias = getattr(settings, "DATABASE_REPLICA_ALIAS", None)
    return alias == REPLICA and REPLICA in connections.settings


def _replica_healthy() -> bool:
    now = time.monotonic()
    if now < breaker.open_until:
        return False
    conn = connections[REPLICA]
    try:
        with breaker.lock:
            breaker.probes += 1
        # A reused connection is checked once per request (CONN_HEALTH_CHECKS), a new one is
        # opened with the replica's short connect_timeout.
        conn.close_if_health_check_failed()
        if conn.connection is None:
            with conn.wrap_database_errors:
                conn.connect()
        return True
    except DatabaseError as exc:
        with breaker.lock:
            breaker.failures += 1
            breaker.open_until = now + settings.REPLICA_RETRY_SECONDS
        logger.warning(
            "Read replica unavailable, reading from the primary for %ss: %s",
            settings.REPLICA_RETRY_SECONDS,
            exc,
        )
        with contextlib.suppress(DatabaseError):
            conn.close()
        return False


def _choose() -> str:
    """The alias for a `@replica_read` call starting now: the replica when every rule
    allows it and it answers."""
    if not (_allowed.get() and configured()):
        return DEFAULT_DB_ALIAS
    if transaction.get_connection(DEFAULT_DB_ALIAS).in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA if _replica_healthy() else DEFAULT_DB_ALIAS


def read_alias() -> str:
    """The alias reads use now: the one chosen by the `@replica_read` call running, else
    the primary."""
    return _reading.get() or DEFAULT_DB_ALIAS


def read_connection():
    """The connection for raw SQL in a `@replica_read` selector (the directory search)."""
    return connections[read_alias()]


def replica_read(func):
    """Mark a selector whose reads may be served by the replica. Queries it runs follow the
    router; a QuerySet it returns is bound to the alias chosen when it was called."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        alias = _reading.get() or _choose()
        token = _reading.set(alias)
        try:
            result = func(*args, **kwargs)
        finally:
            _reading.reset(token)
        if isinstance(result, QuerySet) and result._db is None:
            result = result.using(alias)
        return result

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: same rows, same ids

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaRoutingMiddleware:
    """Opens the replica to safe requests not pinned by a recent write, and pins the client
    to the primary after a write request (its next pages show what it just changed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        safe = request.method in ("GET", "HEAD", "OPTIONS")
        allowed = _allowed.set(safe and STICKY_COOKIE not in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            _allowed.reset(allowed)
        if not safe and configured():
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
