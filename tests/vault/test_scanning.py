"""ClamAV for real, failing closed (SPEC §9.2): only clamd's exact `stream: OK` stores a file."""

import contextlib
import io
import os
import signal
import socket
import struct
import threading
import time

import pytest

from activity.models import ActivityRecord
from rainbow_portal.exceptions import ApplicationError
from tests.clamav import clamd_installed, clamd_start, clamd_stop, in_ci
from vault import envelope, services
from vault.models import CompanyKey
from vault.scanner import ScanRefused, verdict

from .conftest import EICAR, stored_files

SEG = envelope.SEGMENT_SIZE


def store(company, upload, object_id="f1", actor=None):
    if isinstance(upload, bytes):
        upload = io.BytesIO(upload)
    return services.file_store(company=company, object_id=object_id, upload=upload, actor=actor)


def assert_nothing_stored(root, settings):
    assert stored_files(root) == []
    assert not settings.VAULT_TEMP_DIR.exists() or list(settings.VAULT_TEMP_DIR.iterdir()) == []


class refusal:  # lower case: it reads as a context manager, `with refusal("file_empty"):`
    """pytest.raises(ApplicationError) that also checks the error's code."""

    def __init__(self, code):
        self.code = code

    def __enter__(self):
        self._ctx = pytest.raises(ApplicationError)
        self.info = self._ctx.__enter__()
        return self.info

    def __exit__(self, *exc):
        handled = self._ctx.__exit__(*exc)
        assert self.info.value.code == self.code, self.info.value.code
        return handled


# --- the real clamd ---------------------------------------------------------------------------


def test_eicar_is_refused_and_nothing_is_stored(clamd, company, actor, vault_storage, settings):
    with refusal("file_infected") as info:
        store(company, EICAR, actor=actor)
    assert "virus scanner" in info.value.message
    assert "EICAR" not in info.value.message  # the finding is named only generically to users
    assert_nothing_stored(vault_storage, settings)
    record = ActivityRecord.objects.get(event="vault.upload.refused")
    assert record.company_id == company.pk
    assert record.data["reason"] == "infected"
    assert record.data["finding"].startswith("Rainbow.Test.EICAR")


def test_eicar_straddling_two_segments_of_a_large_file_is_refused(
    clamd, company, vault_storage, settings
):
    data = os.urandom(SEG - 30) + EICAR + os.urandom(2 * SEG)
    with refusal("file_infected"):
        store(company, data)
    assert_nothing_stored(vault_storage, settings)


def test_a_clean_file_passes_the_real_clamd(clamd, company, vault_storage):
    stored = store(company, b"just a shopping list\n" * 1000)
    assert stored.content_type == "text/plain"
    assert len(stored_files(vault_storage)) == 1


# --- clamd stopped or killed ------------------------------------------------------------------


@pytest.fixture
def own_clamd(tmp_path_factory):
    """A clamd of this test's own, to stop or kill (the session's one stays up)."""
    if not clamd_installed():
        if in_ci():
            pytest.fail("clamd is not installed")
        pytest.skip("clamd is not installed")
    folder = tmp_path_factory.mktemp("own-clamd")
    sock = clamd_start(folder)
    pid = int((folder / "clamd.pid").read_text())
    yield {"socket": sock, "pid": pid, "folder": folder}
    clamd_stop(folder)


def test_clamd_stopped_refuses_the_upload(own_clamd, settings, company, actor, vault_storage):
    settings.CLAMD_SOCKET = own_clamd["socket"]
    clamd_stop(own_clamd["folder"])
    with refusal("scanner_unavailable") as info:
        store(company, b"harmless", actor=actor)
    assert "could not be checked for viruses" in info.value.message
    assert_nothing_stored(vault_storage, settings)
    assert ActivityRecord.objects.get(event="vault.upload.refused").data["reason"] == "unavailable"


def test_no_clamd_socket_at_all_refuses_the_upload(settings, company, vault_storage, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "nothing-here.sock")
    with refusal("scanner_unavailable"):
        store(company, b"harmless")
    assert_nothing_stored(vault_storage, settings)
    assert not CompanyKey.objects.filter(company=company).exists()  # no key for nothing


