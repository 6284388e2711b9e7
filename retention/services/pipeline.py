"""T+30 anonymization and T+60 deletion, in batches (SPEC §8.3–8.5).

A batch is one transaction: it claims due closures with `SELECT … FOR UPDATE SKIP LOCKED`
(PostgreSQL; SQLite serializes writers anyway), applies the step to all of them with
set-based statements, moves their stage, adds to the run's counters and writes one activity
record per account. A worker killed mid-batch rolls the whole batch back, so the next run
takes the same accounts again: nothing lost, nothing doubled. A claimed row is invisible to
a second worker (SKIP LOCKED), so two workers never process the same account.
"""

import os
import secrets
import time
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Concat, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from accounts.models import User
from activity.services import activity_record_build, activity_records_bulk
from rainbow_portal.exceptions import ApplicationError

from ..models import AccountClosure, DataExport, LegalHold, RetentionRun, Stage
from ..registry import ANONYMOUS_DOMAIN, ANONYMOUS_NAME, anonymous_email
from . import scrub, steps
from .exports import data_exports_expire
from .outbox import files_enqueue, outbox_drain
from .sets import among

ANONYMIZE = "anonymize"
DELETE = "delete"
STEPS = (ANONYMIZE, DELETE)


# --- What is due ---------------------------------------------------------------------------


def _active_holds():
    return LegalHold.objects.filter(released_at__isnull=True)


def held_q() -> Q:
    holds = _active_holds()
    return Q(user_id__in=holds.filter(user__isnull=False).values("user_id")) | Q(
        company_id__in=holds.filter(company__isnull=False).values("company_id")
    )


def due(step: str, now: datetime):
    if step == ANONYMIZE:
        return AccountClosure.objects.filter(stage=Stage.CLOSED, anonymize_due_at__lte=now)
    if step == DELETE:
        return AccountClosure.objects.filter(stage=Stage.ANONYMIZED, delete_due_at__lte=now)
    raise ValueError(f"Unknown retention step {step!r}.")


def due_counts(now: datetime) -> dict[str, int]:
    """What a run at `now` would do: the dry run and the dashboard's preview."""
    held = held_q()
    return {
        "closed": AccountClosure.objects.filter(stage=Stage.CLOSED, anonymize_due_at__gt=now)
        .exclude(held)
        .count(),
        "anonymized": due(ANONYMIZE, now).exclude(held).count(),
        "deleted": due(DELETE, now).exclude(held).count(),
        "held": (due(ANONYMIZE, now) | due(DELETE, now)).filter(held).count(),
    }


DUE_FIELD = {ANONYMIZE: "anonymize_due_at", DELETE: "delete_due_at"}


def _claim(step: str, now: datetime, batch_size: int) -> list[AccountClosure]:
    # In due order, through the (stage, due date) index: a claim reads only due rows. In id
    # order it walked the primary key past every row already processed (quadratic in a run:
    # at 100,000 accounts the last claims read ~100,000 rows each).
    qs = due(step, now).exclude(held_q()).order_by(DUE_FIELD[step])
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    return list(qs[:batch_size])


def _pause() -> None:
    # Throttle between accounts (seconds): spreads the load on a busy database, and lets the
    # crash test kill a worker in the middle of a batch.
    pause = settings.RETENTION_ACCOUNT_PAUSE
    if pause:
        time.sleep(pause)


# --- T+30 ----------------------------------------------------------------------------------


def _anonymous_addresses(user_ids: list[int]) -> tuple[dict[int, str], set[int]]:
    """Each user's address after T+30, and who had to get another one. `closed-<id>@…` is
    refused at sign-up (.invalid, RFC 2606), but a row written before that rule, or around
    the services, may hold it: one such row must not fail the whole batch on the unique
    index every day. Its user gets a random suffix instead (the batch is one transaction,
    so a re-run after a crash draws again: nothing of the first draw survives)."""
    wanted = {pk: anonymous_email(pk) for pk in user_ids}
    holders = dict(
        User.objects.annotate(address=Lower("email"))
        .filter(address__in=list(wanted.values()))
        .values_list("address", "pk")
    )
    # Held by any other row, a batch member included: the UPDATE checks uniqueness row by
    # row, so a swap inside the batch would fail depending on the row order.
    taken = {pk for pk, address in wanted.items() if holders.get(address, pk) != pk}
    for pk in taken:
        wanted[pk] = anonymous_email(pk, suffix=secrets.token_hex(6))
    return wanted, taken


def _exports_delete(*, user_ids: list[int], now: datetime) -> None:
    exports = DataExport.objects.filter(among("user_id", user_ids))
    files_enqueue(
        names=[e.storage_name for e in exports if e.storage_name], reason="data_export", now=now
    )
    exports.delete()


