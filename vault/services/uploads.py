"""Files: scanned by clamd, hashed and encrypted in one pass, then committed to the vault
storage (SPEC §9.1, §9.2); and their removal."""

import contextlib
import hashlib
import logging
import os
import queue
import tempfile
import threading

from django.conf import settings
from django.utils.translation import gettext as _

from activity.services import activity_record
from rainbow_portal.exceptions import ApplicationError

from .. import envelope, keys
from ..files import StoredFile, new_storage_name, sniff_content_type, vault_storage
from ..scanner import ClamdStream, ScanRefused
from ..selectors import FILE_PURPOSE, _company_id
from ..storage import STORAGE_ERRORS, blob_commit, blob_delete
from .company_keys import company_key_current_or_create

logger = logging.getLogger(__name__)


MESSAGES = {
    "empty": "The file is empty.",
    "too_large": "The file is larger than the {limit} limit.",
    "infected": "The file was refused: the virus scanner flagged it as malicious.",
    "unavailable": "The file could not be checked for viruses, so it was not stored. "
    "Please try again in a few minutes.",
}


def _limit_label() -> str:
    cap = settings.UPLOAD_MAX_BYTES
    return f"{cap / 1024 / 1024:g} MB" if cap >= 1024 * 1024 else f"{cap} bytes"


def _refuse(*, reason: str, company_id: int, object_id: str, actor, size, finding: str = ""):
    data = {"reason": reason, "object_id": object_id, "size": size}
    if finding:
        data["finding"] = finding  # the signature name, for operations staff only
    activity_record(event="vault.upload.refused", actor=actor, company=company_id, data=data)
    key = reason if reason in MESSAGES else "unavailable"
    code = {"empty": "file_empty", "too_large": "file_too_large", "infected": "file_infected"}
    raise ApplicationError(
        MESSAGES[key].format(limit=_limit_label()),
        code=code.get(key, "scanner_unavailable"),
        fields={"file": [MESSAGES[key].format(limit=_limit_label())]},
    )


def _declared_size(upload) -> int | None:
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    try:
        position = upload.tell()
        upload.seek(0, os.SEEK_END)
        end = upload.tell()
        upload.seek(position)
        return end - position
    except (AttributeError, OSError, ValueError):
        return None


def _read_full(upload, size: int) -> bytes:
    parts, missing = [], size
    while missing:
        data = upload.read(missing)
        if not data:
            break
        parts.append(data)
        missing -= len(data)
    return b"".join(parts)


class _ScanSide(threading.Thread):
    """Feeds clamd from a bounded queue while the caller hashes and encrypts: the scan and the
    encryption overlap (socket writes, SHA-256 and AES-GCM all release the GIL), and memory
    holds at most a few segments whatever the file's size."""

    def __init__(self, stream: ClamdStream):
        super().__init__(name="vault-scan", daemon=True)
        self.stream = stream
        self.queue: queue.Queue = queue.Queue(maxsize=4)
        self.error: ScanRefused | None = None
        self.failed = threading.Event()
        # Set once the stream's end marker is sent (or the scan side is done): see file_store.
        self.ended = threading.Event()
        self.finish_requested = True

    def run(self):
        try:
            self._run()
        finally:
            self.ended.set()

    def _run(self):
        finish = True
        while True:
            chunk = self.queue.get()
            if chunk is None:
                finish = self.finish_requested
                break
            if self.error is not None:
                continue  # keep draining so that the reading side never blocks
            try:
                self.stream.send(chunk)
            except ScanRefused as exc:
                self._fail(exc)
            except Exception as exc:  # fail closed on anything unexpected too
                self._fail(ScanRefused("error", f"scanning failed: {exc!r}"))
        if finish and self.error is None:
            try:
                self.stream.end()
                self.ended.set()
                self.stream.result()
            except ScanRefused as exc:
                self._fail(exc)
            except Exception as exc:
                self._fail(ScanRefused("error", f"scanning failed: {exc!r}"))
        self.stream.close()

    def _fail(self, exc: ScanRefused) -> None:
        self.error = exc
        self.failed.set()

    def request_finish(self, finish: bool) -> None:
        """End the stream: with `finish`, ask clamd for its verdict; without, just hang up."""
        self.finish_requested = finish
        self.queue.put(None)

    def stop(self, *, finish: bool = True) -> None:
        self.request_finish(finish)
        self.join()


