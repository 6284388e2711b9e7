"""Reading protected data (SPEC §9.1). Every read names the company it expects the data to
belong to; data of another company, object or purpose raises DecryptionError."""

import functools
from collections.abc import Iterable, Iterator

from django.db import DEFAULT_DB_ALIAS, connections

from core.prepared import fetch_prepared
from core.rows import ModelColumns

from . import envelope
from .errors import DecryptionError
from .files import vault_storage
from .keys import Keyring
from .models import CompanyKey
from .storage import STORAGE_ERRORS, blob_reader

FILE_PURPOSE = "file"


def _company_id(company) -> int:
    return int(getattr(company, "pk", company))


@functools.cache
def _key_statements():
    """The two key reads, written once: every message page and every upload asks one of them,
    and the ORM spent longer compiling these one-table queries than PostgreSQL answering them
    (an upload's key lookup runs while clamd scans: issue 11's 1 MB target)."""
    columns = ModelColumns(CompanyKey, "k")
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    company = f"k.{quote(CompanyKey._meta.get_field('company').column)}"
    retired = f"k.{quote(CompanyKey._meta.get_field('retired_at').column)}"
    # Names from _meta, quoted; the company id is the one parameter.
    base = f"SELECT {columns.sql} FROM {columns.table} k WHERE {company} = %(company)s"  # noqa: S608  # nosec B608
    return columns, base, f"{base} AND {retired} IS NULL"


def _keys(sql: str, company_id: int, columns) -> list[CompanyKey]:
    rows = fetch_prepared(sql, {"company": company_id}, prefix="vault_keys")
    return [columns.build(row, 0) for row in rows]


def company_keyring(*, company) -> Keyring:
    """All key versions of a company in one query (retired and shredded ones included)."""
    cid = _company_id(company)
    columns, every, _current = _key_statements()
    return Keyring(cid, _keys(every, cid, columns))


def company_key_current(*, company) -> CompanyKey | None:
    """The company's current key version (at most one: vault_key_one_current_per_company)."""
    columns, _every, current = _key_statements()
    found = _keys(current, _company_id(company), columns)
    return found[0] if found else None


def _text_decrypt(keyring: Keyring, purpose: str, object_id: str, blob: bytes) -> str:
    blob = bytes(blob)
    header, header_len = envelope.parse_header(blob, kind=envelope.KIND_TEXT)
    company_key = keyring.raw_key(key_id=header.key_id, version=header.key_version)
    ctx = envelope.context(company_id=keyring.company_id, purpose=purpose, object_id=object_id)
    data_key = envelope.unwrap_data_key(header, company_key=company_key, ctx=ctx)
    plain = envelope.text_open(blob=blob, header_len=header_len, data_key=data_key, ctx=ctx)
    try:
        return plain.decode("utf-8")
    except UnicodeDecodeError:  # authenticated yet not text: written by something else
        raise DecryptionError("The decrypted data is not text.") from None


def text_decrypt(*, company, purpose: str, object_id: str, blob: bytes) -> str:
    """The plaintext of a blob made by `services.text_encrypt` with the same company, purpose
    and object id. One query (the company's keys). Raises `vault.DecryptionError`."""
    return _text_decrypt(company_keyring(company=company), purpose, str(object_id), blob)


def text_decrypt_many(*, company, purpose: str, items: Iterable[tuple[str, bytes]]) -> list[str]:
    """`text_decrypt` for many `(object_id, blob)` pairs of one company, in one query, in
    order (a message page decrypts its 50 rows with one query, whatever their number)."""
    keyring = company_keyring(company=company)
    return [_text_decrypt(keyring, purpose, str(oid), blob) for oid, blob in items]


def _file_segments(keyring: Keyring, object_id: str, storage_name: str) -> Iterator[bytes]:
    try:
        with blob_reader(storage=vault_storage(), name=storage_name) as fh:
            head = envelope.read_full(fh, envelope.FILE_HEADER_BYTES)
            header, header_len = envelope.parse_header(head, kind=envelope.KIND_FILE)
            company_key = keyring.raw_key(key_id=header.key_id, version=header.key_version)
            ctx = envelope.context(
                company_id=keyring.company_id, purpose=FILE_PURPOSE, object_id=object_id
            )
            data_key = envelope.unwrap_data_key(header, company_key=company_key, ctx=ctx)
            yield from envelope.segments_open(
                fh=fh, header=header, header_bytes=head[:header_len], data_key=data_key, ctx=ctx
            )
    except FileNotFoundError:
        raise DecryptionError("The encrypted file is missing from storage.") from None
    except STORAGE_ERRORS as exc:  # unreachable or refusing store, a read cut off
        raise DecryptionError(
            f"The encrypted file could not be read from storage ({type(exc).__name__})."
        ) from None


def file_open(*, company, object_id: str, stored, verify: bool = True) -> Iterator[bytes]:
    """The plaintext of a stored file as an iterator of chunks (≤ 256 KiB each).

    `stored` is the `StoredFile` that `file_store` returned, or any object with its
    `storage_name` (the caller's own row). With `verify=True` (the default) every segment is
    authenticated first, before this function returns, so a tampered, truncated, reordered
    or moved file raises `DecryptionError` here and not one byte of it is delivered; the
    returned iterator then decrypts again as it streams (each segment authenticated before it
    is yielded; memory stays flat). `verify=False` skips the first pass: a damaged segment
    then raises mid-stream, after the good segments before it were yielded."""
    keyring = company_keyring(company=company)
    storage_name = stored.storage_name
    object_id = str(object_id)
    if verify:
        for _ in _file_segments(keyring, object_id, storage_name):
            pass
    return _file_segments(keyring, object_id, storage_name)
