"""Bounds for identifiers and lists that come from a request (security review finding 6).

An id beyond the database's bigint range makes SQLite raise OverflowError inside `pk__in`
(a 500), and PostgreSQL refuses NUL bytes in text parameters; both are refused as input, with
a clear 400 or form error, before any query runs."""

MAX_ID = 2**63 - 1  # the largest value of a bigint primary key
MAX_IDS_AT_ONCE = 1000
