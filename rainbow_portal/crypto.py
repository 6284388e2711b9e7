"""Small, audited building blocks: AES-256-GCM sealing, keyed digests and keyed pseudonyms.

Keys come from settings (the environment). Sub-keys are derived with HKDF so that one secret
never serves two purposes (the pseudonym key and the IP-encryption key differ, and each digest
purpose has its own key).

Sealed values carry a header: a format byte and, from format 2 on, the id of the master key
that sealed them, so a key can be rotated while older values still open (ASVS V11.2.2). The
associated data binds a ciphertext to its purpose and its row: a value copied into another
row or another field no longer opens (ASVS V11.3.3).
"""

import base64
import hashlib
import hmac
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils import timezone

NONCE_BYTES = 12
TAG_BYTES = 16
VERSION = b"\x01"  # format 1: version + nonce + ciphertext-and-tag (read only)
VERSION_KEYED = b"\x02"  # format 2: version + key id + nonce + ciphertext-and-tag
LEGACY_KEY_ID = 1  # format-1 values were sealed with what is now key id 1


class DecryptionError(Exception):
    pass


def derive_key(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        master
    )


def associated_data(purpose: str, *, table: str = "", row: object = "", version: int = 1) -> bytes:
    """The AAD that binds a ciphertext to what it is and where it lives:
    `purpose|table|row|v<version>`. The version lets the binding itself change later."""
    return f"{purpose}|{table}|{row}|v{version}".encode()


def seal(key: bytes, plaintext: bytes, *, aad: bytes = b"", key_id: int | None = None) -> bytes:
    """AES-256-GCM with a random 96-bit nonce.

    With `key_id` (a key ring's id of the key, 0-255): format 2, format byte + key-id byte +
    nonce + ciphertext-and-tag. Without it: format 1, format byte + nonce + ciphertext-and-tag,
    byte for byte the layout callers of the first version rely on (vault/ sizes its wrapped
    keys by it)."""
    nonce = os.urandom(NONCE_BYTES)
    body = nonce + AESGCM(key).encrypt(nonce, plaintext, aad)
    if key_id is None:
        return VERSION + body
    if not 0 <= key_id <= 255:
        raise ValueError("key_id must fit in one byte.")
    return VERSION_KEYED + bytes([key_id]) + body


def sealed_key_id(blob: bytes) -> int | None:
    """The key id in a sealed value's header (format 1 values count as LEGACY_KEY_ID)."""
    if blob[:1] == VERSION_KEYED and len(blob) >= 2:
        return blob[1]
    if blob[:1] == VERSION:
        return LEGACY_KEY_ID
    return None


def unseal(
    key: bytes | None,
    blob: bytes,
    *,
    aad: bytes = b"",
    keys: Mapping[int, bytes] | None = None,
) -> bytes:
    """Open a value sealed by `seal` (format 2) or by the first version (format 1).

    With `keys` (a key ring: id -> key), the key is chosen by the id in the header; without
    it, `key` is used whatever the header says."""
    head = blob[:1]
    if head == VERSION_KEYED and len(blob) >= 2 + NONCE_BYTES + TAG_BYTES:
        key_id, start = blob[1], 2
    elif head == VERSION and len(blob) >= 1 + NONCE_BYTES + TAG_BYTES:
        key_id, start = LEGACY_KEY_ID, 1
    else:
        raise DecryptionError("Not a sealed value.")
    if keys is not None:
        key = keys.get(key_id)
        if key is None:
            raise DecryptionError(f"The key with id {key_id} is not configured.")
    if key is None:
        raise DecryptionError("No key to open this value.")
    nonce, body = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except InvalidTag:
        raise DecryptionError("The value was altered, moved, or the key is wrong.") from None


@dataclass(frozen=True)
class KeyRing:
    """Master keys by id: new values are sealed with `current_id`, older ones open with the
    key their header names (rotation: add a new id, keep the retired keys until re-sealed)."""

    current_id: int
    masters: Mapping[int, bytes]

    def _keys(self, purpose: str) -> dict[int, bytes]:
        return {kid: _derived(master, purpose) for kid, master in self.masters.items()}

    def seal(self, purpose: str, plaintext: bytes, *, aad: bytes) -> bytes:
        key = _derived(self.masters[self.current_id], purpose)
        return seal(key, plaintext, aad=aad, key_id=self.current_id)

    def unseal(self, purpose: str, blob: bytes, *, aad: bytes) -> bytes:
        return unseal(None, blob, aad=aad, keys=self._keys(purpose))

    def reseal(self, purpose: str, blob: bytes, *, aad: bytes) -> bytes | None:
        """The value sealed again under `current_id`, or None when it already is (master-key
        rotation: idempotent). Raises DecryptionError when it does not open."""
        if sealed_key_id(blob) == self.current_id and blob[:1] == VERSION_KEYED:
            return None
        return self.seal(purpose, self.unseal(purpose, blob, aad=aad), aad=aad)

    @property
    def retired_ids(self) -> frozenset[int]:
        return frozenset(kid for kid in self.masters if kid != self.current_id)