class KillsClamdWhileRead(io.RawIOBase):
    """An upload that kills clamd (SIGKILL) after a few segments were read from it."""

    def __init__(self, data, pid, after_reads=3):
        self.inner = io.BytesIO(data)
        self.pid, self.after, self.reads = pid, after_reads, 0

    def readable(self):
        return True

    def read(self, size=-1):
        self.reads += 1
        if self.reads == self.after:
            os.kill(self.pid, signal.SIGKILL)
            for _ in range(100):
                try:
                    os.kill(self.pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.02)
        return self.inner.read(size)


def test_clamd_killed_mid_upload_refuses_and_stores_nothing(
    own_clamd, settings, company, vault_storage
):
    settings.CLAMD_SOCKET = own_clamd["socket"]
    upload = KillsClamdWhileRead(os.urandom(40 * SEG), own_clamd["pid"])
    with refusal("scanner_unavailable"):
        store(company, upload)
    assert upload.reads >= 3  # clamd really died during the upload
    assert_nothing_stored(vault_storage, settings)


# --- a fake clamd answering odd things --------------------------------------------------------


class FakeClamd:
    """A unix-socket server speaking INSTREAM that answers what the test says."""

    def __init__(self, path, answer):
        self.path, self.answer = path, answer
        self.connections, self.received = 0, 0
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(4)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.server.settimeout(0.2)
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(10)
                with contextlib.suppress(OSError):
                    self._session(conn)

    def _recv(self, conn, n):
        buf = b""
        while len(buf) < n:
            part = conn.recv(n - len(buf))
            if not part:
                raise OSError("closed")
            buf += part
        return buf

    def _session(self, conn):
        assert self._recv(conn, 10) == b"zINSTREAM\0"
        while True:
            (length,) = struct.unpack(">I", self._recv(conn, 4))
            if length == 0:
                break
            self.received += len(self._recv(conn, length))
        if self.answer is None:  # silence: keep the line open until the test ends
            self.stop.wait(10)
            return
        conn.sendall(self.answer)

    def close(self):
        self.stop.set()
        self.server.close()
        self.thread.join(2)


@pytest.fixture
def fake_clamd(settings, tmp_path):
    servers = []

    def start(answer):
        server = FakeClamd(str(tmp_path / f"fake{len(servers)}.sock"), answer)
        servers.append(server)
        settings.CLAMD_SOCKET = server.path
        settings.CLAMD_TIMEOUT = 1
        return server

    yield start
    for server in servers:
        server.close()


# Small files are scanned in the caller's thread, large ones by a scan thread: both paths.
SIZES = pytest.mark.parametrize("size", [SEG + 10, 6 * SEG + 10], ids=["inline", "threaded"])


@SIZES
def test_the_fake_clamd_saying_exactly_ok_stores_the_file(fake_clamd, company, vault_storage, size):
    server = fake_clamd(b"stream: OK\0")
    data = os.urandom(size)
    stored = store(company, data)
    assert stored.size == len(data) and server.received == len(data)
    assert len(stored_files(vault_storage)) == 1


@pytest.mark.parametrize(
    "answer",
    [
        b"stream: OK extra\0",
        b"stream: OKAY\0",
        b"stream: ok\0",
        b" stream: OK\0",
        b"stream: OK\0stream: Eicar FOUND\0",
        b"INSTREAM size limit exceeded. ERROR\0",
        b"stream: Win.Test.EICAR_HDB-1 FOUND\0",
        b"stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND\0",
        b"UNKNOWN COMMAND\0",
        b"\xff\xfe\x00garbage",
        b"",  # hangs up without a word
    ],
    ids=lambda a: a.decode("latin-1")[:30] or "hang-up",
)
@SIZES
def test_any_answer_but_exactly_ok_is_refused(
    fake_clamd, company, vault_storage, settings, answer, size
):
    fake_clamd(answer)
    with pytest.raises(ApplicationError) as info:
        store(company, os.urandom(size))
    assert info.value.code in {"file_infected", "scanner_unavailable"}
    assert_nothing_stored(vault_storage, settings)