def _file_sealer(*, company_id: int, object_id: str, actor):
    row = company_key_current_or_create(company=company_id, actor=actor)
    ctx = envelope.context(company_id=company_id, purpose=FILE_PURPOSE, object_id=object_id)
    header, data_key = envelope.new_header(
        kind=envelope.KIND_FILE,
        company_key=keys.unwrap_company_key(row),
        key_id=str(row.key_id),
        key_version=row.version,
        ctx=ctx,
    )
    return row, envelope.SegmentSealer(header=header, data_key=data_key, ctx=ctx)


# Segments held before the company key is looked up: a file of at most this many is entirely
# with clamd before the key query (a round trip) and its encryption, which then overlap the
# scan; a larger one waits for the key after these. They are the very chunks the scan queue
# holds (shared, not copied): memory stays a few segments whatever the size.
EARLY_SEGMENTS = 4


class _Cipher:
    """Encrypts the segments into the temp file in order, the last one marked final (so one
    segment is kept back until the next arrives). The key is looked up lazily: after
    EARLY_SEGMENTS segments, or at the end for a small file."""

    def __init__(self, tmp, *, company_id: int, object_id: str, actor):
        self.tmp, self.company_id, self.object_id, self.actor = tmp, company_id, object_id, actor
        self.row = None
        self.sealer = None
        self.early: list[bytes] = []
        self.pending: bytes | None = None

    def _start(self) -> None:
        self.row, self.sealer = _file_sealer(
            company_id=self.company_id, object_id=self.object_id, actor=self.actor
        )
        self.tmp.write(self.sealer.header_bytes)
        early, self.early = self.early, []
        for segment in early:
            self._push(segment)

    def _push(self, segment: bytes) -> None:
        if self.pending is not None:
            self.tmp.write(self.sealer.seal(self.pending, final=False))
        self.pending = segment

    def add(self, segment: bytes) -> None:
        if self.sealer is not None:
            self._push(segment)
            return
        if len(self.early) == EARLY_SEGMENTS:
            self._start()
            self._push(segment)
        else:
            self.early.append(segment)

    def finish(self) -> None:
        if self.sealer is None:
            self._start()
        self.tmp.write(self.sealer.seal(self.pending, final=True))
        self.pending = None


