"""Small, audited building blocks: AES-256-GCM sealing and keyed pseudonyms.

Keys come from settings (the environment). Sub-keys are derived with HKDF so that one secret
never serves two purposes (the pseudonym key and the IP-encryption key differ).
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NONCE_BYTES = 12
VERSION = b"\x01"


class DecryptionError(Exception):
    pass


def derive_key(master: bytes, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(
        master
    )


def seal(key: bytes, plaintext: bytes, *, aad: bytes = b"") -> bytes:
    """AES-256-GCM: version byte + 96-bit random nonce + ciphertext-and-tag."""
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, blob: bytes, *, aad: bytes = b"") -> bytes:
    if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != VERSION:
        raise DecryptionError("Not a sealed value.")
    nonce, body = blob[1 : 1 + NONCE_BYTES], blob[1 + NONCE_BYTES :]
    try:
        return AESGCM(key).decrypt(nonce, body, aad)
    except InvalidTag:
        raise DecryptionError("The value was altered or the key is wrong.") from None


@lru_cache(maxsize=4)
def _activity_keys(master: bytes) -> tuple[bytes, bytes]:
    return derive_key(master, "activity.pseudonym"), derive_key(master, "activity.ip")


def pseudonymize(kind: str, value: object) -> str:
    """A stable keyed pseudonym (HMAC-SHA256): the same input gives the same pseudonym, and
    only a holder of ACTIVITY_KEY can test a guess (SPEC §10.2)."""
    key, _ = _activity_keys(settings.ACTIVITY_KEY)
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:32]


def encrypt_ip(ip: str) -> str:
    _, key = _activity_keys(settings.ACTIVITY_KEY)
    return base64.b64encode(seal(key, ip.encode(), aad=b"activity.ip")).decode()


def decrypt_ip(token: str) -> str:
    _, key = _activity_keys(settings.ACTIVITY_KEY)
    return unseal(key, base64.b64decode(token), aad=b"activity.ip").decode()
