"""Request records through the per-worker spool file and its drain (D16sp.1), on the real
PostgreSQL test database: nothing lost, nothing doubled, whichever process dies when."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from activity import codec, queue_services, services
from activity import spool_services as spool
from activity.models import ActivityDrainBatch, ActivityRecord
from rainbow_portal.crypto import decrypt_ip, pseudonymize
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

COMPARED = [f for f in codec.FIELDS if f not in ("occurred_at", "duration_ms")]
COMPARED = [f for f in COMPARED if f not in ("ip_encrypted", "ip_binding")]  # fresh nonces


@pytest.fixture
def spool_dir(tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    with override_settings(ACTIVITY_SPOOL_DIR=str(folder), ACTIVITY_QUEUE_URL=""):
        yield folder
        spool._writer.close()


def files(folder: Path, state: str = "") -> list[Path]:
    return sorted(p for p in folder.iterdir() if state in p.name)


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def spool_file(folder: Path, lines: list[bytes], *, pid: int, state: str = "open") -> Path:
    path = folder / f"{spool.HOST}.{pid}.{time.time_ns()}.{state}"
    path.write_bytes(b"".join(lines))
    return path


def record_lines(client, count: int, folder: Path) -> list[bytes]:
    """`count` requests' spooled lines, taken out of the spool (the files removed)."""
    for _ in range(count):
        client.get("/no/such/page/")
    spool._writer.close()
    lines = []
    for path in files(folder):
        lines += path.read_bytes().splitlines(keepends=True)
        path.unlink()
    assert len(lines) == count
    return lines


def test_a_request_is_spooled_then_drained_as_the_direct_write_stores_it(client, spool_dir):
    user = UserFactory()
    client.force_login(user)
    ActivityRecord.objects.all().delete()
    client.get("/no/such/page/", REMOTE_ADDR="198.51.100.7")
    assert not ActivityRecord.objects.filter(kind="request").exists()
    (path,) = files(spool_dir)
    assert path.name.startswith(f"{spool.HOST}.{os.getpid()}.") and path.name.endswith(".open")
    assert path.stat().st_mode & 0o777 == 0o600
    raw = path.read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1
    assert b"198.51.100.7" not in raw and user.email.encode() not in raw  # sealed at the source
    spooled = codec._decode(raw.rstrip(b"\n"))
    spool._writer.close()  # rotated: .ready
    assert [p.name.rsplit(".", 1)[1] for p in files(spool_dir)] == ["ready"]
    assert spool.spool_drain() == 1
    assert files(spool_dir) == []
    rec = ActivityRecord.objects.get(kind="request")
    for name in codec.FIELDS:  # the row is exactly the line
        assert getattr(rec, name) == getattr(spooled, name), name
    assert decrypt_ip(rec.ip_encrypted, binding=rec.ip_binding) == "198.51.100.7"
    assert rec.actor_pseudonym == pseudonymize("user", user.pk)
    # The same request written directly (no spool, no queue) stores the same row.
    with override_settings(ACTIVITY_SPOOL_DIR=""):
        client.get("/no/such/page/", REMOTE_ADDR="198.51.100.7")
    direct = ActivityRecord.objects.filter(kind="request").exclude(pk=rec.pk).get()
    assert [getattr(direct, f) for f in COMPARED] == [getattr(rec, f) for f in COMPARED]
    assert decrypt_ip(direct.ip_encrypted, binding=direct.ip_binding) == "198.51.100.7"


def test_the_writer_rotates_its_file_by_age_and_by_size(client, spool_dir, monkeypatch):
    with override_settings(ACTIVITY_SPOOL_ROTATE_SECONDS=0.2):
        client.get("/no/such/page/")
        client.get("/no/such/page/")
        assert len(files(spool_dir, ".open")) == 1 and not files(spool_dir, ".ready")
        time.sleep(0.3)
        client.get("/no/such/page/")
    (ready,) = files(spool_dir, ".ready")
    (opened,) = files(spool_dir, ".open")
    assert ready.read_bytes().count(b"\n") == 2 and opened.read_bytes().count(b"\n") == 1
    monkeypatch.setattr(spool, "ROTATE_BYTES", 1)  # every record fills a file
    client.get("/no/such/page/")
    client.get("/no/such/page/")
    assert len(files(spool_dir, ".ready")) == 3
    spool._writer.close()
    assert spool.spool_drain() == 5
    assert ActivityRecord.objects.filter(kind="request").count() == 5


