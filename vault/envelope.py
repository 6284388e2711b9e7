"""Ciphertext formats (SPEC §9.1): pure functions, no database.

Every ciphertext starts with a header naming its company key (id and version) and carrying the
object's own data key, wrapped by that company key:

    magic "RBV" | format 1 | kind (1 text, 2 file) | company key id (16) | key version (u32)
    | wrapped data key length (u8) | wrapped data key
    [file only: segment size (u32) | nonce prefix (7)]

The associated data of every seal is the whole header plus the object's context (company id,
purpose, object id, each length-prefixed), so a blob moved to another row, purpose or company,
or a header edited in place, fails authentication.

Text: header | nonce (12) | AES-256-GCM(data key, plaintext).
File: header | segment 0 | segment 1 | ... ; each segment is AES-256-GCM of up to `segment
size` plaintext bytes (+16-byte tag) with nonce = prefix (7) | counter (u32) | final flag (1),
and the counter and flag also in the associated data: a reordered, dropped, duplicated,
truncated or extended segment stream fails at the first segment that is out of place.
"""

import os
import struct
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from rainbow_portal.crypto import DecryptionError as _CryptoError
from rainbow_portal.crypto import seal, unseal

from .errors import DecryptionError

MAGIC = b"RBV"
FORMAT = 1
KIND_TEXT = 1
KIND_FILE = 2
DATA_KEY_BYTES = 32
TAG_BYTES = 16
NONCE_PREFIX_BYTES = 7
WRAPPED_DATA_KEY_BYTES = 1 + 12 + DATA_KEY_BYTES + TAG_BYTES  # crypto.seal's layout
SEGMENT_SIZE = 256 * 1024
# A header is read before it can be authenticated: refuse absurd segment sizes up front so an
# edited header cannot make a reader allocate gigabytes.
MIN_SEGMENT, MAX_SEGMENT = 4 * 1024, 8 * 1024 * 1024

_BASE = struct.Struct(">3sBB16sIB")  # magic, format, kind, key id, key version, wrapped length
_FILE_EXTRA = struct.Struct(">I7s")  # segment size, nonce prefix
TEXT_HEADER_BYTES = _BASE.size + WRAPPED_DATA_KEY_BYTES
FILE_HEADER_BYTES = TEXT_HEADER_BYTES + _FILE_EXTRA.size


def context(*, company_id: int, purpose: str, object_id: str) -> bytes:
    """The associated data naming what a ciphertext belongs to. An empty purpose or object id
    would bind a blob to nothing in particular: a programming error."""
    if not purpose or not str(object_id):
        raise ValueError("Encryption needs a purpose and an object id.")
    parts = [b"rainbow.vault", str(company_id).encode(), purpose.encode(), str(object_id).encode()]
    return b"".join(struct.pack(">I", len(p)) + p for p in parts)


@dataclass(frozen=True)
class Header:
    kind: int
    key_id: str
    key_version: int
    wrapped_data_key: bytes
    segment_size: int = 0
    nonce_prefix: bytes = b""

    def pack(self) -> bytes:
        base = _BASE.pack(
            MAGIC,
            FORMAT,
            self.kind,
            uuid.UUID(self.key_id).bytes,
            self.key_version,
            len(self.wrapped_data_key),
        )
        out = base + self.wrapped_data_key
        if self.kind == KIND_FILE:
            out += _FILE_EXTRA.pack(self.segment_size, self.nonce_prefix)
        return out


def parse_header(data: bytes, *, kind: int) -> tuple[Header, int]:
    """(header, its length in bytes). Raises DecryptionError on anything that is not ours."""
    if len(data) < _BASE.size or data[:3] != MAGIC:
        raise DecryptionError("This is not data encrypted by the portal (unknown format).")
    _magic, fmt, found_kind, key_id, version, wrapped_len = _BASE.unpack_from(data)
    if fmt != FORMAT or found_kind != kind or wrapped_len != WRAPPED_DATA_KEY_BYTES:
        raise DecryptionError("This encrypted data has an unknown format or kind.")
    end = _BASE.size + wrapped_len
    wrapped = data[_BASE.size : end]
    segment_size, prefix = 0, b""
    if kind == KIND_FILE:
        if len(data) < end + _FILE_EXTRA.size:
            raise DecryptionError("The encrypted file is truncated (incomplete header).")
        segment_size, prefix = _FILE_EXTRA.unpack_from(data, end)
        end += _FILE_EXTRA.size
        if not MIN_SEGMENT <= segment_size <= MAX_SEGMENT:
            raise DecryptionError("The encrypted file's header was altered.")
    if len(wrapped) != wrapped_len:
        raise DecryptionError("The encrypted data is truncated (incomplete header).")
    header = Header(
        found_kind, str(uuid.UUID(bytes=key_id)), version, wrapped, segment_size, prefix
    )
    return header, end