@SIZES
def test_silence_times_out_and_is_refused(fake_clamd, company, vault_storage, settings, size):
    fake_clamd(None)
    started = time.monotonic()
    with refusal("scanner_unavailable"):
        store(company, os.urandom(size))
    assert time.monotonic() - started < 5
    assert_nothing_stored(vault_storage, settings)
    assert ActivityRecord.objects.get(event="vault.upload.refused").data["reason"] == "timeout"


# --- size limits ------------------------------------------------------------------------------


def test_over_the_cap_is_refused_before_clamd_is_contacted(
    fake_clamd, company, vault_storage, settings
):
    server = fake_clamd(b"stream: OK\0")
    settings.UPLOAD_MAX_BYTES = 1000
    with refusal("file_too_large") as info:
        store(company, b"x" * 1001)
    assert "larger than the 1000 bytes limit" in info.value.message
    assert server.connections == 0
    assert_nothing_stored(vault_storage, settings)
    store(company, b"x" * 1000)  # exactly the cap is fine
    assert server.connections == 1


def test_an_unsized_stream_over_the_cap_is_refused_and_nothing_stored(
    fake_clamd, company, vault_storage, settings
):
    fake_clamd(b"stream: OK\0")
    settings.UPLOAD_MAX_BYTES = SEG * 2

    class Unsized(io.RawIOBase):  # a pipe: no size, no seek
        def __init__(self):
            self.left = SEG * 3

        def readable(self):
            return True

        def read(self, n=-1):
            n = min(n, self.left, 10_000)
            self.left -= n
            return b"y" * n

    with refusal("file_too_large"):
        store(company, Unsized())
    assert_nothing_stored(vault_storage, settings)


def test_the_default_cap_is_a_setting(settings):
    assert settings.UPLOAD_MAX_BYTES == 100 * 1024 * 1024


def test_an_empty_file_is_refused(fake_clamd, company, vault_storage, settings):
    server = fake_clamd(b"stream: OK\0")
    with refusal("file_empty") as info:
        store(company, b"")
    assert info.value.message == "The file is empty."
    assert server.connections == 0
    assert_nothing_stored(vault_storage, settings)


@pytest.mark.parametrize(
    "reply,reason",
    [
        (b"stream: OK\0", None),
        (b"stream: OK", None),
        (b"stream: Foo FOUND\0", "infected"),
        (b"stream: OK\0\0", "error"),
        (b"stream: \0", "error"),
        (b"", "unavailable"),
    ],
)
def test_verdict_parsing(reply, reason):
    if reason is None:
        verdict(reply)
        return
    with pytest.raises(ScanRefused) as info:
        verdict(reply)
    assert info.value.reason == reason


# --- the clamd configuration ------------------------------------------------------------------


def test_clamd_config_sets_limits_above_the_cap_and_alerts_on_them(own_clamd, settings):
    conf = (own_clamd["folder"] / "clamd.conf").read_text()
    lines = dict(line.split(" ", 1) for line in conf.splitlines() if line.strip())
    assert lines["AlertExceedsMax"] == "yes"
    assert lines["Foreground"] == "no" and lines["SelfCheck"] == "0"
    assert lines["DatabaseDirectory"].endswith("vault/clamav")
    for limit in ("StreamMaxLength", "MaxFileSize", "MaxScanSize"):
        assert int(lines[limit].rstrip("M")) * 1024 * 1024 > settings.UPLOAD_MAX_BYTES


def test_a_real_clamd_hitting_its_stream_limit_refuses(
    tmp_path_factory, monkeypatch, settings, company, vault_storage
):
    """With clamd's limits below the portal's cap (a misconfiguration), clamd's "size limit
    exceeded" answer refuses the upload instead of letting it through."""
    if not clamd_installed():
        pytest.fail("clamd is not installed") if in_ci() else pytest.skip("no clamd")
    folder = tmp_path_factory.mktemp("small-clamd")
    monkeypatch.setenv("CLAMD_LIMIT", "1M")
    try:
        settings.CLAMD_SOCKET = clamd_start(folder)
        with refusal("scanner_unavailable"):
            store(company, os.urandom(3 * 1024 * 1024))
        assert_nothing_stored(vault_storage, settings)
        reason = ActivityRecord.objects.get(event="vault.upload.refused").data["reason"]
        assert reason in {"error", "unavailable"}
    finally:
        clamd_stop(folder)