@lru_cache(maxsize=64)
def _derived(master: bytes, purpose: str) -> bytes:
    return derive_key(master, purpose)


def _ring(name: str) -> KeyRing:
    current_id = getattr(settings, f"{name}_ID", LEGACY_KEY_ID)
    retired = dict(getattr(settings, f"{name}_RETIRED", {}) or {})
    return KeyRing(current_id=current_id, masters={**retired, current_id: getattr(settings, name)})


def data_keyring() -> KeyRing:
    """DATA_MASTER_KEY (SPEC §9.1): secrets the portal keeps for people (TOTP seeds)."""
    return _ring("DATA_MASTER_KEY")


def activity_keyring() -> KeyRing:
    return _ring("ACTIVITY_KEY")


# --- Keyed digests (ASVS V11.4) ----------------------------------------------------------------

DIGEST_VERSION = "v2"
DIGEST_MAX_LENGTH = 80  # "v2:" + 64 hex digits, with room for a later version


def keyed_digest(purpose: str, value: str) -> str:
    """HMAC-SHA256 of `value` under a key derived by HKDF from DIGEST_KEY for this purpose
    only, prefixed with its version ("v2:…"). Used for reset and recovery codes, verification
    links and rate-limit keys: rotating SECRET_KEY no longer touches any of them."""
    key = _derived(settings.DIGEST_KEY, f"digest:{purpose}")
    return f"{DIGEST_VERSION}:" + hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def _legacy_digest(purpose: str, value: str) -> str:
    # Version 1 (before DIGEST_KEY): HMAC keyed by purpose and SECRET_KEY, no prefix.
    key = f"{purpose}:{settings.SECRET_KEY}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def legacy_digests_accepted() -> bool:
    """Version-1 digests still verify until DIGEST_LEGACY_UNTIL (a date; none: never)."""
    until: date | None = getattr(settings, "DIGEST_LEGACY_UNTIL", None)
    return until is not None and timezone.now().date() <= until


def digest_candidates(purpose: str, value: str) -> list[str]:
    """Every stored form `value` may have: the current digest, and during the migration
    window the version-1 digest. For lookups (`field__in=`)."""
    found = [keyed_digest(purpose, value)]
    if legacy_digests_accepted():
        found.append(_legacy_digest(purpose, value))
    return found


def digest_matches(purpose: str, value: str, stored: str) -> bool:
    """Constant-time check of `value` against a stored digest of either version."""
    if stored.startswith(f"{DIGEST_VERSION}:"):
        return hmac.compare_digest(stored, keyed_digest(purpose, value))
    if legacy_digests_accepted():
        return hmac.compare_digest(stored, _legacy_digest(purpose, value))
    return False


# --- Activity log (SPEC §10.2) -----------------------------------------------------------------

IP_PURPOSE = "activity.ip"
IP_TABLE = "activity_activityrecord"


def pseudonymize(kind: str, value: object) -> str:
    """A stable keyed pseudonym (HMAC-SHA256): the same input gives the same pseudonym, and
    only a holder of ACTIVITY_KEY can test a guess (SPEC §10.2)."""
    key = _derived(settings.ACTIVITY_KEY, "activity.pseudonym")
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def new_binding() -> str:
    """A random per-record reference for the AAD of a row whose id does not exist yet."""
    return secrets.token_hex(16)


def encrypt_ip(ip: str, *, binding: str = "") -> str:
    """Seal an IP for one activity record. `binding` is the record's `ip_binding` (D10c.3):
    the ciphertext opens only with it, so it cannot be moved to another record."""
    aad = associated_data(IP_PURPOSE, table=IP_TABLE, row=binding) if binding else b"activity.ip"
    return base64.b64encode(activity_keyring().seal(IP_PURPOSE, ip.encode(), aad=aad)).decode()


def decrypt_ip(token: str, *, binding: str = "") -> str:
    # Records written before D10c.3 have no binding and used the bare purpose as AAD.
    aad = associated_data(IP_PURPOSE, table=IP_TABLE, row=binding) if binding else b"activity.ip"
    return activity_keyring().unseal(IP_PURPOSE, base64.b64decode(token), aad=aad).decode()


# --- Streams (backups, issue 15) ----------------------------------------------------------------
#
# A stream is sealed in chunks so that memory stays flat whatever its size:
#   header = MAGIC + key id (1 byte) + file id (16 random bytes)
#   chunk  = length of the sealed chunk (4 bytes, big-endian) + AES-256-GCM(chunk)
# Each file gets its own key (HKDF of the ring's key for `purpose` and the file id), so the
# chunk counter can be the nonce. Every chunk's associated data holds the header, its index
# and whether it is the last: chunks cannot be reordered, dropped, or the file cut short.