def _wrap_aad(ctx: bytes, kind: int, key_id: str, version: int) -> bytes:
    return b"dek|" + bytes([kind]) + uuid.UUID(key_id).bytes + struct.pack(">I", version) + ctx


def new_header(
    *, kind: int, company_key: bytes, key_id: str, key_version: int, ctx: bytes
) -> tuple[Header, bytes]:
    """A fresh data key, wrapped by the company key: (header, raw data key)."""
    data_key = AESGCM.generate_key(bit_length=256)
    wrapped = seal(company_key, data_key, aad=_wrap_aad(ctx, kind, key_id, key_version))
    extra = {}
    if kind == KIND_FILE:
        extra = {"segment_size": SEGMENT_SIZE, "nonce_prefix": os.urandom(NONCE_PREFIX_BYTES)}
    return Header(kind, key_id, key_version, wrapped, **extra), data_key


def unwrap_data_key(header: Header, *, company_key: bytes, ctx: bytes) -> bytes:
    aad = _wrap_aad(ctx, header.kind, header.key_id, header.key_version)
    try:
        return unseal(company_key, header.wrapped_data_key, aad=aad)
    except _CryptoError:
        raise DecryptionError(
            "This data cannot be decrypted here: it was altered, moved to another object or "
            "company, or the key is wrong."
        ) from None


# --- text --------------------------------------------------------------------------------------


def text_seal(*, header: Header, data_key: bytes, ctx: bytes, plaintext: bytes) -> bytes:
    head = header.pack()
    return head + seal(data_key, plaintext, aad=b"text|" + head + ctx)[1:]  # drop seal's version


def text_open(*, blob: bytes, header_len: int, data_key: bytes, ctx: bytes) -> bytes:
    head, body = blob[:header_len], blob[header_len:]
    try:
        return unseal(data_key, b"\x01" + body, aad=b"text|" + head + ctx)
    except _CryptoError:
        raise DecryptionError(
            "This data cannot be decrypted: it was altered or moved to another object."
        ) from None


# --- files -------------------------------------------------------------------------------------


class SegmentSealer:
    """Seals a file's segments in order; the caller says which one is the last."""

    def __init__(self, *, header: Header, data_key: bytes, ctx: bytes):
        self.header_bytes = header.pack()
        self._aead = AESGCM(data_key)
        self._prefix = header.nonce_prefix
        self._aad = b"seg|" + self.header_bytes + ctx
        self._counter = 0
        self._done = False

    def seal(self, chunk: bytes, *, final: bool) -> bytes:
        if self._done:
            raise RuntimeError("The final segment was already sealed.")
        tail = struct.pack(">IB", self._counter, 1 if final else 0)
        out = self._aead.encrypt(self._prefix + tail, chunk, self._aad + tail)
        self._counter += 1
        self._done = final
        return out


def segments_open(
    *, fh, header: Header, header_bytes: bytes, data_key: bytes, ctx: bytes
) -> Iterator[bytes]:
    """Decrypt the segments that follow the header in `fh`, each authenticated before it is
    yielded. Reads one segment ahead to know which one is final."""
    aead = AESGCM(data_key)
    aad = b"seg|" + header_bytes + ctx
    size = header.segment_size + TAG_BYTES
    counter = 0
    current = read_full(fh, size)
    if not current:
        raise DecryptionError("The encrypted file is truncated: it has no content.")
    while current:
        following = read_full(fh, size) if len(current) == size else b""
        final = not following
        if len(current) < TAG_BYTES:
            raise DecryptionError("The encrypted file is truncated.")
        tail = struct.pack(">IB", counter, 1 if final else 0)
        try:
            plain = aead.decrypt(header.nonce_prefix + tail, current, aad + tail)
        except InvalidTag:
            raise DecryptionError(
                f"The encrypted file fails authentication at segment {counter}: it was altered, "
                "truncated, reordered or extended, or the key is wrong."
            ) from None
        yield plain
        counter += 1
        current = following


def read_full(fh, size: int) -> bytes:
    parts, missing = [], size
    while missing:
        data = fh.read(missing)
        if not data:
            break
        parts.append(data)
        missing -= len(data)
    return b"".join(parts) if len(parts) != 1 else parts[0]
