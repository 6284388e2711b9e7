"""Issue 15's rule for the cheap activity write: no record is lost when a web worker dies.
A real gunicorn (2 sync workers) on the test database and the real Redis, under load from
six client threads; one worker is killed with SIGKILL mid-load. After the drain, every
request that got a response has its record (D15c.1)."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from activity import queue_services
from activity.models import ActivityRecord

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    assert db["ENGINE"].endswith("postgresql"), "gunicorn needs the PostgreSQL test database"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def workers_of(master: int) -> list[int]:
    """The master's children, from /proc (no procps needed)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:
            children.append(int(entry.name))
    return children


def test_sigkill_of_a_worker_under_load_loses_no_answered_request(tmp_path):
    assert settings.REDIS_URL, "this test needs the real Redis of REDIS_URL"
    key = f"test:activity-kill:{uuid.uuid4().hex}"
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        PORTAL_VAR_DIR=str(tmp_path),
        ACTIVITY_QUEUE_URL=settings.REDIS_URL,
        ACTIVITY_QUEUE_KEY=key,
        ACTIVITY_SPOOL_DIR="off",  # this test is the Redis queue's (the spool's: test_spool_*)
        DATABASE_CONN_MAX_AGE="60",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "rainbow_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    answered, failed = [], []
    stop = threading.Event()

    def load():
        while not stop.is_set():
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", "/no/such/page/", headers={"Host": "localhost"})
                status = conn.getresponse().status
                conn.close()
                answered.append(status)
            except (OSError, http.client.HTTPException):
                failed.append(1)
                time.sleep(0.01)

    probes = 0
    try:
        for _ in range(150):  # both workers booted and answering
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/no/such/page/", headers={"Host": "localhost"})
                assert conn.getresponse().status == 404
                conn.close()
                probes += 1
                if len(workers_of(server.pid)) == 2:
                    break
            except (OSError, http.client.HTTPException):
                failed.append(1)  # a probe timed out: the server may still have answered
            time.sleep(0.2)
        threads = [threading.Thread(target=load) for _ in range(6)]
        for t in threads:
            t.start()
        time.sleep(3)
        before = len(answered)
        victims = workers_of(server.pid)
        assert len(victims) == 2
        os.kill(victims[0], signal.SIGKILL)
        time.sleep(3)
        stop.set()
        for t in threads:
            t.join(timeout=15)
        assert victims[0] not in workers_of(server.pid)  # it died; gunicorn started another
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert before > 20 and len(answered) > before + 20, (before, len(answered))
    assert set(answered) == {404}, set(answered)
    with override_settings(ACTIVITY_QUEUE_URL=settings.REDIS_URL, ACTIVITY_QUEUE_KEY=key):
        try:
            queue_services.activity_drain()
            assert queue_services.activity_queue_length() == 0
        finally:
            client = queue_services._redis()
            for name in client.scan_iter(f"{key}*"):
                client.delete(name)
    recorded = ActivityRecord.objects.filter(kind="request", status_code=404).count()
    # Every answered request has its record; a request cut by the kill may have one too.
    assert probes + len(answered) <= recorded <= probes + len(answered) + len(failed), (
        probes,
        len(answered),
        len(failed),
        recorded,
    )
