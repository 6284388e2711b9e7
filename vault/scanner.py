"""A ClamAV client over clamd's INSTREAM protocol, failing closed (SPEC §9.2).

`zINSTREAM\\0`, then chunks each prefixed by a 4-byte big-endian length, then a zero length;
clamd answers `stream: OK\\0` or `stream: <name> FOUND\\0` (or an error line). Only the exact
`stream: OK` answer is clean: anything else (a finding, "size limit exceeded", an error, odd
text, silence past the timeout, a closed or missing socket) raises ScanRefused.
"""

import socket
import struct

from django.conf import settings

CLEAN = b"stream: OK"
MAX_REPLY = 4096


class ScanRefused(Exception):
    """The scanner did not say "clean". `reason` is one of: infected, unavailable, timeout,
    error. `finding` is the signature name (for the activity log, not for users)."""

    def __init__(self, reason: str, detail: str = "", *, finding: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.finding = finding


class ClamdStream:
    """One INSTREAM scan: `send()` plaintext chunks, then `finish()` for the verdict."""

    def __init__(self, *, socket_path: str | None = None, timeout: float | None = None):
        self.socket_path = socket_path or settings.CLAMD_SOCKET
        self.timeout = settings.CLAMD_TIMEOUT if timeout is None else timeout
        self._sock: socket.socket | None = None

    def open(self) -> "ClamdStream":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.socket_path)
            sock.sendall(b"zINSTREAM\0")
        except TimeoutError:
            sock.close()
            raise ScanRefused("timeout", "clamd did not accept the connection in time") from None
        except OSError as exc:
            sock.close()
            raise ScanRefused(
                "unavailable", f"clamd unreachable at {self.socket_path}: {exc}"
            ) from None
        self._sock = sock
        return self

    def send(self, chunk: bytes) -> None:
        if not chunk:
            return
        try:
            self._sock.sendall(struct.pack(">I", len(chunk)))
            self._sock.sendall(chunk)  # no concatenation: no copy of the segment
        except TimeoutError:
            raise ScanRefused("timeout", "clamd stopped reading the stream") from None
        except OSError as exc:
            # clamd closes the stream when it is over StreamMaxLength, or when it dies.
            raise ScanRefused("unavailable", f"clamd closed the stream: {exc}") from None

    def finish(self) -> None:
        """Send the end marker and read the verdict; returns only for `stream: OK`."""
        self.end()
        self.result()

    def end(self) -> None:
        """Send the end marker: clamd starts scanning what it received."""
        try:
            self._sock.sendall(struct.pack(">I", 0))
        except TimeoutError:
            self.close()
            raise ScanRefused("timeout", "clamd stopped reading the stream") from None
        except OSError as exc:
            self.close()
            raise ScanRefused("unavailable", f"clamd closed the stream: {exc}") from None

    def result(self) -> None:
        """Wait for the verdict of an ended stream; returns only for `stream: OK`."""
        try:
            reply = b""
            while b"\0" not in reply and len(reply) < MAX_REPLY:
                data = self._sock.recv(MAX_REPLY)
                if not data:
                    break
                reply += data
        except TimeoutError:
            raise ScanRefused("timeout", "clamd gave no verdict in time") from None
        except OSError as exc:
            raise ScanRefused("unavailable", f"clamd closed the connection: {exc}") from None
        finally:
            self.close()
        verdict(reply)

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def verdict(reply: bytes) -> None:
    """Judge clamd's raw reply. Exactly `stream: OK` (with its NUL terminator, or the connection
    closed right after it) is clean; everything else raises ScanRefused."""
    text = reply[:-1] if reply.endswith(b"\0") else reply
    if text == CLEAN:
        return
    if not reply:
        raise ScanRefused("unavailable", "clamd closed the connection without a verdict")
    printable = text.decode("utf-8", "replace")[:200]
    if text.startswith(b"stream: ") and text.endswith(b" FOUND") and b"\0" not in text:
        raise ScanRefused("infected", printable, finding=printable[len("stream: ") : -6])
    raise ScanRefused("error", f"unexpected answer from clamd: {printable!r}")


def scan_stream(chunks, **kwargs) -> None:
    """Scan an iterable of byte chunks in one INSTREAM session (raises ScanRefused)."""
    stream = ClamdStream(**kwargs).open()
    try:
        for chunk in chunks:
            stream.send(chunk)
        stream.finish()
    finally:
        stream.close()
