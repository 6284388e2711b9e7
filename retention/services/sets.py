"""A batch's ids as one parameter (the set-based statements of the pipeline).

`field__in=[... 500 ids ...]` costs Django and psycopg a placeholder per id to build and
parse, in every statement of every batch (the profile of bench/retention.py: a third of a
batch's Python time). On PostgreSQL `among(ids)` is `field IN (SELECT unnest(%s))`, one
array parameter whatever the batch size; elsewhere (SQLite) it is the plain list.
"""

from uuid import UUID

from django.db import connection
from django.db.models.expressions import RawSQL

# The array's type, named (psycopg sends a list of str as "unknown", which unnest refuses).
ARRAY_TYPES = ((bool, None), (int, "bigint[]"), (str, "text[]"), (UUID, "uuid[]"))


def among(ids):
    """The right-hand side of `field__in` for a batch's ids."""
    ids = list(ids)
    if connection.vendor != "postgresql" or not ids:
        return ids
    kind = next((name for t, name in ARRAY_TYPES if isinstance(ids[0], t)), None)
    if kind is None:
        return ids
    # bandit B611 accepted: the SQL is a constant, the ids are one parameter.
    return RawSQL(f"SELECT unnest(%s::{kind})", (ids,))  # noqa: S611  # nosec B611
