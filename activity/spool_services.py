"""The request log's cheapest write (issue 15, D16sp.1): one `os.write` per request to a
per-worker append-only spool file, drained into the table in batches.

Writer (each web process): the record is encoded exactly as for the Redis queue
(`codec._encode`: the row as it will be stored — pseudonymized actor, sealed IP, scrubbed
data) and appended as one line with ONE `os.write` to the process's own file
`<host>.<pid>.<ns>.open` (O_APPEND, mode 0600) in ACTIVITY_SPOOL_DIR. Once `os.write` has
returned, the line is in the kernel's page cache: a worker killed with SIGKILL right after
loses nothing. There is no fsync per request: a machine crash can lose the last seconds, as
Redis without fsync would. The writer renames its file to `.ready` when it is older than
ACTIVITY_SPOOL_ROTATE_SECONDS or larger than ROTATE_BYTES, and opens a new one at its next
write. The file is keyed by pid: a forked child never writes into its parent's file.

Every write holds an exclusive `flock` on the file and first checks that its path still
names the open file (same inode): a drain may take an idle writer's file at any time by
renaming it and then taking the same lock before reading, so a write is either complete in
the file the drain reads or goes into a new file. No line is ever half-read.

Drain (`spool_drain`, run by `manage.py activity_drain` and the beat task `activity.drain`):
claims `.ready` files, `.open` files whose writer is dead or idle, and `.draining.<pid>`
files of drains that died, by renaming them to `.draining.<own pid>` (atomic: one drain wins).
Each file's complete lines and an `ActivityDrainBatch` row named after the file commit in one
transaction, then the file is unlinked; a file whose row already exists (a drain killed
between its commit and the unlink) is only unlinked. A last line without its newline is a
record whose write never completed (its request got no response): skipped and logged.
"""

import atexit
import contextlib
import fcntl
import hashlib
import logging
import os
import socket
import threading
import time
from pathlib import Path

from django.conf import settings

from .codec import _decode
from .services import activity_batch_insert

logger = logging.getLogger(__name__)

ROTATE_BYTES = 4 * 1024 * 1024
# An `.open` file of a live writer untouched this long is taken by the drain (an idle worker's
# last records would otherwise wait for its next request).
IDLE_SECONDS = 5.0
# A `.draining.<pid>` file claimed this long ago is taken again even if that pid is alive (a
# dead drain's pid reused by another process): two drains on one file meet on its batch row.
STUCK_SECONDS = 120.0
HOST = socket.gethostname().replace("/", "_") or "localhost"


class _Writer:
    def __init__(self):
        self.lock = threading.Lock()
        self.pid = None
        self.fd = None
        self.path = None
        self.inode = None
        self.opened = 0.0
        self.size = 0

    def _open(self, folder: Path) -> None:
        self.pid = os.getpid()
        self.path = folder / f"{HOST}.{self.pid}.{time.time_ns()}.open"
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        self.fd = os.open(self.path, flags, 0o600)
        self.inode = os.fstat(self.fd).st_ino
        self.opened = time.monotonic()
        self.size = 0

    def _drop(self) -> None:
        if self.fd is not None and self.pid == os.getpid():
            os.close(self.fd)
        self.fd = self.path = self.inode = None

    def _rotate(self) -> None:
        """Hand the open file to the drain (`.ready`); a new one opens at the next write."""
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        try:
            os.rename(self.path, self.path.with_suffix(".ready"))
        except FileNotFoundError:
            pass  # a drain took it already
        finally:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        self._drop()

    def write(self, line: bytes) -> None:
        folder = Path(settings.ACTIVITY_SPOOL_DIR)
        with self.lock:
            if self.pid != os.getpid():  # a fork: the parent's file is not ours
                self.fd = self.path = self.inode = None
            if self.fd is not None and (
                self.path.parent != folder
                or self.size >= ROTATE_BYTES
                or time.monotonic() - self.opened >= settings.ACTIVITY_SPOOL_ROTATE_SECONDS
            ):
                self._rotate()
            for _attempt in range(3):
                if self.fd is None:
                    self._open(folder)
                fcntl.flock(self.fd, fcntl.LOCK_EX)
                try:
                    try:
                        taken = os.stat(self.path).st_ino != self.inode
                    except FileNotFoundError:
                        taken = True
                    if not taken:
                        written = os.write(self.fd, line)
                        if written != len(line):  # disk full mid-line: no half record stays
                            os.ftruncate(self.fd, self.size)
                            raise OSError(f"short write to the activity spool ({written})")
                        self.size += written
                        return
                finally:
                    fcntl.flock(self.fd, fcntl.LOCK_UN)
                self._drop()  # a drain took the idle file: write into a new one
            raise OSError("the activity spool file was taken three times in a row")

    def close(self) -> None:
        """At a clean exit: the file goes to the drain at once."""
        with self.lock:
            if self.fd is not None and self.pid == os.getpid():
                with contextlib.suppress(OSError):
                    self._rotate()


