"""PostgreSQL (or the embedded SQLite), the read replica and the shared cache."""

import os

from django.core.exceptions import ImproperlyConfigured

from .. import envconfig as env
from .base import DEBUG, VAR_DIR

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.get_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves a web server, a worker and beat at once: writers wait for
    # each other (IMMEDIATE transactions, a busy timeout) instead of failing with "database is
    # locked", and WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.get_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60)
# A persistent connection is checked before a new request reuses it: after a PostgreSQL
# restart the first request reconnects instead of failing (issue 15, faults).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Django's backend with a health check at most once a second per connection, not one
# round trip per request (rainbow_portal/postgresql/base.py).
_PG_ENGINE = "rainbow_portal.postgresql"
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["ENGINE"] = _PG_ENGINE
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.get_int("DATABASE_CONNECT_TIMEOUT", 5)
    )
# Read replica (docs/replicas.md): the directory search, profile and list selectors read
# from it; writes, transactions and a client's reads just after a write stay on the primary.
DATABASE_REPLICA_ALIAS = None
if os.environ.get("DATABASE_REPLICA_URL"):
    _replica = env.get_database("DATABASE_REPLICA_URL", "")
    if not _replica["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL.")
    _replica.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.get_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2)
    )
    _replica.update(
        ENGINE=_PG_ENGINE,
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        # Tests never build a database on the replica: it streams the primary's.
        TEST={"MIRROR": "default"},
    )
    DATABASES["replica"] = _replica
    DATABASE_REPLICA_ALIAS = "replica"
DATABASE_ROUTERS = ["rainbow_portal.replicas.ReplicaRouter"]
# A failed replica is skipped for this long (seconds); a client that wrote reads the
# primary for this long (its next pages show its change even if the replica lags).
REPLICA_RETRY_SECONDS = env.get_int("REPLICA_RETRY_SECONDS", 30)
REPLICA_STICKY_SECONDS = env.get_int("REPLICA_STICKY_SECONDS", 10)
DATABASES["default"].setdefault("TEST", {})
if os.environ.get("DATABASE_TEST_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = os.environ["DATABASE_TEST_NAME"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    env.get_url("REDIS_URL", REDIS_URL, {"redis", "rediss", "unix"})
    # Short timeouts: a Redis that hangs fails a request in seconds, not forever (the sign-in
    # counters then fail closed, accounts/security/ratelimit.py).
    _redis_timeout = env.get_int("REDIS_TIMEOUT", 2)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": _redis_timeout,
                "socket_timeout": _redis_timeout,
            },
        }
    }
elif not DEBUG:
    # Rate limits and the unknown-address lockout live in the cache: a per-process cache
    # would give every worker its own counts (SPEC §7.3, §7.9).
    raise ImproperlyConfigured(
        "REDIS_URL must be set when DEBUG=0: rate limits and sign-in lockouts need a cache "
        "shared by every worker process."
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
