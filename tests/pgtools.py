"""Real PostgreSQL servers for the replica and fault tests: a streaming replica of the test
cluster (scripts/pg_replica.sh) and throwaway clusters of our own (initdb/pg_ctl under /tmp)
that a test may stop and restart. The shared cluster is never stopped."""

import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
REPLICA_SCRIPT = ROOT / "scripts" / "pg_replica.sh"


def on_postgresql() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def bindir() -> Path:
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return found[-1]


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def superuser_connect(host: str, port: int, dbname: str = "postgres", **kwargs):
    user = os.environ.get("REPLICA_SOURCE_USER", "postgres")
    return psycopg.connect(
        host=host, port=port, user=user, dbname=dbname, autocommit=True, **kwargs
    )


class Replica:
    """A streaming replica: started by .ci/run (DATABASE_REPLICA_URL) or by this fixture."""

    def __init__(self, host: str, port: int, user: str):
        self.host, self.port, self.user = host, port, user

    def sql(self, query: str, params=None):
        with superuser_connect(self.host, self.port, connect_timeout=3) as conn:
            return conn.execute(query, params).fetchall()

    @property
    def data_dir(self) -> str:
        return self.sql("SHOW data_directory")[0][0]

    def wait_replayed(self, lsn: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])[0][0]:
                return
            time.sleep(0.05)
        raise AssertionError(f"The replica did not replay up to {lsn} in {timeout} s.")

    def pause(self) -> None:
        self.sql("SELECT pg_wal_replay_pause()")

    def resume(self) -> None:
        self.sql("SELECT pg_wal_replay_resume()")


def replica_from_env_or_start():
    """(Replica, started_dir or None). DATABASE_REPLICA_URL names a running replica (CI);
    else one is made on TEST_REPLICA_PORT (5433) and destroyed at the end."""
    url = os.environ.get("DATABASE_REPLICA_URL")
    if url:
        parsed = urlparse(url)
        return Replica(parsed.hostname, parsed.port or 5432, parsed.username), None
    primary = settings.DATABASES["default"]
    port = int(os.environ.get("TEST_REPLICA_PORT", "5433"))
    folder = f"/tmp/rainbow-test-replica-{port}"
    env = {
        **os.environ,
        "REPLICA_PRIMARY_HOST": primary.get("HOST") or "127.0.0.1",
        "REPLICA_PRIMARY_PORT": str(primary.get("PORT") or 5432),
    }
    subprocess.run(["bash", str(REPLICA_SCRIPT), "allow-replication"], check=True, env=env)
    subprocess.run(["bash", str(REPLICA_SCRIPT), "start", folder, str(port)], check=True, env=env)
    return Replica("127.0.0.1", port, primary.get("USER") or "rainbow"), folder


def replica_script(*args: str) -> None:
    subprocess.run(["bash", str(REPLICA_SCRIPT), *args], check=True, timeout=120)


class Cluster:
    """A PostgreSQL cluster of our own on `port`, in a temporary folder."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix=f"rainbow-pg-{port}-"))
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        conf = self.data / "postgresql.conf"
        with open(conf, "a") as fh:
            fh.write(
                f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.dir}'\nfsync = off\n"
                "max_connections = 40\nshared_buffers = 16MB\n"
            )

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            _as_postgres([str(bindir() / tool), *args]),
            check=True,
            stdout=subprocess.DEVNULL,
            timeout=120,
        )

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, dbname: str, user: str = "postgres") -> str:
        return f"postgres://{user}@127.0.0.1:{self.port}/{dbname}"

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def cluster(port: int):
    server = Cluster(port)
    try:
        server.start()
        yield server
    finally:
        server.destroy()


class RedisServer:
    """A redis-server of our own on `port` (never the shared 6379/6380), stoppable."""

    def __init__(self, port: int):
        self.port = port
        self.dir = Path(tempfile.mkdtemp(prefix=f"rainbow-redis-{port}-"))
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis(port=self.port, socket_connect_timeout=0.2).ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise AssertionError(f"redis-server did not start on {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def redis_server(port: int):
    server = RedisServer(port)
    try:
        server.start()
        yield server
    finally:
        server.destroy()