def test_a_dead_writers_open_file_is_drained_and_a_live_writers_busy_one_is_not(client, spool_dir):
    lines = record_lines(client, 3, spool_dir)
    spool_file(spool_dir, lines[:2], pid=dead_pid())
    client.get("/no/such/page/")  # this (live) process's file, just written: left alone
    assert spool.spool_drain() == 2
    assert len(files(spool_dir, ".open")) == 1
    assert ActivityRecord.objects.filter(kind="request").count() == 2


def test_a_live_writers_idle_file_is_taken_and_its_next_write_goes_to_a_new_file(client, spool_dir):
    client.get("/no/such/page/")
    (first,) = files(spool_dir, ".open")
    old = time.time() - spool.IDLE_SECONDS - 1
    os.utime(first, (old, old))
    assert spool.spool_drain() == 1  # taken from under the (idle, alive) writer
    client.get("/no/such/page/")
    (second,) = files(spool_dir, ".open")
    assert second != first and second.read_bytes().count(b"\n") == 1
    os.utime(second, (old, old))
    assert spool.spool_drain() == 1
    assert ActivityRecord.objects.filter(kind="request").count() == 2


def test_a_drain_killed_after_its_commit_does_not_double_the_file(client, spool_dir, monkeypatch):
    spool_file(spool_dir, record_lines(client, 4, spool_dir), pid=dead_pid(), state="ready")

    def killed(path):
        raise KeyboardInterrupt("the drain dies between its commit and the unlink")

    monkeypatch.setattr(spool, "_unlink", killed)
    with pytest.raises(KeyboardInterrupt):
        spool.spool_drain()
    monkeypatch.undo()
    assert ActivityRecord.objects.filter(kind="request").count() == 4  # committed
    (left,) = files(spool_dir)
    # That drain process is gone: its claimed file now names a dead drainer.
    base = left.name.rsplit(".draining.", 1)[0]
    left.rename(spool_dir / f"{base}.draining.{dead_pid()}")
    assert spool.spool_drain() == 0
    assert files(spool_dir) == []
    assert ActivityRecord.objects.filter(kind="request").count() == 4
    assert ActivityDrainBatch.objects.filter(batch_id=spool.batch_id_of(base), rows=4).exists()


def test_a_drain_killed_before_its_commit_leaves_the_file_to_the_next(
    client, spool_dir, monkeypatch
):
    spool_file(spool_dir, record_lines(client, 4, spool_dir), pid=dead_pid(), state="ready")

    def killed(records):
        raise KeyboardInterrupt("the drain dies inside its transaction")

    monkeypatch.setattr(services, "activity_records_bulk", killed)
    with pytest.raises(KeyboardInterrupt):
        spool.spool_drain()
    monkeypatch.undo()
    assert not ActivityRecord.objects.filter(kind="request").exists()
    assert not ActivityDrainBatch.objects.exists()  # rolled back with the records
    (left,) = files(spool_dir)
    assert left.name.endswith(f".draining.{os.getpid()}")
    left.rename(spool_dir / left.name.replace(f".{os.getpid()}", f".{dead_pid()}"))
    assert spool.spool_drain() == 4  # a dead drain's claimed file is finished by the next
    assert files(spool_dir) == []
    assert ActivityRecord.objects.filter(kind="request").count() == 4


def test_a_live_drainers_claimed_file_is_left_to_it(client, spool_dir):
    lines = record_lines(client, 2, spool_dir)
    busy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        path = spool_file(spool_dir, lines, pid=dead_pid(), state=f"draining.{busy.pid}")
        assert spool.spool_drain() == 0 and path.exists()
    finally:
        busy.kill()
        busy.wait()
    assert spool.spool_drain() == 2