STREAM_MAGIC = b"RPSTREAM\x01"
STREAM_CHUNK = 1024 * 1024
_STREAM_HEADER = len(STREAM_MAGIC) + 1 + 16


def _stream_key(ring: KeyRing, purpose: str, key_id: int, file_id: bytes) -> AESGCM:
    master = ring.masters.get(key_id)
    if master is None:
        raise DecryptionError(f"The key with id {key_id} is not configured.")
    return AESGCM(derive_key(master, f"{purpose}:stream:{file_id.hex()}"))


def _chunk_aad(header: bytes, index: int, last: bool) -> bytes:
    return header + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


def _read_exactly(src, size: int) -> bytes:
    data = src.read(size)  # a file or a pipe gives it all at once, but a pipe may not
    if len(data) == size or not data:
        return data
    parts, got = [data], len(data)
    while got < size and (more := src.read(size - got)):
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def seal_stream(
    ring: KeyRing, purpose: str, src, dst, *, chunk_size: int = STREAM_CHUNK, aad: bytes = b""
) -> int:
    """Read `src` (a binary file object) to its end and write it sealed to `dst`. Returns
    the number of plaintext bytes. `aad` (e.g. `associated_data(...)` naming the row) is
    bound into every chunk: the stream then opens only with the same `aad`."""
    file_id = os.urandom(16)
    header = STREAM_MAGIC + bytes([ring.current_id]) + file_id
    aead = _stream_key(ring, purpose, ring.current_id, file_id)
    dst.write(header)
    total, index = 0, 0
    chunk = _read_exactly(src, chunk_size)
    while True:
        following = _read_exactly(src, chunk_size) if chunk else b""
        last = not following
        nonce = index.to_bytes(NONCE_BYTES, "big")
        sealed = aead.encrypt(nonce, chunk, _chunk_aad(header, index, last) + aad)
        dst.write(len(sealed).to_bytes(4, "big"))
        dst.write(sealed)
        total += len(chunk)
        if last:
            return total
        chunk, index = following, index + 1


def unseal_stream_chunks(ring: KeyRing, purpose: str, src, *, aad: bytes = b""):
    """Open a stream made by `seal_stream`, yielding its plaintext chunk by chunk (memory
    stays at one chunk). Raises DecryptionError on any alteration, a wrong key or `aad`, or
    a cut-short file, after yielding the chunks that verified: a consumer must treat what
    it got as void then (or verify the whole stream first, D11b.2)."""
    header = _read_exactly(src, _STREAM_HEADER)
    if len(header) != _STREAM_HEADER or not header.startswith(STREAM_MAGIC):
        raise DecryptionError("Not a sealed stream.")
    key_id, file_id = header[len(STREAM_MAGIC)], header[len(STREAM_MAGIC) + 1 :]
    aead = _stream_key(ring, purpose, key_id, file_id)
    index = 0
    while True:
        size = _read_exactly(src, 4)
        if len(size) != 4:
            raise DecryptionError("The stream is cut short.")
        sealed = _read_exactly(src, int.from_bytes(size, "big"))
        nonce = index.to_bytes(NONCE_BYTES, "big")
        for last in (False, True):
            try:
                chunk = aead.decrypt(nonce, sealed, _chunk_aad(header, index, last) + aad)
                break
            except InvalidTag:
                continue
        else:
            raise DecryptionError("The stream was altered, or the key is wrong.")
        yield chunk
        if last:
            if src.read(1):
                raise DecryptionError("Data follows the end of the stream.")
            return
        index += 1


def unseal_stream(ring: KeyRing, purpose: str, src, dst, *, aad: bytes = b"") -> int:
    """Open a stream made by `seal_stream`, writing the plaintext to `dst` chunk by chunk.
    Raises DecryptionError on any alteration, a wrong key, or a cut-short file (after
    writing the chunks that verified: a consumer must treat the output as void then)."""
    total = 0
    for chunk in unseal_stream_chunks(ring, purpose, src, aad=aad):
        dst.write(chunk)
        total += len(chunk)
    return total


def stream_key_id(head: bytes) -> int | None:
    """The key id in a sealed stream's header (its first bytes), or None if not a stream."""
    if len(head) > len(STREAM_MAGIC) and head.startswith(STREAM_MAGIC):
        return head[len(STREAM_MAGIC)]
    return None


def backup_keyring() -> KeyRing:
    """BACKUP_KEY (docs/backups.md): database backups, kept apart from the data keys."""
    if not getattr(settings, "BACKUP_KEY", None):
        raise DecryptionError("BACKUP_KEY is not set: backups cannot be sealed or opened.")
    return _ring("BACKUP_KEY")
