"""Operations on the activity log (SPEC §10.3–10.5): the 12-month purge, the operations
staff's search (pseudonyms resolved and IPs decrypted only here) and a company's extraction.

The purge deletes in batches through the `occurred_at` index (decision D12.4: measured
against monthly partitions in bench/activity.py, docs/performance.md).
"""

import calendar
import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from accounts.models import User
from activity.models import ActivityRecord
from companies.models import Company
from rainbow_portal.crypto import DecryptionError, decrypt_ip, pseudonymize
from rainbow_portal.exceptions import ApplicationError

from .. import policies

# Decrypting is per row (the IP is sealed with a random nonce): an IP filter scans at most
# this many of the newest rows that match the other filters, and says so when it stops.
IP_SCAN_LIMIT = 50_000
PAGE_SIZE = 200


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall time `months` calendar months earlier; a day the month lacks becomes
    its last (2028-02-29 → 2027-02-28)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def activity_retention_cutoff(now: datetime) -> datetime:
    """SPEC §10.3 says "12 months", not 365 days (a year holding 29 February is longer);
    counted in UTC like every date of the retention app (SPEC §8.5)."""
    return months_before(now.astimezone(UTC), settings.ACTIVITY_RETENTION_MONTHS)


def activity_purge(*, now: datetime | None = None, batch_size: int = 0) -> int:
    """Delete records older than the retention period, one batch per transaction."""
    now = now or timezone.now()
    cutoff = activity_retention_cutoff(now)
    batch_size = batch_size or settings.ACTIVITY_PURGE_BATCH
    table = ActivityRecord._meta.db_table
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            # bandit B608 accepted: the table name is the model's own, every value a parameter.
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN (SELECT id FROM {table} "  # noqa: S608  # nosec B608
                "WHERE occurred_at < %s ORDER BY occurred_at LIMIT %s)",
                [cutoff, batch_size],
            )
            deleted = cursor.rowcount
        total += deleted
        if deleted < batch_size:
            break
    activity.record(event="activity.purged", data={"count": total, "cutoff": cutoff.isoformat()})
    return total


@dataclass
class ActivityFilter:
    email: str = ""
    company: str = ""
    ip: str = ""
    since: datetime | None = None
    until: datetime | None = None
    request_type: str = ""

    def used(self) -> list[str]:
        return [k for k, v in self.__dict__.items() if v]


@dataclass
class Row:
    record: ActivityRecord
    ip: str = ""
    actor_email: str = ""
    target_email: str = ""


@dataclass
class SearchResult:
    rows: list[Row] = field(default_factory=list)
    truncated: bool = False
    scanned: int = 0
    note: str = ""


def _filtered(f: ActivityFilter):
    qs = ActivityRecord.objects.all().order_by("-occurred_at", "-id")
    if f.email:
        user = User.objects.filter(email__iexact=f.email.strip()).first()
        if user is None:
            # A deleted account is gone; operations may still pass its pseudonym.
            value = f.email.strip().lower()
            if len(value) == 32 and all(c in "0123456789abcdef" for c in value):
                qs = qs.filter(actor_pseudonym=value)
            else:
                return qs.none(), "No account has this email address."
        else:
            p = pseudonymize("user", user.pk)
            qs = qs.filter(actor_pseudonym=p) | qs.filter(target_ref=p)
    if f.company:
        company = Company.objects.filter(slug=f.company.strip()).first()
        if company is None:
            return qs.none(), "No company has this short name."
        qs = qs.filter(company_id=company.pk)
    if f.since:
        qs = qs.filter(occurred_at__gte=f.since)
    if f.until:
        qs = qs.filter(occurred_at__lt=f.until)
    if f.request_type:
        term = f.request_type.strip()
        method, _sep, route = term.partition(" ")
        if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}:
            qs = qs.filter(method=method.upper())
            if route:
                qs = qs.filter(route__icontains=route.strip())
        else:
            qs = qs.filter(route__icontains=term) | qs.filter(event__icontains=term)
    return qs, ""


