"""The top of the key hierarchy: master keys from the environment, and (un)wrapping company keys.

`DATA_MASTER_KEY` is the current master key: every new or re-wrapped company key is wrapped by
it. `DATA_MASTER_KEY_RETIRED` (optional, `id:base64,...`, the one list of older master keys the
portal reads, D11c.3) holds the keys still read during a rotation (SPEC §9.1, "rotatable
without downtime"). A master key is named here by a fingerprint (`master_key_id`), recorded on
each wrapped company key, so a reader knows which master to use without trying them all.
"""

import hashlib
from collections import OrderedDict
from functools import lru_cache
from threading import Lock

from django.conf import settings

from rainbow_portal.crypto import DecryptionError as _CryptoError
from rainbow_portal.crypto import derive_key, seal, unseal

from .errors import DecryptionError

COMPANY_KEY_BYTES = 32


@lru_cache(maxsize=8)
def master_key_id(master: bytes) -> str:
    """A public fingerprint of a master key (16 hex characters); reveals nothing of the key."""
    return hashlib.sha256(derive_key(master, "vault.master-id")).hexdigest()[:16]


@lru_cache(maxsize=8)
def _wrapping_key(master: bytes) -> bytes:
    return derive_key(master, "vault.company-key-wrap")


def master_keys() -> dict[str, bytes]:
    """{master_key_id: key}: the current master first, then the retired ones."""
    retired = getattr(settings, "DATA_MASTER_KEY_RETIRED", {}) or {}
    keys = [settings.DATA_MASTER_KEY, *retired.values()]
    found: dict[str, bytes] = {}
    for key in keys:
        found.setdefault(master_key_id(key), key)
    return found


def current_master_key_id() -> str:
    return master_key_id(settings.DATA_MASTER_KEY)


def _wrap_aad(*, company_id: int, key_id: str, version: int) -> bytes:
    return f"rainbow.vault.company-key|{company_id}|{key_id}|{version}".encode()


def wrap_company_key(
    *, raw: bytes, company_id: int, key_id: str, version: int
) -> tuple[str, bytes]:
    """Wrap a raw company key under the current master: (master_key_id, wrapped bytes)."""
    master = settings.DATA_MASTER_KEY
    aad = _wrap_aad(company_id=company_id, key_id=key_id, version=version)
    return master_key_id(master), seal(_wrapping_key(master), raw, aad=aad)


# Unwrapped keys cached per process, keyed by the wrapped bytes as read from the row: every
# read still loads the row, so a shredded key (emptied row) is never served from the cache.
_CACHE: "OrderedDict[tuple, bytes]" = OrderedDict()
_CACHE_LOCK = Lock()
_CACHE_SIZE = 512


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def unwrap_company_key(row) -> bytes:
    """The raw key of a CompanyKey row, or DecryptionError with a message saying why not."""
    if row.shredded_at is not None or not row.wrapped_key:
        raise DecryptionError(
            "This data can no longer be read: its company key was destroyed (crypto-shredding)."
        )
    wrapped = bytes(row.wrapped_key)
    cache_key = (str(row.key_id), row.version, row.company_id, row.master_key_id, wrapped)
    with _CACHE_LOCK:
        raw = _CACHE.get(cache_key)
        if raw is not None:
            _CACHE.move_to_end(cache_key)
            return raw
    master = master_keys().get(row.master_key_id)
    if master is None:
        raise DecryptionError(
            f"The company key v{row.version} is wrapped by master key {row.master_key_id}, which "
            "this portal does not hold (list it in DATA_MASTER_KEY_RETIRED during a rotation)."
        )
    aad = _wrap_aad(company_id=row.company_id, key_id=str(row.key_id), version=row.version)
    try:
        raw = unseal(_wrapping_key(master), wrapped, aad=aad)
    except _CryptoError:
        raise DecryptionError(
            f"The company key v{row.version} does not unwrap: it was altered or moved."
        ) from None
    with _CACHE_LOCK:
        _CACHE[cache_key] = raw
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return raw


class Keyring:
    """A company's key rows, loaded once, so decrypting many objects costs one query."""

    def __init__(self, company_id: int, rows):
        self.company_id = company_id
        self.rows = {str(row.key_id): row for row in rows}

    def raw_key(self, *, key_id: str, version: int) -> bytes:
        row = self.rows.get(key_id)
        if row is None or row.version != version or row.company_id != self.company_id:
            raise DecryptionError(
                "This data was not encrypted with a key of this company: it cannot be read here."
            )
        return unwrap_company_key(row)
