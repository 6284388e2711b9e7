"""Writing the activity log (SPEC §10.1–10.2). Records are pseudonymized at the source."""

import functools
import json
import re
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField
from django.utils import timezone

from rainbow_portal.crypto import encrypt_ip, new_binding, pseudonymize

from . import events
from .models import ActivityDrainBatch, ActivityRecord

# Keys whose values never enter a record, whatever a caller passes (SPEC §10.2).
SECRET_KEY_PATTERN = re.compile(
    r"pass|secret|token|code|otp|key|cookie|session|csrf|auth|content|body|message|pin",
    re.IGNORECASE,
)


# Values that look like secrets whatever their key (issue 10): tokens, codes, card numbers.
JWT = re.compile(r"\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*")
AUTH_SCHEME = re.compile(r"(?i)\b(bearer|token|basic|digest)\s+[\w.~+/=-]{8,}")
LONG_HEX = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{32,}(?![0-9A-Fa-f])")
LONG_BASE64 = re.compile(r"(?<![\w+/-])(?=[\w+/-]*\d)(?=[\w+/-]*[A-Za-z])[\w+/-]{32,}={0,2}")
CARD_LIKE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:[\w.-]*(?:pass|pwd|secret|token|key|code|otp|auth|session|sig)[\w.-]*)=)[^&#\s]*"
)
URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s:]+:[^/@\s]+@")
# Anything shaped like an email address, also URL-encoded (%40), is replaced whatever the key
# (SPEC §10.2: records are pseudonymized), should a caller put one into a detail by mistake.
# The local part keeps to the usual characters, so a query string's "email=" stays readable.
EMAIL_LIKE = re.compile(r"[\w.%+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+")
EMAIL_PLACEHOLDER = "[email]"
SIX_DIGITS = re.compile(r"^\s*\d{3}\s?\d{3}\s*$")
# Keys where a short numeric value is a one-time code rather than a count.
CODE_FIELDS = re.compile(r"(?i)code|otp|totp|pin|mfa|2fa|verif|reset|recovery|challenge|answer")
REMOVED = "[removed]"


def _luhn(digits: str) -> bool:
    total, parity = 0, len(digits) % 2
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == parity:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _secret_value(text: str) -> bool:
    if JWT.search(text) or AUTH_SCHEME.search(text) or LONG_HEX.search(text):
        return True
    if LONG_BASE64.search(text):
        return True
    for match in CARD_LIKE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and _luhn(digits):
            return True
    return False


def _clean_text(text: str, key: str = "") -> str | None:
    """The text without secrets it carries, or None when the whole value is one."""
    if "@" in text or "%40" in text:  # the cheap test first: scrub runs on every record
        text = URL_CREDENTIALS.sub(r"\1" + REMOVED + "@", text)
        text = EMAIL_LIKE.sub(EMAIL_PLACEHOLDER, text)
    text = SECRET_PARAM.sub(r"\1" + REMOVED, text)
    if key and CODE_FIELDS.search(key) and SIX_DIGITS.match(text):
        return None
    if _secret_value(text):
        return None
    return text


def scrub(data, key: str = ""):
    """Drop secret-looking keys and secret-looking values, recursively (SPEC §10.2): what is
    left is metadata only. Query-string secrets and URL credentials are cut out of a value."""
    if isinstance(data, dict):
        out = {}
        for k, v in data.items():
            if SECRET_KEY_PATTERN.search(str(k)):
                continue
            cleaned = scrub(v, str(k))
            if cleaned is not _DROP:
                out[str(k)] = cleaned
        return out
    if isinstance(data, list | tuple):
        return [c for c in (scrub(v, key) for v in data) if c is not _DROP]
    if isinstance(data, bool) or data is None or isinstance(data, float):
        return data
    if isinstance(data, int):
        if key and CODE_FIELDS.search(key) and 100_000 <= data <= 999_999:
            return _DROP
        if data >= 10**12 and _secret_value(str(data)):
            return _DROP
        return data
    cleaned = _clean_text(data if isinstance(data, str) else str(data), key)
    return _DROP if cleaned is None else cleaned


_DROP = object()


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


def _record_row(
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
) -> dict:
    """One record's row (the model's fields by attribute name), pseudonymized and scrubbed:
    what the request log queues as is (activity.queue_services), with no model instance to
    build on every request (issue 15)."""
    events.check(event)
    company_id = getattr(company, "pk", company)
    if company_id is None and actor is not None and getattr(actor, "is_authenticated", False):
        company_id = actor.company_id
    target_type, target_ref = target_reference(target)
    binding = new_binding() if ip else ""
    return dict(
        occurred_at=occurred_at or timezone.now(),
        kind=kind,
        event=event,
        method=method,
        route=route[:200],
        status_code=status_code,
        duration_ms=duration_ms,
        actor_pseudonym=actor_pseudonym(actor),
        ip_encrypted=encrypt_ip(ip, binding=binding) if ip else "",
        ip_binding=binding,
        company_id=company_id,
        region=settings.PORTAL_REGION,
        target_type=target_type,
        target_ref=target_ref,
        data=scrub(data or {}),
    )


def _record(**fields) -> ActivityRecord:
    """One unsaved record, pseudonymized and scrubbed (the arguments of `_record_row`)."""
    return ActivityRecord(**_record_row(**fields))


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


def activity_record_build(**fields) -> ActivityRecord:
    """One unsaved record (the arguments of `_record`): for a batch job that writes records
    of several events in one insert (retention's batches), with `activity_records_bulk`."""
    return _record(**fields)


def _as_is(value):
    return value


@functools.cache
def _copy_plan():
    """The COPY statement and, per column, how its value is written. psycopg adapts plain
    values (text, numbers, aware datetimes) itself; only the JSON column needs its text.
    Django's per-field preparation cost more CPU than the rest of a batch (issue 12)."""
    fields = [f for f in ActivityRecord._meta.concrete_fields if not f.primary_key]
    prepared = []
    for field in fields:
        if isinstance(field, JSONField):
            prepared.append((field.attname, functools.partial(json.dumps, cls=field.encoder)))
        else:
            prepared.append((field.attname, _as_is))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    return prepared, f"COPY {quote(ActivityRecord._meta.db_table)} ({columns}) FROM STDIN"


def activity_batch_insert(batch_id: str, records: list[ActivityRecord], *, rows: int) -> int:
    """A drained batch of request records (a Redis queue batch, a spool file) inserted unless
    an earlier drain already committed it: the batch's `ActivityDrainBatch` row (`rows`: the
    entries it held) and its records commit in one transaction. Returns how many were
    inserted, 0 when the batch was already in."""
    try:
        with transaction.atomic():
            _row, created = ActivityDrainBatch.objects.get_or_create(
                batch_id=batch_id, defaults={"rows": rows}
            )
            if not created:
                return 0
            activity_records_bulk(records)
    except IntegrityError:
        return 0  # another drain committed this very batch meanwhile
    return len(records)


def activity_records_bulk(records: list[ActivityRecord]) -> list[ActivityRecord]:
    """Insert unsaved records in one statement: PostgreSQL's COPY there (issue 12: a
    multi-row INSERT of a thousand records, sixteen parameters each, cost more CPU to build
    than the rows themselves), `bulk_create` elsewhere. Inside the caller's transaction
    either way. The records' primary keys stay unset after a COPY."""
    if not records:
        return records
    if connection.vendor != "postgresql":
        return ActivityRecord.objects.bulk_create(records, batch_size=1000)
    fields, statement = _copy_plan()
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for record in records:
            copy.write_row([prepare(getattr(record, name)) for name, prepare in fields])
    return records
