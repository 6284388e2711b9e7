"""Database backups (docs/backups.md): `pg_dump` in its custom format, sealed as it streams
with BACKUP_KEY (rainbow_portal.crypto.seal_stream: memory stays flat), one file per run in
BACKUP_DIR, files older than BACKUP_KEEP_DAYS pruned; `restore` opens one and hands it to
`pg_restore` in a single transaction (all or nothing).

PostgreSQL only: the SQLite database of development is refused with a message saying what
to do instead (D15b.3)."""

import os
import re
import shutil
import subprocess  # nosec B404 - runs pg_dump and pg_restore, fixed argv
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from rainbow_portal import crypto

PURPOSE = "backup"
NAME = re.compile(r"^portal-(\d{8}T\d{6}Z)\.dump\.sealed$")
STAMP = "%Y%m%dT%H%M%SZ"


class BackupError(Exception):
    """A backup or restore that cannot go on, with a message for the operator."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    plaintext: int


def _database() -> dict:
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        raise BackupError(
            "Backups are made of a PostgreSQL database. This portal runs on SQLite (the "
            "development default): stop the portal and copy the database file instead."
        )
    return db


def _pg_env(db: dict) -> dict:
    """libpq reads these: the password never appears on a command line."""
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGCONNECT_TIMEOUT": "10"}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian: postgresql-client).")
    return path


def _read_errors(file) -> str:
    file.seek(0)
    return file.read(4000).decode(errors="replace").strip() or "no message"


def backup_create(*, target: Path | None = None, now: datetime | None = None) -> Backup:
    """Dump the configured database into one sealed file; a failed dump leaves no file."""
    db = _database()
    ring = crypto.backup_keyring()
    folder = Path(target or settings.BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = (now or datetime.now(UTC)).strftime(STAMP)
    final = folder / f"portal-{stamp}.dump.sealed"
    partial = final.with_suffix(".partial")
    argv = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
    with tempfile.TemporaryFile() as errors:
        # bandit B603 accepted: a fixed argv from shutil.which, no shell, no user input.
        dump = subprocess.Popen(  # nosec B603
            argv, stdout=subprocess.PIPE, stderr=errors, env=_pg_env(db)
        )
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                plaintext = crypto.seal_stream(ring, PURPOSE, dump.stdout, out)
                out.flush()
                os.fsync(out.fileno())
            if dump.wait() != 0:
                raise BackupError(f"pg_dump failed: {_read_errors(errors)}")
            partial.rename(final)
        finally:
            if dump.poll() is None:
                dump.kill()
                dump.wait()
            partial.unlink(missing_ok=True)
    return Backup(path=final, size=final.stat().st_size, plaintext=plaintext)


def backup_prune(*, target: Path | None = None, keep_days: int | None = None, now=None) -> list:
    """Delete the backups older than `keep_days`, by the time in their names; the newest one
    is always kept, however old."""
    folder = Path(target or settings.BACKUP_DIR)
    days = settings.BACKUP_KEEP_DAYS if keep_days is None else keep_days
    limit = (now or datetime.now(UTC)) - timedelta(days=days)
    found = sorted(
        (datetime.strptime(m.group(1), STAMP).replace(tzinfo=UTC), path)
        for path in folder.glob("portal-*.dump.sealed")
        if (m := NAME.match(path.name))
    )
    removed = []
    for taken, path in found[:-1]:
        if taken < limit:
            path.unlink()
            removed.append(path)
    return removed


def backup_restore(*, path: Path, confirm: str) -> int:
    """Replace the configured database's contents with the backup at `path`. `confirm` must
    name that database. Returns the bytes restored. pg_restore runs in one transaction: an
    altered or cut-short file, or any error, leaves the database as it was."""
    db = _database()
    if confirm != db["NAME"]:
        raise BackupError(
            f"Restoring replaces everything in the database {db['NAME']!r}: confirm by "
            f"naming it (--confirm {db['NAME']})."
        )
    ring = crypto.backup_keyring()
    argv = [
        _tool("pg_restore"),
        "--dbname",
        db["NAME"],
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
    ]
    with tempfile.TemporaryFile() as errors, open(path, "rb") as src:
        # bandit B603 accepted: a fixed argv from shutil.which, no shell, no user input.
        restore = subprocess.Popen(  # nosec B603
            argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=_pg_env(db)
        )
        try:
            restored = crypto.unseal_stream(ring, PURPOSE, src, restore.stdin)
        except (crypto.DecryptionError, BrokenPipeError) as exc:
            restore.kill()  # before pg_restore commits: its transaction rolls back
            restore.wait()
            if isinstance(exc, BrokenPipeError):
                raise BackupError(f"pg_restore failed: {_read_errors(errors)}") from None
            raise BackupError(f"The backup cannot be opened: {exc}") from None
        restore.stdin.close()
        if restore.wait() != 0:
            raise BackupError(f"pg_restore failed: {_read_errors(errors)}")
    return restored