def test_a_truncated_last_line_is_skipped_and_the_rest_inserted(client, spool_dir, caplog):
    lines = record_lines(client, 3, spool_dir)
    spool_file(spool_dir, [*lines[:2], lines[2][:-20]], pid=dead_pid())
    assert spool.spool_drain() == 2
    assert ActivityRecord.objects.filter(kind="request").count() == 2
    assert "incomplete record" in caplog.text
    assert files(spool_dir) == []


def test_an_unwritable_spool_falls_back_to_the_queue_then_to_the_table(client, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    key = f"test:activity-spool:{uuid.uuid4().hex}"
    assert settings.REDIS_URL, "this test needs the real Redis of REDIS_URL"
    with override_settings(
        ACTIVITY_SPOOL_DIR=str(blocker / "spool"),
        ACTIVITY_QUEUE_URL=settings.REDIS_URL,
        ACTIVITY_QUEUE_KEY=key,
    ):
        try:
            assert client.get("/no/such/page/").status_code == 404
            assert queue_services.activity_queue_length() == 1  # the queue took it
            assert queue_services.activity_drain() == 1
        finally:
            redis = queue_services._redis()
            for name in redis.scan_iter(f"{key}*"):
                redis.delete(name)
    with override_settings(ACTIVITY_SPOOL_DIR=str(blocker / "spool"), ACTIVITY_QUEUE_URL=""):
        assert client.get("/no/such/page/").status_code == 404  # straight into the table
    spool._writer.close()
    assert ActivityRecord.objects.filter(kind="request", status_code=404).count() == 2


def test_an_unusable_spool_folder_stops_the_start_with_a_clear_message(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    env = dict(os.environ, ACTIVITY_SPOOL_DIR=str(blocker / "spool"))
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr and "ACTIVITY_SPOOL_DIR" in done.stderr
    env["ACTIVITY_SPOOL_DIR"] = str(tmp_path / "new" / "spool")
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "new" / "spool").is_dir()  # created


def test_the_command_drains_the_spool(client, spool_dir):
    from io import StringIO

    from django.core.management import call_command

    client.get("/no/such/page/")
    spool._writer.close()
    out = StringIO()
    call_command("activity_drain", stdout=out)
    assert '"inserted": 1' in out.getvalue() and '"spool_files": 0' in out.getvalue()
    assert ActivityRecord.objects.filter(kind="request").count() == 1


def test_a_claim_stuck_with_a_live_pid_is_taken_again_after_a_while(client, spool_dir, monkeypatch):
    lines = record_lines(client, 2, spool_dir)
    busy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:  # a dead drain's pid now belongs to another (live) process
        path = spool_file(spool_dir, lines, pid=dead_pid(), state=f"draining.{busy.pid}")
        assert spool.spool_drain() == 0 and path.exists()
        monkeypatch.setattr(spool, "STUCK_SECONDS", 0.0)  # as if claimed long ago
        assert spool.spool_drain() == 2
    finally:
        busy.kill()
        busy.wait()
    assert files(spool_dir) == []


def test_the_spool_drain_forgets_batch_rows_after_a_few_days(client, spool_dir):
    from datetime import timedelta

    from django.utils import timezone

    old = ActivityDrainBatch.objects.create(batch_id="x" * 32, rows=1)
    ActivityDrainBatch.objects.filter(pk=old.pk).update(
        drained_at=timezone.now() - timedelta(days=settings.ACTIVITY_DRAIN_MEMORY_DAYS, hours=1)
    )
    client.get("/no/such/page/")
    spool._writer.close()
    assert queue_services.activity_drain_all() == 1
    assert list(ActivityDrainBatch.objects.values_list("rows", flat=True)) == [1]
    assert not ActivityDrainBatch.objects.filter(pk=old.pk).exists()