def _anonymize(closures: list[AccountClosure], now: datetime) -> list:
    user_ids = [c.user_id for c in closures]
    users = {
        u.pk: u
        for u in User.objects.filter(among("pk", user_ids)).only(
            "email", "first_name", "last_name", "company_id"
        )
    }
    emails = [u.email for u in users.values()]
    names = [n for n in (u.get_full_name() for u in users.values()) if n]
    addresses, taken = _anonymous_addresses(user_ids)
    records = steps.bubbles_leave_as_member(users=users, now=now)
    organizer_left, organizer_records = steps.bubbles_leave_as_organizer(users=users, now=now)
    records += organizer_records
    files_deleted, file_records = steps.bubbles_files_delete_bulk(
        user_ids=[c.user_id for c in closures if c.standalone], now=now
    )
    records += file_records
    for closure in closures:
        user = users[closure.user_id]
        left = organizer_left.get(user.pk, 0)
        files = files_deleted.get(user.pk, 0)
        records.append(
            activity_record_build(
                event="account.anonymized",
                company=closure.company_id,
                target=user,
                occurred_at=now,
                data={
                    "closure": closure.pk,
                    "standalone": closure.standalone,
                    "files": "deleted" if closure.standalone else "kept",
                    "files_deleted": files,
                    "organizer_memberships_ended": left,
                    "address_was_taken": user.pk in taken,
                    "worker": os.getpid(),
                },
            )
        )
        _pause()
    steps.credentials_delete(user_ids=user_ids)
    steps.network_delete(user_ids=user_ids, emails=emails)
    steps.extensions_release(user_ids=user_ids)
    steps.bubbles_guest_traces_scrub(
        emails=emails, anonymous={u.email: addresses[u.pk] for u in users.values()}
    )
    scrub.outbound_scrub(emails=emails, names=names)
    scrub.admin_log_scrub(user_ids=user_ids, terms=[*emails, *names])
    _exports_delete(user_ids=user_ids, now=now)
    steps.addresses_unverify(user_ids=user_ids)
    stub = {
        "first_name": ANONYMOUS_NAME,
        "last_name": "",
        "title": "",
        "password": make_password(None),
        "is_active": False,
    }
    usual = [pk for pk in user_ids if pk not in taken]
    User.objects.filter(among("pk", usual)).update(
        email=Concat(Value("closed-"), Cast("id", CharField()), Value("@" + ANONYMOUS_DOMAIN)),
        **stub,
    )
    for pk in sorted(taken):  # rare: one statement each
        User.objects.filter(pk=pk).update(email=addresses[pk], **stub)
    AccountClosure.objects.filter(among("pk", [c.pk for c in closures])).update(
        stage=Stage.ANONYMIZED, anonymized_at=now
    )
    return records


# --- T+60 ----------------------------------------------------------------------------------


def _delete(closures: list[AccountClosure], now: datetime) -> list:
    standalone = [c.user_id for c in closures if c.standalone and c.user_id]
    company = [c.user_id for c in closures if not c.standalone and c.user_id]
    users = {u.pk: u for u in User.objects.filter(among("pk", standalone + company))}
    records = []
    for closure in closures:
        records.append(
            activity_record_build(
                event="account.deleted",
                company=closure.company_id,
                target=users.get(closure.user_id),
                occurred_at=now,
                data={
                    "closure": closure.pk,
                    "standalone": closure.standalone,
                    "kept": "nothing" if closure.standalone else "anonymized stub",
                    "worker": os.getpid(),
                },
            )
        )
        _pause()
    everyone = standalone + company
    steps.credentials_delete(user_ids=everyone)
    steps.network_delete(user_ids=everyone, emails=[])
    _exports_delete(user_ids=everyone, now=now)
    steps.company_stub_trim(user_ids=company)
    if standalone:
        steps.bubbles_content_delete(user_ids=standalone)
        steps.license_history_delete(user_ids=standalone)
        scrub.admin_log_entries(user_ids=standalone).delete()
        User.objects.filter(among("pk", standalone)).delete()
    AccountClosure.objects.filter(among("pk", [c.pk for c in closures])).update(
        stage=Stage.DELETED, deleted_at=now
    )
    return records


# --- Batches and runs ----------------------------------------------------------------------

COUNTER = {ANONYMIZE: "anonymized", DELETE: "deleted"}


def step_batch(*, step: str, now: datetime, run_id: int | None = None, batch_size: int = 0) -> int:
    """Process one batch of `step` at `now`. Returns how many accounts it took (0: done)."""
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    with transaction.atomic():
        closures = _claim(step, now, batch_size)
        if not closures:
            return 0
        records = (_anonymize if step == ANONYMIZE else _delete)(closures, now)
        activity_records_bulk(records)
        if run_id is not None:
            RetentionRun.objects.filter(pk=run_id).update(
                **{COUNTER[step]: F(COUNTER[step]) + len(closures)}
            )
    return len(closures)


def step_work(*, step: str, now: datetime, run_id: int | None = None) -> int:
    """Batches until nothing of `step` is due (or claimable): what one worker does."""
    total = 0
    while True:
        done = step_batch(step=step, now=now, run_id=run_id)
        if not done:
            return total
        total += done


