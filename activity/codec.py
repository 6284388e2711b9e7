"""One request record as a line of bytes: what the Redis queue (D15c.1) and the spool files
(D16sp.1) hold — the row as it will be stored (pseudonyms, sealed IP), nothing more."""

import json
from datetime import datetime

from .models import ActivityRecord

FIELDS = [
    f.attname for f in ActivityRecord._meta.concrete_fields if f.attname != "id"
]  # what a queued record carries: the row as it will be stored, nothing more


def _default(name: str):
    return ActivityRecord._meta.get_field(name).get_default()


def _encode(row: dict) -> bytes:
    # A field the row does not name gets the model's default, as a model instance would.
    row = {name: row[name] if name in row else _default(name) for name in FIELDS}
    row["occurred_at"] = row["occurred_at"].isoformat()
    return json.dumps(row, separators=(",", ":")).encode()


def _decode(raw: bytes) -> ActivityRecord:
    row = json.loads(raw)
    row["occurred_at"] = datetime.fromisoformat(row["occurred_at"])
    return ActivityRecord(**row)
