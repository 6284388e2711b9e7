"""The request log's cheap write (issue 15, D15c.1): one Redis RPUSH per request, drained
into the table in batches.

A request's record is built exactly as before (pseudonymized actor, IP sealed with AES-GCM,
scrubbed data: `services._record_row`), serialized, and pushed onto a Redis list *before* the
response leaves the worker. A worker killed at any point after the push loses nothing (the
record is in Redis); killed before, the client got no response. When Redis cannot take it,
the record is inserted into the table directly, as before: a request is never left
unrecorded because the queue is down.

The drain (Celery beat every few seconds, or `manage.py activity_drain`) moves a batch
atomically from the queue to a batch list of its own (a Lua script: no window where a record
is in neither), inserts the batch and a row naming it in one transaction, then deletes the
batch list. A drain killed anywhere is finished by the next one: a leftover batch whose row
committed is only deleted; one whose row did not is inserted. No record is lost or doubled.

Action records (`activity.record` inside a service's transaction) never go through here:
they must commit, or roll back, with the state change they describe.
"""

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .codec import _decode, _encode
from .models import ActivityDrainBatch, ActivityRecord
from .services import _record_row, activity_batch_insert
from .spool_services import spool_drain, spool_pending, spool_write

logger = logging.getLogger(__name__)

# Moves up to ARGV[1] entries from the queue (KEYS[1]) to a batch list (KEYS[2]) and names
# the batch in the set of open batches (KEYS[3]), in one atomic step.
CLAIM = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return 0 end
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('SADD', KEYS[3], ARGV[2])
return #items
"""

_clients: dict[str, object] = {}


def _redis():
    url = settings.ACTIVITY_QUEUE_URL
    client = _clients.get(url)
    if client is None:
        import redis

        # redis-py's pool notices a fork (gunicorn's workers) and reconnects in the child.
        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2
        )
    return client


def _keys() -> tuple[str, str]:
    base = settings.ACTIVITY_QUEUE_KEY
    return base, f"{base}:batches"


def activity_request_record(**fields) -> None:
    """One request's record (the arguments of `services._record_row`): appended to this
    process's spool file when ACTIVITY_SPOOL_DIR is set (D16sp.1), else (or when the spool
    cannot take it) queued when the queue is configured and answers, inserted at once
    otherwise: never lost, never a failed request."""
    row = _record_row(**fields)
    if settings.ACTIVITY_SPOOL_DIR:
        try:
            spool_write(_encode(row) + b"\n")
            return
        except Exception:  # disk full, permissions: the queue or the table takes it
            logger.warning("The activity spool is unavailable; the record goes another way.")
    if settings.ACTIVITY_QUEUE_URL:
        try:
            _redis().rpush(_keys()[0], _encode(row))
            return
        except Exception:  # Redis down or slow: the table takes it, as before the queue
            logger.warning("The activity queue is unavailable; the record is written directly.")
    ActivityRecord(**row).save(force_insert=True)


def _insert_batch(batch_id: str, items: list[bytes]) -> int:
    """Insert one claimed batch unless an earlier drain already committed it."""
    return activity_batch_insert(batch_id, [_decode(raw) for raw in items], rows=len(items))


def _finish(client, batch_id: str) -> None:
    queue, batches = _keys()
    client.delete(f"{queue}:batch:{batch_id}")
    client.srem(batches, batch_id)


def activity_drain(*, max_batches: int | None = None) -> int:
    """Move queued request records into the table; returns how many were inserted. Safe to
    run in several processes at once and to kill at any point (see the module docstring)."""
    if not settings.ACTIVITY_QUEUE_URL:
        return 0
    client = _redis()
    queue, batches = _keys()
    inserted = 0
    # Batches left by a drain that died first (claimed, maybe inserted, not deleted).
    for raw_id in client.smembers(batches):
        batch_id = raw_id.decode()
        key = f"{queue}:batch:{batch_id}"
        if not client.set(f"{key}:lock", "1", nx=True, ex=300):
            continue  # another drain is on it right now
        inserted += _insert_batch(batch_id, client.lrange(key, 0, -1))
        _finish(client, batch_id)
        client.delete(f"{key}:lock")
    claim = client.register_script(CLAIM)
    done = 0
    while max_batches is None or done < max_batches:
        batch_id = uuid.uuid4().hex
        key = f"{queue}:batch:{batch_id}"
        client.set(f"{key}:lock", "1", ex=300)
        count = claim(keys=[queue, key, batches], args=[settings.ACTIVITY_DRAIN_BATCH, batch_id])
        if not count:
            client.delete(f"{key}:lock")
            break
        inserted += _insert_batch(batch_id, client.lrange(key, 0, -1))
        _finish(client, batch_id)
        client.delete(f"{key}:lock")
        done += 1
    _forget_old_batches()
    return inserted


def _forget_old_batches() -> None:
    """Batch rows (queue batches and spool files) are remembered a few days: long enough for
    any drain killed between its commit and its clean-up to have been followed by another."""
    ActivityDrainBatch.objects.filter(
        drained_at__lt=timezone.now() - timedelta(days=settings.ACTIVITY_DRAIN_MEMORY_DAYS)
    ).delete()


def activity_drain_all() -> int:
    """Both ways a request record waits: this node's spool files, then the Redis queue (what
    `manage.py activity_drain` and the beat task run)."""
    inserted = spool_drain() + activity_drain()
    if not settings.ACTIVITY_QUEUE_URL:
        _forget_old_batches()  # activity_drain did it otherwise
    return inserted


def activity_pending() -> dict:
    return {"queued": activity_queue_length(), "spool_files": spool_pending()}


def activity_queue_length() -> int:
    """Records waiting in the queue (claimed batches not counted): for metrics and tests."""
    if not settings.ACTIVITY_QUEUE_URL:
        return 0
    return int(_redis().llen(_keys()[0]))