def run_start(
    *, now: datetime, trigger: str, strict: bool = True, workers: int = 0
) -> RetentionRun:
    """Open a run at the logical moment `now`. `strict` (the command): a moment before the
    last run is refused, because steps are not undone and dates would go backwards.
    `workers`: how many step tasks the beat fans out to; the last to end completes the run."""
    if timezone.is_naive(now):
        raise ApplicationError(_("The moment must carry a time zone (use UTC, e.g. ...Z)."))
    last = RetentionRun.objects.filter(dry_run=False).order_by("-now").first()
    if strict and last is not None and now < last.now:
        raise ApplicationError(
            _(
                "--now %(isoformat)s is before the last run (%(isoformat2)s): "
                "a run cannot go back in time. Nothing was changed."
            )
            % {"isoformat": now.isoformat(), "isoformat2": last.now.isoformat()},
            code="now_in_past",
        )
    counts = due_counts(now)
    return RetentionRun.objects.create(
        now=now,
        started_at=timezone.now(),
        trigger=trigger,
        closed=counts["closed"],
        held=counts["held"],
        workers=workers,
    )


def run_finish(*, run: RetentionRun, errors: list[str] | None = None) -> RetentionRun:
    """Date the run's end and write its record, once: a task delivered again after a crash
    finds the run finished and writes nothing more (SPEC §8.5)."""
    with transaction.atomic():
        run = RetentionRun.objects.select_for_update().get(pk=run.pk)
        if run.finished_at is not None:
            return run
        run.errors = [*run.errors, *(errors or [])]
        run.finished_at = timezone.now()
        run.save(update_fields=["errors", "finished_at"])
        activity.record(
            event="retention.run.finished",
            data={"run": run.pk, **run.as_counts(), "errors": len(run.errors)},
        )
    return run


def run_complete(*, run: RetentionRun, errors: list[str] | None = None) -> RetentionRun:
    """What every run does once its steps are over, whether the command ran them in this
    process or the beat's workers did: expired exports, the file outbox, the run's record.
    Each part is idempotent, so completing twice changes nothing more."""
    data_exports_expire(now=run.now)
    outbox_drain()
    return run_finish(run=run, errors=errors)


def _run_progress(
    *, run_id: int, errors: list[str], worker: str | None = None, workers: int | None = None
) -> RetentionRun | None:
    """Count one more ended worker (`worker`: a task id, counted once however often it is
    delivered) or lower the number the run waits for (`workers`), under the run's lock; when
    every awaited worker has ended, complete the run. Returns the run when this call completed
    it, else None."""
    with transaction.atomic():
        run = RetentionRun.objects.select_for_update().get(pk=run_id)
        if run.finished_at is not None:
            return None
        if worker is not None and worker not in run.workers_done:
            run.workers_done = [*run.workers_done, worker]
        if workers is not None:
            run.workers = workers
        run.errors = [*run.errors, *errors]
        run.save(update_fields=["workers_done", "workers", "errors"])
        last = len(run.workers_done) >= run.workers
    # Outside the lock: a crash here leaves every worker counted and the run unfinished, and
    # the redelivered task (same id) finds itself counted and completes it.
    return run_complete(run=run) if last else None


def run_worker_done(
    *, run_id: int, worker: str, errors: list[str] | None = None
) -> RetentionRun | None:
    """One of the beat's step tasks (`worker`: its task id) is over; the last of the run's
    workers completes it."""
    return _run_progress(run_id=run_id, worker=worker, errors=errors or [])


def run_dispatch_cut(*, run_id: int, dispatched: int, error: str) -> RetentionRun | None:
    """The beat sent only `dispatched` of the run's step tasks: those are all it waits for
    now. If they have all ended already, this call completes the run."""
    return _run_progress(run_id=run_id, workers=dispatched, errors=[error])


def retention_run(*, now: datetime, dry_run: bool = False, trigger: str = "command") -> dict:
    """Every step due at `now`, in this process (catch-up, time travel in tests). Prints
    nothing; returns {"closed", "anonymized", "deleted", "held"}."""
    if dry_run:
        if timezone.is_naive(now):
            raise ApplicationError(_("The moment must carry a time zone (use UTC, e.g. ...Z)."))
        last = RetentionRun.objects.filter(dry_run=False).order_by("-now").first()
        if last is not None and now < last.now:
            raise ApplicationError(
                _("--now %(isoformat)s is before the last run (%(isoformat2)s).")
                % {"isoformat": now.isoformat(), "isoformat2": last.now.isoformat()},
                code="now_in_past",
            )
        return due_counts(now)
    run = run_start(now=now, trigger=trigger)
    errors = []
    for step in STEPS:
        try:
            step_work(step=step, now=now, run_id=run.pk)
        except Exception as exc:  # recorded on the run, shown on the dashboard, re-raised
            errors.append(step_error(step, exc))
    run = run_complete(run=run, errors=errors)
    if errors:
        raise ApplicationError("The run met errors: " + "; ".join(errors), code="run_errors")
    return run.as_counts()


def step_error(step: str, exc: Exception) -> str:
    return f"{step}: {type(exc).__name__}: {exc}"
