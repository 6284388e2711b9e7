"""Bounds for identifiers and lists that come from a request (security review finding 6).

An id beyond the database's bigint range makes SQLite raise OverflowError inside `pk__in`
(a 500), and PostgreSQL refuses NUL bytes in text parameters; both are refused as input, with
a clear 400 or form error, before any query runs."""

import datetime as dt

from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1  # the largest value of a bigint primary key
MAX_IDS_AT_ONCE = 1000


# --- Dates (issue 10): every date a person types stays within a sane range ---------------

MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2099, 12, 31)


def validate_date_range(value: dt.date, *, field: str = "date") -> None:
    """Refuse a date outside 2000-01-01..2099-12-31 (a typo, a fuzzer's year 9999, or a
    backdating to 1900), with the field's name for forms and the API's error format."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        value = value.date()
    if not MIN_DATE <= value <= MAX_DATE:
        message = f"Choose a date between {MIN_DATE:%Y-%m-%d} and {MAX_DATE:%Y-%m-%d}."
        raise ValidationError(message, code="date_range", params={"field": field})
