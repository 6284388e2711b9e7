"""A batch's ids as one parameter (the set-based statements of the pipeline).

`field__in=[... 500 ids ...]` costs Django and psycopg a placeholder per id to build and
parse, in every statement of every batch (the profile of bench/retention.py: a third of a
batch's Python time). On PostgreSQL `among("field", ids)` is `field = ANY(%s::bigint[])`, one
array parameter whatever the batch size, which the planner reads like the literal list (an
index scan on the column). `field IN (SELECT unnest(%s))` was tried first: the planner
guesses 200 rows for the subquery and scans the whole table (measured: 16 ms instead of 2 ms
for the memberships of 500 accounts among 20,000, growing with the table). Elsewhere
(SQLite) it is the plain `field__in` list.
"""

from uuid import UUID

from django.db import connection
from django.db.models import F, Lookup, Q

# The array's type, named (psycopg sends a list of str as "unknown").
ARRAY_TYPES = ((bool, None), (int, "bigint[]"), (str, "text[]"), (UUID, "uuid[]"))
LITERAL_TYPES = {"bigint[]", "uuid[]"}


class AnyOf(Lookup):
    """`lhs = ANY(%s::<type>[])`, the whole list as one parameter (PostgreSQL)."""

    lookup_name = "retention_any_of"
    prepare_rhs = False

    def __init__(self, lhs, rhs, array_type: str):
        self.array_type = array_type
        super().__init__(lhs, rhs)

    def get_prep_lookup(self):
        if self.array_type in LITERAL_TYPES:
            # Numbers and UUIDs need no escaping: the array's text form, one str for psycopg
            # to send, instead of a list it adapts element by element (issue 12's profile:
            # a tenth of a batch's Python time went to dumping these lists).
            return "{" + ",".join(str(value) for value in self.rhs) + "}"
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::{self.array_type})", (*lhs_params, self.rhs)


def among(field: str, ids) -> Q:
    """The condition "`field` is one of the batch's `ids`", for `filter()` or `Q` algebra."""
    ids = list(ids)
    kind = next((name for t, name in ARRAY_TYPES if ids and isinstance(ids[0], t)), None)
    if connection.vendor != "postgresql" or kind is None:
        return Q(**{f"{field}__in": ids})
    return Q(AnyOf(F(field), ids, kind))
