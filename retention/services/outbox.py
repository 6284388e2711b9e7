"""The file-deletion outbox (SPEC §8.4): a row commits with the state change that makes a
file obsolete; the blob is deleted after the commit and the row marked done; a failure is
counted and retried by the next drain (beat, hourly) until the file is gone."""

from datetime import datetime

from celery import current_app
from django.core.files.storage import InvalidStorageError, storages
from django.db import connection, transaction
from django.utils import timezone

import activity
from vault.storage import STORAGE_ERRORS, blob_delete

from ..models import FileDeletion

MAX_ERROR = 500
DRAIN_TASK = "retention.outbox_drain"


def files_enqueue(
    *, names: list[str], reason: str, now: datetime | None = None, storage_alias: str = "default"
) -> int:
    """Call inside the transaction that makes the files obsolete; drains after its commit."""
    now = now or timezone.now()
    rows = [
        FileDeletion(storage_name=n, storage_alias=storage_alias, reason=reason, created_at=now)
        for n in names
        if n
    ]
    if not rows:
        return 0
    FileDeletion.objects.bulk_create(rows)
    # By name from the registry: the tasks module imports these services, not the reverse.
    transaction.on_commit(lambda: current_app.tasks[DRAIN_TASK].delay())
    return len(rows)


def outbox_drain(*, batch_size: int = 200) -> int:
    """Delete pending blobs. Each row is claimed (SKIP LOCKED), the blob deleted, the row
    marked done in the same transaction: a crash before the commit leaves the row pending,
    and deleting an already deleted blob is harmless, so a retry is always safe."""
    done = 0
    while True:
        with transaction.atomic():
            qs = FileDeletion.objects.filter(done_at__isnull=True).order_by("id")
            if connection.features.has_select_for_update_skip_locked:
                qs = qs.select_for_update(skip_locked=True)
            rows = list(qs[:batch_size])
            if not rows:
                return done
            progressed = False
            for row in rows:
                try:
                    # Not storage.delete(): S3Storage takes a missing bucket for a done job.
                    blob_delete(storage=storages[row.storage_alias], name=row.storage_name)
                except (*STORAGE_ERRORS, InvalidStorageError) as exc:  # a store that refuses
                    row.attempts += 1
                    row.last_error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR]
                    row.save(update_fields=["attempts", "last_error"])
                    continue
                row.attempts += 1
                row.done_at = timezone.now()
                row.save(update_fields=["attempts", "done_at"])
                activity.record(
                    event="retention.file.deleted", data={"reason": row.reason, "outbox": row.pk}
                )
                done += 1
                progressed = True
        if not progressed:  # only failures left: the next drain retries them
            return done
