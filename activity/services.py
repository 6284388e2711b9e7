"""Writing the activity log (SPEC §10.1–10.2). Records are pseudonymized at the source."""

import re
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from rainbow_portal.crypto import encrypt_ip, pseudonymize

from . import events
from .models import ActivityRecord

# Keys whose values never enter a record, whatever a caller passes (SPEC §10.2).
SECRET_KEY_PATTERN = re.compile(
    r"pass|secret|token|code|otp|key|cookie|session|csrf|auth|content|body|message|pin",
    re.IGNORECASE,
)


def scrub(data):
    """Drop secret-looking keys, recursively. What is left is metadata only."""
    if isinstance(data, dict):
        return {str(k): scrub(v) for k, v in data.items() if not SECRET_KEY_PATTERN.search(str(k))}
    if isinstance(data, list | tuple):
        return [scrub(v) for v in data]
    if isinstance(data, str | int | float | bool) or data is None:
        return data
    return str(data)


def actor_pseudonym(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return pseudonymize("user", actor.pk)


def target_reference(target) -> tuple[str, str]:
    """(type, reference) for a target row. A person is pseudonymized like an actor."""
    if target is None:
        return "", ""
    label = f"{target._meta.app_label}.{target._meta.model_name}"
    if label == settings.AUTH_USER_MODEL.lower():
        return label, pseudonymize("user", target.pk)
    return label, str(target.pk)


def _record(
    *,
    event: str,
    actor=None,
    company=None,
    target=None,
    data: dict | None = None,
    ip: str | None = None,
    kind: str = ActivityRecord.Kind.ACTION,
    method: str = "",
    route: str = "",
    status_code: int | None = None,
    duration_ms: int | None = None,
    occurred_at: datetime | None = None,
) -> ActivityRecord:
    """One unsaved record, pseudonymized and scrubbed."""
    events.check(event)
    company_id = getattr(company, "pk", company)
    if company_id is None and actor is not None and getattr(actor, "is_authenticated", False):
        company_id = actor.company_id
    target_type, target_ref = target_reference(target)
    return ActivityRecord(
        occurred_at=occurred_at or timezone.now(),
        kind=kind,
        event=event,
        method=method,
        route=route[:200],
        status_code=status_code,
        duration_ms=duration_ms,
        actor_pseudonym=actor_pseudonym(actor),
        ip_encrypted=encrypt_ip(ip) if ip else "",
        company_id=company_id,
        region=settings.PORTAL_REGION,
        target_type=target_type,
        target_ref=target_ref,
        data=scrub(data or {}),
    )


def activity_record(**fields) -> ActivityRecord:
    """Write one record (the arguments of `_record`). Call it inside the service's
    transaction so that the record and the state change it describes commit, or roll back,
    together."""
    record = _record(**fields)
    record.save(force_insert=True)
    return record


def activity_record_bulk(
    *, event: str, entries: list[dict], actor=None, occurred_at: datetime | None = None
) -> list[ActivityRecord]:
    """One record per entry (`company`, `target`, `data`), in one insert: for a batch job
    that changes many rows in one transaction (the monthly invoices)."""
    when = occurred_at or timezone.now()
    return ActivityRecord.objects.bulk_create(
        [_record(event=event, actor=actor, occurred_at=when, **entry) for entry in entries]
    )
