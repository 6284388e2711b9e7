"""Writing protected data and managing keys (SPEC §9.1, §9.2). The only writers of the vault.

Public API (used by bubbles and retention):
    text_encrypt(company=, purpose=, object_id=, plaintext=) -> bytes
    file_store(company=, object_id=, upload=, actor=) -> StoredFile
    file_delete(stored=, actor=) -> bool
    company_key_rotate(company=, actor=) -> CompanyKey
    company_key_shred(company=, actor=) -> int
    master_key_rewrap(actor=) -> dict
"""

import contextlib
import hashlib
import logging
import os
import queue
import secrets
import tempfile
import threading
import uuid

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from activity.services import activity_record
from rainbow_portal.exceptions import ApplicationError

from . import envelope, keys
from .errors import DecryptionError
from .files import StoredFile, new_storage_name, sniff_content_type, vault_storage
from .models import CompanyKey
from .scanner import ClamdStream, ScanRefused
from .selectors import FILE_PURPOSE, _company_id

logger = logging.getLogger(__name__)

# --- company keys ------------------------------------------------------------------------------


def _key_create(*, company_id: int, version: int) -> CompanyKey:
    key_id = uuid.uuid4()
    master_id, wrapped = keys.wrap_company_key(
        raw=secrets.token_bytes(keys.COMPANY_KEY_BYTES),
        company_id=company_id,
        key_id=str(key_id),
        version=version,
    )
    return CompanyKey.objects.create(
        company_id=company_id,
        key_id=key_id,
        version=version,
        wrapped_key=wrapped,
        master_key_id=master_id,
    )


def _next_version(company_id: int) -> int:
    top = CompanyKey.objects.filter(company_id=company_id).aggregate(top=Max("version"))["top"]
    return (top or 0) + 1


def company_key_current_or_create(*, company, actor=None) -> CompanyKey:
    """The company's current key version, created (v1, or the next after a shredding) when
    there is none. Safe under concurrency: a second writer racing the first reuses its key."""
    cid = _company_id(company)
    current = CompanyKey.objects.filter(company_id=cid, retired_at__isnull=True).first()
    if current is not None:
        return current
    try:
        with transaction.atomic():
            row = _key_create(company_id=cid, version=_next_version(cid))
            activity_record(
                event="vault.key.created",
                actor=actor,
                company=cid,
                target=row,
                data={"version": row.version, "master_key_id": row.master_key_id},
            )
            return row
    except IntegrityError:
        return CompanyKey.objects.get(company_id=cid, retired_at__isnull=True)


def company_key_rotate(*, company, actor) -> CompanyKey:
    """A new key version for the company's new data; older versions are retired but still
    decrypt what they encrypted (nothing is re-encrypted)."""
    cid = _company_id(company)
    with transaction.atomic():
        current = (
            CompanyKey.objects.select_for_update()
            .filter(company_id=cid, retired_at__isnull=True)
            .first()
        )
        if current is not None:
            current.retired_at = timezone.now()
            current.save(update_fields=["retired_at"])
        row = _key_create(company_id=cid, version=_next_version(cid))
        activity_record(
            event="vault.key.rotated",
            actor=actor,
            company=cid,
            target=row,
            data={"version": row.version, "previous_version": getattr(current, "version", None)},
        )
    return row


def company_key_shred(*, company, actor) -> int:
    """Crypto-shredding: destroy every key version of the company, so all its encrypted
    messages and files become unreadable (DecryptionError), wherever copies of the blobs are.
    Returns the number of versions destroyed (0 when already shredded: idempotent). Data
    written afterwards gets a fresh key."""
    cid = _company_id(company)
    with transaction.atomic():
        rows = list(
            CompanyKey.objects.select_for_update().filter(company_id=cid, shredded_at__isnull=True)
        )
        now = timezone.now()
        for row in rows:
            row.wrapped_key = b""
            row.shredded_at = now
            row.retired_at = row.retired_at or now
            row.save(update_fields=["wrapped_key", "shredded_at", "retired_at"])
        if rows:
            activity_record(
                event="vault.key.shredded",
                actor=actor,
                company=cid,
                data={"versions": sorted(r.version for r in rows)},
            )
    keys.clear_cache()
    return len(rows)


