"""Celery, and the activity log's write path (queue, spool, drain)."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .. import envconfig as env
from .base import DEBUG, VAR_DIR

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.get_url(
    "CELERY_BROKER_URL", "filesystem://", {"filesystem", "redis", "rediss", "amqp", "memory"}
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: its folders must exist before Celery starts, and "in" and "out"
    # must be the same folder (STACK.md).
    # The control folder (broadcast exchanges) defaults to ./control in the working directory.
    _queue = VAR_DIR / "celery" / "queue"
    _processed = VAR_DIR / "celery" / "processed"
    _control = VAR_DIR / "celery" / "control"
    for _folder in (_queue, _processed, _control):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_processed),
        "control_folder": str(_control),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.get_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a crashed worker's task is delivered again, never lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING (JSON, redacted)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Activity log (SPEC §10) ---------------------------------------------------------------
# Probes are not user requests; recording them would bury the log (docs/decisions.md).
ACTIVITY_SKIP_PATHS = ("/healthz", "/readyz", "/metrics", "/static/", "/favicon.ico")
# Request records are pushed onto a Redis list and drained into the table in batches (D15c.1):
# the broker's Redis by default in production (it must not evict, and persists with AOF),
# none in development (written directly). ACTIVITY_QUEUE_URL=off writes directly anywhere.
_queue_default = (
    CELERY_BROKER_URL
    if not DEBUG and CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else ""
)
ACTIVITY_QUEUE_URL = os.environ.get("ACTIVITY_QUEUE_URL", _queue_default)
if ACTIVITY_QUEUE_URL == "off":
    ACTIVITY_QUEUE_URL = ""
if ACTIVITY_QUEUE_URL:
    env.get_url("ACTIVITY_QUEUE_URL", ACTIVITY_QUEUE_URL, {"redis", "rediss", "unix"})
ACTIVITY_QUEUE_KEY = os.environ.get("ACTIVITY_QUEUE_KEY", "rainbow:activity:queue")
# Cheaper still (D16sp.1): each web process appends its records to its own spool file in this
# folder, drained by `manage.py activity_drain --loop` on the same node (and the beat task).
# Production default: var/activity-spool; development: none. ACTIVITY_SPOOL_DIR=off: no spool
# (then the queue above, or the direct write). A spool write that fails goes to those.
ACTIVITY_SPOOL_DIR = os.environ.get(
    "ACTIVITY_SPOOL_DIR", "" if DEBUG else str(VAR_DIR / "activity-spool")
).strip()
if ACTIVITY_SPOOL_DIR == "off":
    ACTIVITY_SPOOL_DIR = ""
if ACTIVITY_SPOOL_DIR:
    if not os.path.isabs(ACTIVITY_SPOOL_DIR):
        raise ImproperlyConfigured("ACTIVITY_SPOOL_DIR must be an absolute path (or off).")
    try:
        Path(ACTIVITY_SPOOL_DIR).mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"ACTIVITY_SPOOL_DIR {ACTIVITY_SPOOL_DIR!r} cannot be created ({exc.strerror})."
        ) from None
    if not os.access(ACTIVITY_SPOOL_DIR, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(
            f"ACTIVITY_SPOOL_DIR {ACTIVITY_SPOOL_DIR!r} is not writable by this user "
            "(or set it to off)."
        )
# The writer hands its file to the drain (renamed .ready) when it is older than this.
ACTIVITY_SPOOL_ROTATE_SECONDS = env.get_int("ACTIVITY_SPOOL_ROTATE_SECONDS", 1)
if ACTIVITY_SPOOL_ROTATE_SECONDS < 1:
    raise ImproperlyConfigured("ACTIVITY_SPOOL_ROTATE_SECONDS must be at least 1.")
ACTIVITY_DRAIN_BATCH = env.get_int("ACTIVITY_DRAIN_BATCH", 2000)
ACTIVITY_DRAIN_MEMORY_DAYS = 3
