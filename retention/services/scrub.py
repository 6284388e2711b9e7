"""What T+30 scrubs outside the user's own rows (SPEC §8.3): the outbound emails that quote
the user's address or name, sealed ones included, and the admin log's labels that name them.
Called inside the anonymization batch's transaction (pipeline)."""

import re

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils.html import escape

from core.mail_bodies import bodies_open, bodies_seal
from core.models import OutboundEmail
from rainbow_portal.crypto import DecryptionError

from ..registry import ADMIN_LOG_LABELS, ANONYMOUS_NAME, SCRUB_TEXT, fields_for
from .sets import among

# Shorter terms would match inside unrelated words.
MIN_TERM = 3


def _containing(queryset, columns: list[str], terms: list[str]):
    """The rows of `queryset` where one of `columns` contains one of `terms`. On PostgreSQL
    one `LIKE ANY` per column whatever the number of terms (a Q of thousands of ORs costs
    seconds to compile)."""
    if connection.vendor != "postgresql":
        match = Q(pk__in=[])
        for term in terms:
            for column in columns:
                match |= Q(**{f"{column}__contains": term})
        return queryset.filter(match)
    patterns = ["%" + re.sub(r"([\\%_])", r"\\\1", t) + "%" for t in terms]
    meta, quote = queryset.model._meta, connection.ops.quote_name
    where = " OR ".join(f"{quote(meta.get_field(c).column)} LIKE ANY(%s)" for c in columns)
    # bandit B611 accepted: the column names come from the model's own fields; every term
    # is a parameter.
    condition = RawSQL(  # noqa: S611  # nosec B611
        f"({where})", [patterns] * len(columns), output_field=BooleanField()
    )
    return queryset.filter(condition)


def _sealed_outbound_scrub(*, terms: list[str]) -> None:
    """The sealed bodies (a conversation export waiting or failed for good, D17b.2) quote
    other people's names and messages, and no LIKE sees into them: each is opened, scrubbed
    and sealed again. Few rows: a body is wiped once sent. One that no longer opens could
    never be sent either, and goes."""
    for row in OutboundEmail.objects.exclude(body_sealed=b"").only("id", "body_sealed"):
        try:
            text, html = bodies_open(row)
        except DecryptionError:
            row.delete()
            continue
        new_text, new_html = text, html
        for term in terms:
            new_text = new_text.replace(term, ANONYMOUS_NAME)
            new_html = new_html.replace(escape(term), ANONYMOUS_NAME).replace(term, ANONYMOUS_NAME)
        if (new_text, new_html) != (text, html):
            row.body_sealed = bodies_seal(email_id=row.pk, text=new_text, html=new_html)
            row.save(update_fields=["body_sealed"])


def outbound_scrub(*, emails: list[str], names: list[str]) -> None:
    """Emails sent to the user go; emails sent to others lose the user's address and name."""
    OutboundEmail.objects.filter(among("to", emails)).delete()
    terms = [t for t in [*emails, *names] if len(t) >= MIN_TERM]
    if not terms:
        return
    _sealed_outbound_scrub(terms=terms)
    columns = fields_for("core.OutboundEmail", SCRUB_TEXT)
    rows = list(_containing(OutboundEmail.objects.all(), columns, terms))
    for row in rows:
        for column in columns:
            text = getattr(row, column)
            for term in terms:
                text = text.replace(term, ANONYMOUS_NAME)
            setattr(row, column, text)
    OutboundEmail.objects.bulk_update(rows, columns)


def admin_log_entries(*, user_ids: list[int]):
    """The admin log's entries whose label names one of the users: about the user row and
    about every listed model that points at it (registry.ADMIN_LOG_LABELS)."""
    match = Q(pk__in=[])
    for label, field in ADMIN_LOG_LABELS.items():
        model = apps.get_model(label)
        if field == "pk":
            ids = user_ids
        else:
            ids = model.objects.filter(among(field, user_ids)).values_list("pk", flat=True)
        object_ids = [str(i) for i in ids]
        if object_ids:
            ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
            match |= Q(content_type=ct) & among("object_id", object_ids)
    return LogEntry.objects.filter(match)


def _admin_log_mentions(*, terms: list[str]):
    """Entries about the listed models other than the user row whose label quotes a name or
    address: written before the labels named users by id, about rows since deleted (a role
    removed long ago), so no key finds them. A namesake's label is starred too."""
    terms = [t for t in terms if len(t) >= MIN_TERM]
    models = [apps.get_model(label) for label, field in ADMIN_LOG_LABELS.items() if field != "pk"]
    types = [ContentType.objects.get_for_model(m, for_concrete_model=False).pk for m in models]
    if not terms or not types:
        return LogEntry.objects.none()
    return _containing(LogEntry.objects.filter(content_type_id__in=types), ["object_repr"], terms)


def admin_log_scrub(*, user_ids: list[int], terms: list[str]) -> None:
    scrubbed = {"object_repr": ANONYMOUS_NAME, "change_message": ""}
    admin_log_entries(user_ids=user_ids).update(**scrubbed)
    _admin_log_mentions(terms=terms).update(**scrubbed)
