"""PostgreSQL restarted under load (issue 15): the portal, served by gunicorn from a
PostgreSQL cluster of our own (never the shared one), answers 503 in the API's error format
(or a plain page) while the database is away — never a 500 or a stack trace — and answers
200 again once it is back, without the portal being restarted (CONN_HEALTH_CHECKS)."""

import base64
import http.client
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accounts.security.services.tokens import token_create
from tests.factories import UserFactory
from tests.pgtools import ROOT, cluster, on_postgresql, redis_server

PG_PORT = int(os.environ.get("FAULT_PG_PORT", "5442"))
REDIS_PORT = int(os.environ.get("FAULT_REDIS_PORT", "6391")) + 1
HTTP_PORT = int(os.environ.get("FAULT_HTTP_PORT", "8151"))

pytestmark = [
    pytest.mark.skipif(not on_postgresql(), reason="a PostgreSQL restart"),
    pytest.mark.django_db(transaction=True),
]


def _copy_test_database(port: int) -> None:
    """The test database (schema, data migrations, our user) into our own cluster."""
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "portal"], check=True
    )
    dump = subprocess.Popen(
        [
            "pg_dump",
            "-Fc",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        stdout=subprocess.PIPE,
        env=env,
    )
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-d",
            "portal",
        ],
        stdin=dump.stdout,
        check=True,
    )
    assert dump.wait() == 0


def _key(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _portal_env(tmp: Path, pg_port: int, redis_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_")}
    env.update(
        DEBUG="0",
        PORTAL_VAR_DIR=str(tmp),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{pg_port}/portal",
        DATABASE_CONN_MAX_AGE="60",
        DATABASE_CONNECT_TIMEOUT="2",
        REDIS_URL=redis_url,
        CELERY_BROKER_URL="memory://",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        EMAIL_HOST="127.0.0.1",
        SECRET_KEY=settings.SECRET_KEY,
        DATA_MASTER_KEY=_key(settings.DATA_MASTER_KEY),
        ACTIVITY_KEY=_key(settings.ACTIVITY_KEY),
        DIGEST_KEY=_key(settings.DIGEST_KEY),
        LOG_LEVEL="CRITICAL",
        INVOICE_ISSUER_NAME="Rainbow Portal (test)",
        INVOICE_ISSUER_ADDRESS="1 Test Street|Test City",
        INVOICE_ISSUER_VAT_NUMBER="FR00000000000",
        API_THROTTLE_TOKEN="100000/minute",
        API_THROTTLE_USER="100000/minute",
    )
    return env


def _get(path: str, headers: dict) -> tuple[int, dict, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{HTTP_PORT}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()
    except (OSError, http.client.HTTPException) as exc:  # no answer at all: counted, not hidden
        return 0, {}, f"{type(exc).__name__}: {exc}"


def test_postgres_restart_under_load_fails_cleanly_and_recovers(tmp_path):
    user = UserFactory()
    _, secret = token_create(user=user, actor=user, name="load", scope="read")
    auth = {"Authorization": f"Bearer {secret}"}
    with cluster(PG_PORT) as pg, redis_server(REDIS_PORT) as cache:
        _copy_test_database(PG_PORT)
        env = _portal_env(tmp_path, PG_PORT, f"{cache.url}/0")
        portal = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "rainbow_portal.wsgi:application",
                "-b",
                f"127.0.0.1:{HTTP_PORT}",
                "-w",
                "2",
                "-k",
                "gthread",
                "--threads",
                "2",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(log := open(tmp_path / "portal.log", "wb")),  # noqa: SIM115 - read below
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if _get("/api/v1/me/", auth)[0] == 200:
                    break
                assert time.monotonic() < deadline, "the portal did not start"
                time.sleep(0.2)

            out = tmp_path / "load.jsonl"
            load = subprocess.Popen(
                [
                    sys.executable,
                    str(Path(__file__).with_name("loadgen.py")),
                    f"http://127.0.0.1:{HTTP_PORT}/api/v1/me/",
                    secret,
                    "8",
                    "4",
                    str(out),
                ]
            )
            time.sleep(1.5)
            down = time.time()
            pg.stop("fast")  # open connections are cut mid-request
            time.sleep(2)
            # A page while the database is away: a plain 503 page, no stack trace.
            page = _get("/", {"Cookie": "sessionid=" + "a" * 32})
            pg.start()
            up = time.time()
            assert load.wait(timeout=60) == 0
            assert portal.poll() is None  # never restarted
        finally:
            portal.terminate()
            portal.wait(timeout=30)
            log.close()
    errors = (tmp_path / "portal.log").read_text(errors="replace")

    results = [json.loads(line) for line in out.read_text().splitlines()]
    statuses = {r["status"] for r in results}
    assert statuses <= {200, 503}, (statuses, errors[-2000:])
    assert len([r for r in results if r["t"] < down and r["status"] == 200]) >= 3
    outage = [r for r in results if r["status"] == 503]
    assert outage, "the restart was not seen"
    for r in outage:
        assert r["code"] == "unavailable" and r["retry_after"] == "5" and not r["traceback"]
        assert r["t"] > down
    # Recovered without a restart: everything answered a second after the database was back.
    after = [r["status"] for r in results if r["t"] > up + 1]
    assert len(after) >= 3 and set(after) == {200}
    assert page[0] == 503, page[2][:2000]
    assert "Briefly unavailable" in page[2] and "Traceback" not in page[2]
    assert page[1]["Retry-After"] == "5"
