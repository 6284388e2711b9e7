"""A real gunicorn on the test database, under load from six client threads, one of its two
workers killed with SIGKILL mid-load: the harness of the "no record lost when a web worker
dies" tests (issue 15), for each way a request record is written (the Redis queue, the spool).
"""

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from activity.models import ActivityRecord

ROOT = Path(__file__).resolve().parents[2]


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


@dataclass
class KilledRun:
    probes: int = 0  # answered requests before the load (the boot probes)
    answered: list = field(default_factory=list)  # statuses of the load's answered requests
    failed: list = field(default_factory=list)  # requests that got no answer
    before: int = 0  # answered when the worker was killed
    victim: int = 0  # the killed worker's pid


def _get(port: int, timeout: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", "/no/such/page/", headers={"Host": "localhost"})
    status = conn.getresponse().status
    conn.close()
    return status


def sigkill_a_worker_under_load(env: dict, gunicorn_args=()) -> KilledRun:
    """Start gunicorn (2 workers) with `env` over the process's own, load it, SIGKILL one
    worker, keep loading, stop the server; what the clients saw."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url(), DATABASE_CONN_MAX_AGE="60", **env)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "rainbow_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            *gunicorn_args,
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    run = KilledRun()
    stop = threading.Event()

    def load():
        while not stop.is_set():
            try:
                run.answered.append(_get(port, timeout=10))
            except (OSError, http.client.HTTPException):
                run.failed.append(1)
                time.sleep(0.01)

    try:
        for _ in range(150):  # both workers booted and answering
            try:
                assert _get(port, timeout=5) == 404
                run.probes += 1
                if len(workers_of(server.pid)) == 2:
                    break
            except (OSError, http.client.HTTPException):
                run.failed.append(1)  # a probe timed out: the server may still have answered
            time.sleep(0.2)
        threads = [threading.Thread(target=load) for _ in range(6)]
        for t in threads:
            t.start()
        time.sleep(3)
        run.before = len(run.answered)
        victims = workers_of(server.pid)
        assert len(victims) == 2
        run.victim = victims[0]
        os.kill(run.victim, signal.SIGKILL)
        time.sleep(3)
        stop.set()
        for t in threads:
            t.join(timeout=15)
        assert run.victim not in workers_of(server.pid)  # it died; gunicorn started another
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert run.before > 20 and len(run.answered) > run.before + 20, (
        run.before,
        len(run.answered),
    )
    assert set(run.answered) == {404}, set(run.answered)
    return run


def assert_every_answer_recorded(run: KilledRun) -> None:
    """After the drain: every answered request has its record; a request cut by the kill may
    have one too."""
    recorded = ActivityRecord.objects.filter(kind="request", status_code=404).count()
    answered = run.probes + len(run.answered)
    assert answered <= recorded <= answered + len(run.failed), (
        run.probes,
        len(run.answered),
        len(run.failed),
        recorded,
    )
