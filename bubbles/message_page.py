"""The conversation's pages (SPEC §6.6): keyset cursors and the message page, read by one
prepared statement (issue 11). Re-exported by bubbles.selectors."""

import base64
import binascii
import functools
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from accounts.models import User
from core.prepared import fetch_prepared
from core.rows import FieldColumns, ModelColumns
from rainbow_portal.exceptions import ApplicationError
from vault import DecryptionError

from .models import Bubble, BubbleFile, BubbleMember, Message, member_display_name
from .sealing import open_bodies, open_body

PAGE_SIZE = 50


# --- Messages: keyset pagination (constant query count whatever the page) ---------------


def encode_cursor(message: Message) -> str:
    raw = f"{message.created_at.isoformat()}|{message.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|", 1)
        return datetime.fromisoformat(at), uuid.UUID(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApplicationError(
            _("This page link is not valid."), fields={"before": ["Invalid cursor."]}
        ) from None


@dataclass(slots=True)
class PageMessage:
    """A message as its page shows it: plain values, no model instance (a page reads 50 of
    them on every view, and building message, author and account instances for each cost
    more than the rest of the query)."""

    id: uuid.UUID
    created_at: datetime
    author_id: int
    author_name: str
    body_sealed: bytes
    bubble: Bubble
    body: str = ""
    live_files: list = field(default_factory=list)
    is_last: bool = False

    @property
    def pk(self) -> uuid.UUID:
        return self.id


# One statement, written once (an ORM query with these joins costs more CPU to compile than
# the index walk costs PostgreSQL): the page's messages with their authors' names and their
# live files, and on a deeper page the conversation's last live message id, so that "delete
# my last message" shows on the right row whatever the page. The inner SELECT walks the keyset
# index (bubbles_message_keyset) backwards from the cursor and stops at the page's size; the
# files are joined to those rows only (one row per file, a message without files once).
_PAGE_SQL = """
SELECT {outer}, m.guest_email, m.email, m.first_name, m.last_name, m.last_id, {files}
FROM (
  SELECT {inner}, a.guest_email, u.email, u.first_name, u.last_name, {last} AS last_id
  FROM {messages} m
  JOIN {members} a ON a.id = m.author_id
  LEFT JOIN {users} u ON u.id = a.user_id
  WHERE m.bubble_id = %(bubble)s AND m.deleted_at IS NULL{keyset}
  ORDER BY m.created_at DESC, m.id DESC
  LIMIT %(limit)s
) m
LEFT JOIN {file_table} f ON f.message_id = m.id AND f.deleted_at IS NULL
ORDER BY m.created_at DESC, m.id DESC, f.created_at, f.id
"""
_LAST_SQL = (
    "(SELECT l.id FROM {messages} l WHERE l.bubble_id = %(bubble)s AND l.deleted_at IS NULL"
    " ORDER BY l.created_at DESC, l.id DESC LIMIT 1)"
)
_MESSAGE_COLUMNS = ["id", "created_at", "author_id", "body_sealed"]


@functools.cache
def _page_statement(deep: bool) -> tuple[str, FieldColumns, ModelColumns]:
    columns = FieldColumns(Message, "m", _MESSAGE_COLUMNS)
    files = ModelColumns(BubbleFile, "f")
    tables = {
        "messages": Message._meta.db_table,
        "members": BubbleMember._meta.db_table,
        "users": User._meta.db_table,
    }
    sql = _PAGE_SQL.format(
        outer=columns.sql,
        inner=columns.sql,
        files=files.sql,
        file_table=files.table,
        last=_LAST_SQL.format(**tables) if deep else "NULL",
        keyset=" AND (m.created_at, m.id) < (%(at)s, %(pk)s)" if deep else "",
        **tables,
    )
    return sql, columns, files


def message_page(*, bubble: Bubble, before: str = "", limit: int = PAGE_SIZE):
    """(messages newest first as `PageMessage`s, each with `.body` opened, `.live_files` and
    `.is_last` — the conversation's last message —, cursor of the next page or ""). Two
    queries whatever the bubble's size and the page: the messages with their authors and
    files, and the company's keys to open the bodies."""
    limit = max(1, min(int(limit), 200))
    connection = connections[DEFAULT_DB_ALIAS]
    params = {"bubble": bubble.pk, "limit": limit + 1}
    if before:
        at, pk = decode_cursor(before)
        # As the ORM would send them (SQLite keeps UUIDs as hex and datetimes as UTC text).
        params["at"] = Message._meta.get_field("created_at").get_db_prep_value(at, connection)
        params["pk"] = Message._meta.pk.get_db_prep_value(pk, connection)
    sql, columns, files = _page_statement(bool(before))
    rows = fetch_prepared(sql, params, prefix="bubble_page")
    page, last_id, seen = [], None, 0
    width = columns.width
    for row in rows:
        pk, created_at, author_id, sealed = columns.values(row)
        if not page or page[-1].id != pk:
            seen += 1
            if seen > limit:  # the row that says an older page exists
                break
            guest_email, email, first, last, last_id = row[width : width + 5]
            page.append(
                PageMessage(
                    id=pk,
                    created_at=created_at,
                    author_id=author_id,
                    author_name=member_display_name(
                        guest_email=guest_email, email=email, first_name=first, last_name=last
                    ),
                    body_sealed=bytes(sealed),
                    bubble=bubble,  # known: no join, no copy of the bubble per row
                )
            )
        bubble_file = files.build(row, width + 5)
        if bubble_file is not None:
            page[-1].live_files.append(bubble_file)
    more = seen > limit
    if isinstance(last_id, str):  # SQLite answers the subquery's UUID as hex text
        last_id = uuid.UUID(last_id)
    for index, (message, body) in enumerate(zip(page, opened_bodies(page), strict=True)):
        message.body = body
        message.is_last = message.id == last_id if before else index == 0
    return page, (encode_cursor(page[-1]) if more and page else "")


UNREADABLE = "(This message cannot be read.)"


def opened_bodies(messages, *, unreadable=UNREADABLE) -> list:
    """Bodies in one query; a body that fails to open (tampered, or its key shredded) reads
    as `unreadable` instead of taking the whole page (or export) down."""
    try:
        return open_bodies(messages)
    except DecryptionError:
        out = []
        for message in messages:
            try:
                out.append(open_body(message=message))
            except DecryptionError:
                out.append(unreadable)
        return out
