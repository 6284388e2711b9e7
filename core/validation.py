"""Bounds for identifiers and lists that come from a request (security review finding 6).

An id beyond the database's bigint range makes SQLite raise OverflowError inside `pk__in`
(a 500), and PostgreSQL refuses NUL bytes in text parameters; both are refused as input, with
a clear 400 or form error, before any query runs."""

import datetime as dt
import unicodedata

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


# --- Names (issue 10): no control or invisible characters -----------------------------------

ZWNJ, ZWJ = "\u200c", "\u200d"
# Always refused in a name (decision D10b.9): C0 and C1 controls with DEL; bidi embeddings,
# overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the bidi marks LRM, RLM and ALM,
# which reorder or hide text; zero-width space, word joiner and BOM (U+200B, U+2060, U+FEFF).
_REFUSED = (
    {chr(c) for c in range(0x00, 0x20)}
    | {chr(c) for c in range(0x7F, 0xA0)}
    | {chr(c) for c in range(0x202A, 0x202F)}
    | {chr(c) for c in range(0x2066, 0x206A)}
    | {"\u200e", "\u200f", "\u061c", "\u200b", "\u2060", "\ufeff"}
)


def _joins_script(ch: str) -> bool:
    """A letter or mark of a script where ZWJ/ZWNJ change how letters join (Arabic and
    Persian, Syriac, the Indic scripts, Sinhala, Myanmar…): anything from U+0590 on that is a
    letter or a combining mark."""
    return ord(ch) >= 0x0590 and unicodedata.category(ch)[0] in "LM"


def _emoji_part(ch: str) -> bool:
    code = ord(ch)
    return (
        unicodedata.category(ch) == "So"
        or 0x1F000 <= code <= 0x1FAFF
        or code in (0xFE0F, 0x20E3)
        or 0x1F3FB <= code <= 0x1F3FF
    )


def name_refusal(value: str) -> str | None:
    """Why `value` cannot be a name, or None. ZWNJ and ZWJ are allowed only between two
    characters of a script that needs them, and ZWJ also inside an emoji sequence."""
    for index, ch in enumerate(value or ""):
        if ch in _REFUSED:
            return _refusal(ch)
        if ch in (ZWNJ, ZWJ):
            before = value[index - 1] if index else ""
            after = value[index + 1] if index + 1 < len(value) else ""
            scripted = before and after and _joins_script(before) and _joins_script(after)
            emoji = ch == ZWJ and before and after and _emoji_part(before) and _emoji_part(after)
            if not (scripted or emoji):
                return _refusal(ch)
    return None


def _refusal(ch: str) -> str:
    return (
        f"Names cannot contain control or invisible characters (U+{ord(ch):04X} found): "
        "retype the name without it."
    )


def validate_name(value: str) -> None:
    """The one name validator for models, forms and serializers."""
    reason = name_refusal(value)
    if reason:
        raise ValidationError(reason, code="invisible_character")
