"""The spool's rules under real processes (D16sp.1): a gunicorn worker killed with SIGKILL
under load loses no answered request's record (its spool file is drained once it is dead), and
two drains running at once never insert a file twice."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import override_settings

from activity import codec
from activity import spool_services as spool
from activity.models import ActivityDrainBatch, ActivityRecord
from activity.services import _record_row
from tests.activity.killed_worker import (
    assert_every_answer_recorded,
    database_url,
    sigkill_a_worker_under_load,
)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def test_sigkill_of_a_spooling_worker_under_load_loses_no_answered_request(tmp_path):
    folder = tmp_path / "spool"
    run = sigkill_a_worker_under_load(
        dict(
            PORTAL_VAR_DIR=str(tmp_path), ACTIVITY_SPOOL_DIR=str(folder), ACTIVITY_QUEUE_URL="off"
        ),
        gunicorn_args=("--threads", "3"),  # gthread: the writer's lock is exercised too
    )
    # The killed worker left its last file open (no rotation, no clean exit).
    assert any(p.name.split(".")[-3] == str(run.victim) for p in folder.iterdir())
    with override_settings(ACTIVITY_SPOOL_DIR=str(folder), ACTIVITY_QUEUE_URL=""):
        spool.spool_drain()
    assert list(folder.iterdir()) == []  # every file claimed, inserted and removed
    assert_every_answer_recorded(run)


FILES, PER_FILE = 40, 25


def spool_files(folder: Path) -> None:
    """FILES dead writers' files (rotated or left open), PER_FILE records each."""
    folder.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    files, per_file = FILES, PER_FILE
    for n in range(files):
        lines = [
            codec._encode(
                _record_row(
                    event="request",
                    kind=ActivityRecord.Kind.REQUEST,
                    ip="198.51.100.3",
                    method="GET",
                    route=f"bench:{n}",
                    status_code=404,
                    duration_ms=1,
                )
            )
            + b"\n"
            for _ in range(per_file)
        ]
        state = "ready" if n % 2 else "open"  # rotated files, and a dead writer's
        (folder / f"{spool.HOST}.{dead.pid}.{n}.{state}").write_bytes(b"".join(lines))


def assert_each_file_once(folder: Path) -> None:
    assert list(folder.iterdir()) == []
    assert ActivityRecord.objects.filter(kind="request").count() == FILES * PER_FILE
    assert ActivityDrainBatch.objects.count() == FILES
    for n in range(FILES):
        assert ActivityRecord.objects.filter(route=f"bench:{n}").count() == PER_FILE


def test_three_drain_processes_at_once_never_insert_a_file_twice(tmp_path):
    folder = tmp_path / "spool"
    spool_files(folder)
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        PORTAL_VAR_DIR=str(tmp_path),
        ACTIVITY_SPOOL_DIR=str(folder),
        ACTIVITY_QUEUE_URL="off",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    drains = [
        subprocess.Popen(
            [sys.executable, "manage.py", "activity_drain"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [d.communicate(timeout=180)[0] for d in drains]
    assert [d.returncode for d in drains] == [0, 0, 0], outputs
    assert sum(json.loads(out)["inserted"] for out in outputs) == FILES * PER_FILE, outputs
    assert_each_file_once(folder)


def test_drain_threads_of_one_process_never_insert_a_file_twice(tmp_path):
    """Threads share a pid, so each may re-take the others' claimed files: the batch row's
    unique id alone must keep every file single."""
    folder = tmp_path / "spool"
    spool_files(folder)
    counts, errors = [], []
    start = threading.Barrier(4)

    def drain():
        try:
            start.wait()
            counts.append(spool.spool_drain())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    with override_settings(ACTIVITY_SPOOL_DIR=str(folder), ACTIVITY_QUEUE_URL=""):
        threads = [threading.Thread(target=drain) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    assert errors == [] and sum(counts) == FILES * PER_FILE, (errors, counts)
    assert_each_file_once(folder)


def test_the_looping_drain_stops_on_sigterm_after_a_last_drain(tmp_path):
    folder = tmp_path / "spool"
    spool_files(folder)
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        PORTAL_VAR_DIR=str(tmp_path),
        ACTIVITY_SPOOL_DIR=str(folder),
        ACTIVITY_QUEUE_URL="off",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    drain = subprocess.Popen(
        [sys.executable, "manage.py", "activity_drain", "--loop", "--every", "30"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while list(folder.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert_each_file_once(folder)  # the first drain
        late = folder / f"{spool.HOST}.{os.getpid()}.1.ready"
        late.write_bytes(codec._encode(_record_row(event="request", kind="request")) + b"\n")
        drain.send_signal(signal.SIGTERM)  # long before its next round (every 30 s)
        out = drain.communicate(timeout=60)[0]
    finally:
        drain.kill()
        drain.wait()
    assert drain.returncode == 0
    assert json.loads(out)["inserted"] == FILES * PER_FILE + 1
    assert not late.exists()
