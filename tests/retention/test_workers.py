"""Real Celery workers on the configured broker (Redis in CI) and PostgreSQL: a worker killed
with SIGKILL in the middle of a batch loses nothing and doubles nothing, and two workers at
once never process the same account (SPEC §8.5)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from activity.models import ActivityRecord
from companies.models import Role
from retention.models import AccountClosure, Stage
from retention.services import account_close
from retention.tasks import retention_step
from tests.factories import CompanyFactory, UserFactory

from .conftest import days

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="worker processes share the test database: PostgreSQL only (CI runs on it)",
    ),
]


def _database_url():
    s = connection.settings_dict
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or 5432
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{host}:{port}/{s['NAME']}"


def start_worker(queue, *, pause, batch):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "RETENTION_ACCOUNT_PAUSE_MS": str(int(pause * 1000)),
        "RETENTION_BATCH_SIZE": str(batch),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "rainbow_portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "-n",
            f"{queue}-{uuid.uuid4().hex[:6]}@%h",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(proc, sig=signal.SIGTERM):
    if proc.poll() is None:
        os.kill(proc.pid, sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def wait_for(predicate, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def closed_accounts():
    company = CompanyFactory()
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])

    def make(n):
        closures = [account_close(user=UserFactory(company=company), actor=admin) for _ in range(n)]
        return max(c.anonymize_due_at for c in closures)

    return make


def anonymized():
    return AccountClosure.objects.filter(stage=Stage.ANONYMIZED).count()


def records():
    return list(ActivityRecord.objects.filter(event="account.anonymized"))


@pytest.fixture
def celery_live():
    from rainbow_portal.celery import app

    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


def test_worker_killed_mid_batch_then_run_again_processes_each_account_once(
    closed_accounts, celery_live
):
    due = closed_accounts(40)
    queue = f"retention-test-{uuid.uuid4().hex[:8]}"
    worker = start_worker(queue, pause=0.1, batch=10)  # a batch takes about one second
    try:
        retention_step.apply_async(args=[None, "anonymize", due.isoformat()], queue=queue)
        assert wait_for(lambda: anonymized() >= 10), "the first batch never committed"
        time.sleep(0.4)  # inside the second batch
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        stop(worker, signal.SIGKILL)
    partial = anonymized()
    assert 10 <= partial < 40
    assert partial % 10 == 0, "a batch committed in part"
    assert len(records()) == partial, "state and activity records disagree"

    again = start_worker(queue, pause=0, batch=10)
    try:
        retention_step.apply_async(args=[None, "anonymize", due.isoformat()], queue=queue)
        assert wait_for(lambda: anonymized() == 40)
    finally:
        stop(again)
    per_closure = Counter(r.data["closure"] for r in records())
    assert len(per_closure) == 40 and set(per_closure.values()) == {1}
    assert set(per_closure) == set(AccountClosure.objects.values_list("pk", flat=True))


def test_two_workers_at_once_share_the_work_and_never_take_the_same_account(
    closed_accounts, celery_live
):
    due = closed_accounts(60)
    queue = f"retention-test-{uuid.uuid4().hex[:8]}"
    workers = [start_worker(queue, pause=0.02, batch=5) for _ in range(2)]
    try:
        time.sleep(3)  # both workers up before the tasks arrive
        for _ in range(2):
            retention_step.apply_async(args=[None, "anonymize", due.isoformat()], queue=queue)
        assert wait_for(lambda: anonymized() == 60)
    finally:
        for w in workers:
            stop(w)
    found = records()
    per_closure = Counter(r.data["closure"] for r in found)
    assert len(per_closure) == 60 and set(per_closure.values()) == {1}
    assert len({r.data["worker"] for r in found}) == 2, "both workers should have taken batches"


def test_the_daily_beat_job_dispatches_once_per_day(closed_accounts, settings):
    """A second beat started by mistake runs the same daily task: the lock makes it a no-op."""
    from retention.models import RetentionRun
    from retention.tasks import retention_daily

    due = closed_accounts(3)
    first = retention_daily.apply(args=[(due + days(1)).isoformat()]).get()
    second = retention_daily.apply(args=[(due + days(1)).isoformat()]).get()
    assert "run" in first and "skipped" in second
    assert RetentionRun.objects.count() == 1
    assert anonymized() == 3
    assert len(records()) == 3
