"""Celery tasks of the pipeline (SPEC §8.5). Each takes plain values, reloads its rows and is
idempotent; settings make every task `acks_late` (a worker killed mid-task leaves the message
to be delivered again) and the batches make a re-delivery harmless."""

from datetime import datetime

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .services import outbox_drain, run_start, step_work
from .services.activity_ops import activity_purge
from .services.exports import data_export_build
from .services.pipeline import STEPS, run_dispatch_cut, run_worker_done, step_error

# One beat only: the daily job takes this key for its day, so a second beat started by
# mistake (or a retried tick) dispatches nothing more. Redis in production: one key for all.
BEAT_LOCK = "retention:daily:{day}"


@shared_task(name="retention.daily", acks_late=True)
def retention_daily(now: str | None = None) -> dict:
    moment = datetime.fromisoformat(now) if now else timezone.now()
    if not cache.add(BEAT_LOCK.format(day=moment.date().isoformat()), "1", timeout=26 * 3600):
        return {"skipped": "another beat already ran today's retention"}
    workers = max(1, settings.RETENTION_WORKERS)
    run = run_start(now=moment, trigger="beat", strict=False, workers=len(STEPS) * workers)
    dispatched = 0
    try:
        for step in STEPS:
            for _ in range(workers):
                retention_step.delay(run.pk, step, moment.isoformat())
                dispatched += 1
    except Exception as exc:
        # The broker failed part-way: the day's lock keeps a retry from sending the rest, so
        # the run waits for the tasks that left, not for ones that never will. Tomorrow's run
        # takes up what is still due.
        run_dispatch_cut(run_id=run.pk, dispatched=dispatched, error=f"dispatch: {exc!r}")
        raise
    return {"run": run.pk, "dispatched": dispatched}


@shared_task(name="retention.step", acks_late=True, bind=True)
def retention_step(self, run_id: int | None, step: str, now: str) -> int:
    """Batches of one step until none is due: several of these share the work. The last of
    a run's workers completes the run as `retention_run` does (exports, outbox, record)."""
    try:
        done = step_work(step=step, now=datetime.fromisoformat(now), run_id=run_id)
    except Exception as exc:
        if run_id is not None:  # on the run's dashboard line, as the command's errors
            run_worker_done(run_id=run_id, worker=self.request.id, errors=[step_error(step, exc)])
        raise
    if run_id is not None:
        run_worker_done(run_id=run_id, worker=self.request.id)
    return done


@shared_task(name="retention.outbox_drain", acks_late=True)
def outbox_drain_task() -> int:
    return outbox_drain()


@shared_task(name="retention.activity_purge", acks_late=True)
def activity_purge_task() -> int:
    return activity_purge()


@shared_task(name="retention.data_export_build", acks_late=True)
def data_export_build_task(export_id: int) -> bool:
    return data_export_build(export_id=export_id)
