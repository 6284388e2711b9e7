"""One request record as a line of bytes: what the Redis queue (D15c.1) and the spool files
(D16sp.1) hold — the row as it will be stored (pseudonyms, sealed IP), nothing more."""

import json
from datetime import datetime

from .models import ActivityRecord

FIELDS = [
    f.attname for f in ActivityRecord._meta.concrete_fields if f.attname != "id"
]  # what a queued record carries: the row as it will be stored, nothing more


def _encode(row: dict) -> bytes:
    row = {name: row[name] for name in FIELDS}
    row["occurred_at"] = row["occurred_at"].isoformat()
    return json.dumps(row, separators=(",", ":")).encode()


def _decode(raw: bytes) -> ActivityRecord:
    row = json.loads(raw)
    row["occurred_at"] = datetime.fromisoformat(row["occurred_at"])
    return ActivityRecord(**row)
