"""Company keys (SPEC §9.1): created on first use, rotated, shredded, and re-wrapped under a new
master key while the portal serves."""

import secrets
import uuid

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from activity.services import activity_record

from .. import keys
from ..errors import DecryptionError
from ..models import CompanyKey
from ..selectors import _company_id, company_key_current


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
    current = company_key_current(company=cid)
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
