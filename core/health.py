"""What the readiness probe and `make run` ask: can this node reach what it needs?

Each check answers True/False quickly (a two-second bound), never raises, and names nothing but
itself: the probe's answer says which dependency fails, not why (no host, no error text).
"""

import socket
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from rainbow_portal.celery import app


def broker_ok(timeout: float = 2.0) -> bool:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
        return True
    except Exception:
        return False


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def cache_ok() -> bool:
    """A write and a read-back: the cache holds rate limits and lockouts (SPEC §7.3)."""
    key, value = "readyz:probe", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        return cache.get(key) == value
    except Exception:
        return False


def clamd_ok(timeout: float = 2.0) -> bool:
    """clamd's PING over its unix socket (uploads fail closed without it, SPEC §9.2)."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(settings.CLAMD_SOCKET)
            sock.sendall(b"zPING\0")
            return sock.recv(16).rstrip(b"\0\n") == b"PONG"
    except OSError:
        return False


CHECKS = {"database": database_ok, "cache": cache_ok, "broker": broker_ok, "clamd": clamd_ok}


def readiness() -> dict[str, bool]:
    return {name: check() for name, check in CHECKS.items()}