def master_key_rewrap(*, actor=None, batch_size: int = 200, limit: int | None = None) -> dict:
    """Re-wrap every company key not yet under the current master key (DATA_MASTER_KEY),
    one row per transaction, so the portal keeps serving and an interrupted run resumes where
    it stopped. Idempotent: a second run re-wraps nothing. `limit` stops after that many
    re-wraps (a run in steps). Returns a summary."""
    current = keys.current_master_key_id()
    summary = {
        "master_key_id": current,
        "rewrapped": 0,
        "already_current": 0,
        "shredded": 0,
        "failed": [],
    }
    last_pk = 0
    while True:
        batch = list(
            CompanyKey.objects.filter(pk__gt=last_pk)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not batch or (limit is not None and summary["rewrapped"] >= limit):
            break
        for pk in batch:
            if limit is not None and summary["rewrapped"] >= limit:
                break
            last_pk = pk
            with transaction.atomic():
                row = CompanyKey.objects.select_for_update().get(pk=pk)
                if row.shredded_at is not None:
                    summary["shredded"] += 1
                    continue
                if row.master_key_id == current:
                    summary["already_current"] += 1
                    continue
                try:
                    raw = keys.unwrap_company_key(row)
                except DecryptionError as exc:
                    summary["failed"].append(
                        {"company_id": row.company_id, "version": row.version, "error": str(exc)}
                    )
                    continue
                previous = row.master_key_id
                row.master_key_id, row.wrapped_key = keys.wrap_company_key(
                    raw=raw, company_id=row.company_id, key_id=str(row.key_id), version=row.version
                )
                row.save(update_fields=["master_key_id", "wrapped_key"])
                activity_record(
                    event="vault.key.rewrapped",
                    actor=actor,
                    company=row.company_id,
                    target=row,
                    data={"version": row.version, "from": previous, "to": current},
                )
                summary["rewrapped"] += 1
    summary["remaining_on_previous"] = (
        CompanyKey.objects.filter(shredded_at__isnull=True).exclude(master_key_id=current).count()
    )
    return summary


# --- text ----------------------------------------------------------------------------------------


def text_encrypt(*, company, purpose: str, object_id: str, plaintext: str) -> bytes:
    """Encrypt a text (a message body) for one object: a fresh data key wrapped by the
    company's current key; the blob is bound to company, purpose and object id (decrypting it
    under any other raises DecryptionError). Store the returned bytes in a BinaryField."""
    row = company_key_current_or_create(company=company)
    company_key = keys.unwrap_company_key(row)
    ctx = envelope.context(company_id=row.company_id, purpose=purpose, object_id=str(object_id))
    header, data_key = envelope.new_header(
        kind=envelope.KIND_TEXT,
        company_key=company_key,
        key_id=str(row.key_id),
        key_version=row.version,
        ctx=ctx,
    )
    return envelope.text_seal(
        header=header, data_key=data_key, ctx=ctx, plaintext=plaintext.encode("utf-8")
    )


# --- files ---------------------------------------------------------------------------------------

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
        self.finish_requested = True

    def run(self):
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
                self.stream.finish()
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


class _CiphertextFile(File):
    """The encrypted temp file; FileSystemStorage moves it into place instead of copying."""

    def temporary_file_path(self):
        return self.file.name


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
            total, head, pending, sealer = 0, b"", None, None
            hasher = hashlib.sha256()
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
                hasher.update(chunk)
                if sealer is None:
                    # The key lookup (a query) runs while clamd already reads the first segment.
                    row, sealer = _file_sealer(company_id=cid, object_id=object_id, actor=actor)
                    tmp.write(sealer.header_bytes)
                if pending is not None:
                    tmp.write(sealer.seal(pending, final=False))
                pending = chunk
                if scan.failed.is_set():
                    break
            if refusal is None and pending is None:
                refusal = {"reason": "empty", "size": 0}
            if refusal is None and not scan.failed.is_set():
                tmp.write(sealer.seal(pending, final=True))
                scan.request_finish(True)
                # clamd scans what it received only now: make the ciphertext durable meanwhile.
                tmp.flush()
                os.fsync(tmp.fileno())
                scan.join()
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
        tmp.seek(0)
        try:
            name = vault_storage().save(new_storage_name(), _CiphertextFile(tmp))
        except OSError as exc:  # a full disk, an unreachable object store: say so, keep nothing
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
    storage = vault_storage()
    name = stored.storage_name
    if not name or not storage.exists(name):
        return False
    storage.delete(name)
    return True