_writer = _Writer()
atexit.register(_writer.close)


def spool_write(line: bytes) -> None:
    """Append one encoded record (ending with a newline) to this process's spool file.
    Raises OSError when the spool cannot take it (the caller falls back)."""
    _writer.write(line)


# --- The drain ----------------------------------------------------------------------------


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    try:  # a zombie (killed, not yet reaped) writes nothing more
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _parse(name: str) -> tuple[str, str, int, str, int | None] | None:
    """`<host>.<pid>.<ns>.<state>[.<drainer pid>]` → (base, host, pid, state, drainer)."""
    parts = name.split(".")
    drainer = None
    if len(parts) >= 5 and parts[-2] == "draining" and parts[-1].isdigit():
        drainer = int(parts[-1])
        parts = parts[:-1]
    if len(parts) < 4 or not (parts[-3].isdigit() and parts[-2].isdigit()):
        return None
    state = parts[-1]
    if state not in ("open", "ready", "draining"):
        return None
    return ".".join(parts[:-1]), ".".join(parts[:-3]), int(parts[-3]), state, drainer


def batch_id_of(base: str) -> str:
    """The `ActivityDrainBatch` id of a spool file: its name, hashed (32 characters)."""
    return hashlib.sha256(f"spool:{base}".encode()).hexdigest()[:32]


def _claimable(path: Path, host: str, pid: int, state: str, drainer: int | None) -> bool:
    me = os.getpid()
    if state == "ready":
        return True
    if state == "draining":
        if drainer is None:
            return False
        if drainer == me or not _alive(drainer):
            return True
        try:  # the rename that claimed it set its ctime
            return time.time() - path.stat().st_ctime >= STUCK_SECONDS
        except FileNotFoundError:
            return False
    # `.open`: the writer is dead, or idle (the flock protocol makes taking it safe anyway).
    if host == HOST and not _alive(pid):
        return True
    try:
        return time.time() - path.stat().st_mtime >= IDLE_SECONDS
    except FileNotFoundError:
        return False


def _claim(folder: Path) -> list[tuple[Path, str]]:
    claimed = []
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return claimed
    me = os.getpid()
    for name in names:
        parsed = _parse(name)
        if parsed is None:
            continue
        base, host, pid, state, drainer = parsed
        path = folder / name
        if not _claimable(path, host, pid, state, drainer):
            continue
        target = folder / f"{base}.draining.{me}"
        try:
            if path != target:
                os.rename(path, target)
        except FileNotFoundError:
            continue  # another drain (or the writer's rotation) was first
        claimed.append((target, base))
    return claimed


def _read_lines(path: Path) -> list[bytes] | None:
    """The file's complete lines, read under its lock (a write in flight finishes first)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read()
    finally:
        os.close(fd)
    lines = data.split(b"\n")
    tail = lines.pop()
    if tail:
        logger.warning(
            "An activity spool file ended in an incomplete record (%d bytes; its writer died "
            "while writing it, before the response): skipped.",
            len(tail),
        )
    return [line for line in lines if line]


def _decode_lines(lines: list[bytes]) -> list:
    records = []
    for line in lines:
        try:
            records.append(_decode(line))
        except (ValueError, TypeError, KeyError):
            logger.error("An unreadable line in an activity spool file was skipped.")
    return records


def _insert_file(path: Path, base: str) -> int:
    lines = _read_lines(path)
    if lines is None:
        return 0  # gone: another drain finished it
    inserted = 0
    if lines:
        records = _decode_lines(lines)
        inserted = activity_batch_insert(batch_id_of(base), records, rows=len(lines))
    _unlink(path)
    return inserted


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def spool_drain() -> int:
    """Move spooled request records into the table; returns how many were inserted. Safe to
    run in several processes at once and to kill at any point (module docstring)."""
    if not settings.ACTIVITY_SPOOL_DIR:
        return 0
    inserted = 0
    for path, base in _claim(Path(settings.ACTIVITY_SPOOL_DIR)):
        inserted += _insert_file(path, base)
    return inserted


def spool_pending() -> int:
    """Spool files waiting for the drain (open ones included): for the command and tests."""
    if not settings.ACTIVITY_SPOOL_DIR:
        return 0
    try:
        return sum(1 for name in os.listdir(settings.ACTIVITY_SPOOL_DIR) if _parse(name))
    except FileNotFoundError:
        return 0