def file_store(*, company, object_id: str, upload, actor) -> StoredFile:
    """Scan, encrypt and store an uploaded file in one pass (SPEC §9.1, §9.2).

    `upload` is a Django UploadedFile (read from its start) or any binary file object (read
    from its current position). `object_id` is the id of the caller's row for this file (the
    ciphertext is bound to it: pass the same id to `file_open`). Refusals raise
    ApplicationError (code `file_too_large`, `file_empty`, `file_infected` or
    `scanner_unavailable`) with a message for the user, after writing a
    `vault.upload.refused` activity record; nothing is stored then.

    The size is checked before clamd is contacted. Then each 256 KiB segment goes to clamd
    (INSTREAM, a thread) and to SHA-256 and AES-256-GCM (this thread) at once; the
    ciphertext goes to a temp file that is committed to the vault storage only after clamd's
    exact `stream: OK`, and deleted otherwise. Call it outside a transaction.atomic() block:
    a refusal's activity record must survive the ApplicationError, and a scan must not hold
    a transaction open."""
    cid = _company_id(company)
    object_id = str(object_id)
    cap = settings.UPLOAD_MAX_BYTES
    declared = _declared_size(upload)
    if declared is not None and declared > cap:
        _refuse(reason="too_large", company_id=cid, object_id=object_id, actor=actor, size=declared)
    if declared == 0:
        _refuse(reason="empty", company_id=cid, object_id=object_id, actor=actor, size=0)
    if hasattr(upload, "seek") and getattr(upload, "size", None) is not None:
        upload.seek(0)

    temp_dir = settings.VAULT_TEMP_DIR
    os.makedirs(temp_dir, exist_ok=True)
    tmp = tempfile.NamedTemporaryFile(dir=temp_dir, prefix="up-", delete=False)  # noqa: SIM115
    refusal: dict | None = None
    scan: _ScanSide | None = None
    try:
        try:
            scan = _ScanSide(ClamdStream().open())
        except ScanRefused as exc:
            refusal = {"reason": exc.reason, "size": declared}
        if scan is not None:
            scan.start()
            total, head = 0, b""
            hasher = hashlib.sha256()
            # A small file's hash waits until its scan has started: hashing before would hold
            # back the end of the stream, and clamd scans only once it has the whole stream.
            # Those segments are held anyway (_Cipher's early ones), so this costs no memory.
            unhashed: list[bytes] | None = []
            cipher = _Cipher(tmp, company_id=cid, object_id=object_id, actor=actor)
            while True:
                chunk = _read_full(upload, envelope.SEGMENT_SIZE)
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    refusal = {"reason": "too_large", "size": total}
                    break
                if len(head) < 4096:
                    head += chunk[: 4096 - len(head)]
                scan.queue.put(chunk)
                if unhashed is not None and len(unhashed) < EARLY_SEGMENTS:
                    unhashed.append(chunk)
                else:
                    for segment in unhashed or ():
                        hasher.update(segment)
                    unhashed = None
                    hasher.update(chunk)
                cipher.add(chunk)
                if scan.failed.is_set():
                    break
            if refusal is None and total == 0:
                refusal = {"reason": "empty", "size": 0}
            if refusal is None and not scan.failed.is_set():
                # clamd scans what it received only now: the key lookup of a small file, the
                # last segment's encryption and the ciphertext's fsync all run meanwhile.
                scan.request_finish(True)
                for segment in unhashed or ():
                    hasher.update(segment)  # releases the GIL: the scan side keeps sending
                # The key lookup holds the GIL in stretches longer than a socket write: begun
                # before the stream is all sent, it kept the scan side waiting for the GIL
                # (1 MB: the end marker 3 ms late, so the verdict too).
                scan.ended.wait()
                cipher.finish()
                tmp.flush()
                os.fsync(tmp.fileno())
                scan.join()
                row = cipher.row
            else:
                scan.stop(finish=False)
            if refusal is None and scan.error is not None:
                refusal = {
                    "reason": scan.error.reason,
                    "size": total,
                    "finding": scan.error.finding,
                }
        if refusal is not None:
            tmp.close()
            _refuse(company_id=cid, object_id=object_id, actor=actor, **refusal)
        try:
            name = blob_commit(storage=vault_storage(), name=new_storage_name(), tmp=tmp)
        except STORAGE_ERRORS as exc:  # a full disk, an unreachable object store: keep nothing
            logger.error("Vault storage refused a file: %s", exc)
            raise ApplicationError(
                _("The file could not be stored right now. Please try again later."),
                code="storage_unavailable",
                fields={"file": ["The file could not be stored right now."]},
            ) from None
        return StoredFile(
            storage_name=name,
            size=total,
            content_type=sniff_content_type(head),
            sha256=hasher.hexdigest(),
            key_id=str(row.key_id),
            key_version=row.version,
        )
    finally:
        if scan is not None and scan.is_alive():
            scan.stop(finish=False)
        tmp.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp.name)


def file_delete(*, stored, actor) -> bool:
    """Remove a stored file's blob (`stored`: a StoredFile or any object with
    `storage_name`). Idempotent: True when a blob was removed, False when none was there.
    The caller records its own activity (it knows the bubble and the file)."""
    return blob_delete(storage=vault_storage(), name=stored.storage_name)