def _ip(record: ActivityRecord) -> str:
    if not record.ip_encrypted:
        return ""
    try:
        return decrypt_ip(record.ip_encrypted, binding=record.ip_binding)
    except (DecryptionError, ValueError):
        return "(undecryptable)"


def _resolver(records: list[ActivityRecord]) -> dict[str, str]:
    """pseudonym -> email for the accounts of the companies on the page (and the actors'
    own companies): HMAC cannot be inverted, so candidates are hashed and matched."""
    company_ids = {r.company_id for r in records if r.company_id is not None}
    candidates = User.objects.filter(company_id__in=company_ids).values_list("pk", "email")
    table = {pseudonymize("user", pk): email for pk, email in candidates}
    missing = {r.actor_pseudonym for r in records if r.actor_pseudonym} - set(table)
    if missing:  # staff and other companies' actors: hash the rest only when needed
        for pk, email in User.objects.exclude(company_id__in=company_ids).values_list(
            "pk", "email"
        ):
            table[pseudonymize("user", pk)] = email
    return table


def activity_search(*, actor, filters: ActivityFilter, limit: int = PAGE_SIZE) -> SearchResult:
    policies.require_operations(actor)
    if filters.since and filters.until and filters.since >= filters.until:
        raise ApplicationError(_("The start of the time range must be before its end."))
    qs, note = _filtered(filters)
    result = SearchResult(note=note)
    if filters.ip:
        wanted = filters.ip.strip()
        found = []
        for record in qs.iterator(chunk_size=2000):
            result.scanned += 1
            if _ip(record) == wanted:
                found.append(record)
                if len(found) >= limit:
                    break
            if result.scanned >= IP_SCAN_LIMIT:
                result.truncated = True
                break
        records = found
    else:
        records = list(qs[: limit + 1])
        result.truncated = len(records) > limit
        records = records[:limit]
    resolve = _resolver(records)
    result.rows = [
        Row(
            record=r,
            ip=_ip(r),
            actor_email=resolve.get(r.actor_pseudonym, ""),
            target_email=resolve.get(r.target_ref, "") if r.target_type == "accounts.user" else "",
        )
        for r in records
    ]
    activity.record(
        event="activity.searched",
        actor=actor,
        data={"filters": filters.used(), "rows": len(result.rows)},
    )
    return result


CSV_COLUMNS = [
    "occurred_at",
    "kind",
    "event",
    "method",
    "route",
    "status_code",
    "duration_ms",
    "actor_pseudonym",
    "actor_email",
    "ip",
    "region",
    "target_type",
    "target_ref",
]


def activity_extract(*, actor, company: Company, since: datetime, out=None) -> int:
    """Write the company's records since `since` as CSV to `out` (a text stream); the
    extraction itself is recorded (SPEC §10.4). Actors are resolved only to the company's
    own members: anyone else (operators, partners) stays a pseudonym."""
    if actor is not None:
        policies.require_operations(actor)
    out = out if out is not None else io.StringIO()
    members = {
        pseudonymize("user", pk): email
        for pk, email in User.objects.filter(company=company).values_list("pk", "email")
    }
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    qs = ActivityRecord.objects.filter(company_id=company.pk, occurred_at__gte=since).order_by(
        "occurred_at", "id"
    )
    for r in qs.iterator(chunk_size=2000):
        writer.writerow(
            [
                r.occurred_at.isoformat(),
                r.kind,
                r.event,
                r.method,
                r.route,
                r.status_code if r.status_code is not None else "",
                r.duration_ms if r.duration_ms is not None else "",
                r.actor_pseudonym,
                members.get(r.actor_pseudonym, ""),
                _ip(r),
                r.region,
                r.target_type,
                r.target_ref,
            ]
        )
        count += 1
    activity.record(
        event="activity.extracted",
        actor=actor,
        company=company.pk,
        data={
            "since": since.isoformat(),
            "rows": count,
            "via": "command" if actor is None else "page",
        },
    )
    return count
