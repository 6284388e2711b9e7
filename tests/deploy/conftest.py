"""The production stack of `make prod-local`, started once for tests/deploy (module scope).

scripts/prod_local.py starts nginx (TLS, a self-signed certificate it makes with openssl) in
front of gunicorn with DEBUG=0, on three free loopback ports, in a temp folder, with a database
of its own (a scratch PostgreSQL database next to DATABASE_URL's, dropped at the end; SQLite
when DATABASE_URL is not PostgreSQL) and the embedded broker (so no message it queues reaches
the test suite's Redis broker). nginx, openssl and testssl.sh are Debian packages (.ci/run
installs them); in CI their absence fails the run, elsewhere the module is skipped.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.clamav import in_ci

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "scripts" / "prod_local.py"
UPLOAD_MAX_BYTES = 1024 * 1024
METRICS_NETWORK = "10.9.9.9/32"


def _need(condition: bool, what: str) -> None:
    if condition:
        return
    if in_ci():
        pytest.fail(f"{what} (CI must have it: .ci/run installs it)")
    pytest.skip(what)


def _free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    ports = [s.getsockname()[1] for s in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _scratch_database(url: str):
    """(DATABASE_URL for the stack, cleanup). PostgreSQL: CREATE/DROP a scratch database."""
    parsed = urlparse(url)
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        return None, lambda: None
    import psycopg

    name = parsed.path.lstrip("/") + "_tlsfront"
    admin = psycopg.connect(url, autocommit=True)

    def drop():
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    admin.execute(f'CREATE DATABASE "{name}"')

    def cleanup():
        drop()
        admin.close()

    return parsed._replace(path="/" + name).geturl(), cleanup


@pytest.fixture(scope="module")
def stack():
    for tool in ("nginx", "openssl", "testssl"):
        _need(bool(shutil.which(tool)), f"{tool} is not installed")
    _need(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set (DEBUG=0 needs Redis)")
    # Not under pytest's temp root (mode 0700): nginx's workers run as an unprivileged user
    # when the suite runs as root, and must read the static files and write their temp files.
    folder = Path(tempfile.mkdtemp(prefix="rainbow-prod-local-"))
    folder.chmod(0o755)
    http_port, https_port, gunicorn_port = _free_ports(3)
    database_url, cleanup = _scratch_database(os.environ.get("DATABASE_URL", ""))
    env = dict(os.environ)
    env.update(
        {
            "PROD_LOCAL_DIR": str(folder),
            "PROD_LOCAL_HTTP_PORT": str(http_port),
            "PROD_LOCAL_HTTPS_PORT": str(https_port),
            "PROD_LOCAL_GUNICORN_PORT": str(gunicorn_port),
            "GUNICORN_WORKERS": "2",  # two processes: the metrics must add up across them
            "DATABASE_URL": database_url or f"sqlite:///{folder / 'portal.sqlite3'}",
            "CELERY_BROKER_URL": "filesystem://",
            "UPLOAD_MAX_BYTES": str(UPLOAD_MAX_BYTES),
            "METRICS_ALLOWED_NETWORKS": METRICS_NETWORK,
        }
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    started = subprocess.run(
        [sys.executable, str(SCRIPT), "start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    try:
        if started.returncode != 0:
            logs = "\n".join(
                f"--- {p.name}\n{p.read_text()[-3000:]}" for p in (folder / "logs").glob("*.log")
            )
            pytest.fail(f"prod_local start failed:\n{started.stdout}\n{started.stderr}\n{logs}")
        state = json.loads((folder / "stack.json").read_text())
        state.update(
            dir=folder,
            http_port=http_port,
            https_port=https_port,
            gunicorn_port=gunicorn_port,
        )
        yield state
    finally:
        subprocess.run(
            [sys.executable, str(SCRIPT), "stop"], env=env, capture_output=True, timeout=90
        )
        cleanup()
        shutil.rmtree(folder, ignore_errors=True)
