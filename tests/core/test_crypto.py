"""The crypto building blocks (ASVS V11): key ids in sealed values, associated data, keyed
digests with their own key and a migration window (D10c.1, D10c.3)."""

import base64
import hashlib
import hmac
import os
from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils import timezone

from rainbow_portal import crypto
from rainbow_portal.crypto import (
    DecryptionError,
    KeyRing,
    associated_data,
    decrypt_ip,
    digest_candidates,
    digest_matches,
    encrypt_ip,
    keyed_digest,
    seal,
    sealed_key_id,
    unseal,
)

KEY = os.urandom(32)


def first_format_seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    # What seal() wrote before key ids: version 1 + nonce + ciphertext-and-tag.
    nonce = os.urandom(12)
    return b"\x01" + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def test_a_sealed_value_names_its_key_id_and_opens_with_its_aad_only():
    blob = seal(KEY, b"secret", aad=b"a", key_id=7)
    assert blob[:2] == b"\x02\x07" and sealed_key_id(blob) == 7
    assert unseal(KEY, blob, aad=b"a") == b"secret"
    with pytest.raises(DecryptionError):
        unseal(KEY, blob, aad=b"b")
    with pytest.raises(DecryptionError):
        unseal(os.urandom(32), blob, aad=b"a")


def test_the_first_format_still_opens():
    blob = first_format_seal(KEY, b"old", b"activity.ip")
    assert sealed_key_id(blob) == crypto.LEGACY_KEY_ID
    assert unseal(KEY, blob, aad=b"activity.ip") == b"old"
    assert unseal(None, blob, aad=b"activity.ip", keys={1: KEY}) == b"old"


def test_the_key_ring_opens_values_of_a_retired_key_and_refuses_an_unknown_id():
    old, new = os.urandom(32), os.urandom(32)
    before = KeyRing(current_id=1, masters={1: old})
    blob = before.seal("p", b"seed", aad=b"row-1")
    after = KeyRing(current_id=2, masters={1: old, 2: new})
    assert after.unseal("p", blob, aad=b"row-1") == b"seed"
    assert sealed_key_id(after.seal("p", b"seed", aad=b"row-1")) == 2
    forgot = KeyRing(current_id=2, masters={2: new})
    with pytest.raises(DecryptionError, match="key with id 1"):
        forgot.unseal("p", blob, aad=b"row-1")
    # One master key, two purposes: two different derived keys.
    with pytest.raises(DecryptionError):
        before.unseal("other", blob, aad=b"row-1")


def test_seal_keeps_its_old_call_shape_and_layout():
    # vault/ calls seal(key, plaintext, aad=...) and unseal(key, blob, aad=...) and relies on
    # the first layout (version 1 + nonce + ciphertext-and-tag) when no key id is given.
    blob = seal(KEY, b"x" * 32, aad=b"y")
    assert blob[:1] == b"\x01" and len(blob) == 1 + 12 + 32 + 16
    assert unseal(KEY, blob, aad=b"y") == b"x" * 32
    assert associated_data("bubble.message", table="t", row=5) == b"bubble.message|t|5|v1"


def test_an_ip_is_bound_to_its_record(settings):
    token = encrypt_ip("203.0.113.9", binding="aaaa")
    assert decrypt_ip(token, binding="aaaa") == "203.0.113.9"
    with pytest.raises(DecryptionError):
        decrypt_ip(token, binding="bbbb")  # copied onto another record
    with pytest.raises(DecryptionError):
        decrypt_ip(token)


def test_an_ip_sealed_before_bindings_still_opens(settings):
    key = crypto.derive_key(settings.ACTIVITY_KEY, "activity.ip")
    old = base64.b64encode(first_format_seal(key, b"198.51.100.1", b"activity.ip")).decode()
    assert decrypt_ip(old) == "198.51.100.1"


def test_an_ip_opens_after_the_activity_key_is_rotated(settings):
    token = encrypt_ip("192.0.2.4", binding="r1")
    settings.ACTIVITY_KEY_RETIRED = {1: settings.ACTIVITY_KEY}
    settings.ACTIVITY_KEY_ID = 2
    settings.ACTIVITY_KEY = os.urandom(32)
    assert decrypt_ip(token, binding="r1") == "192.0.2.4"
    assert sealed_key_id(base64.b64decode(encrypt_ip("192.0.2.4", binding="r2"))) == 2


def test_keyed_digest_is_versioned_per_purpose_and_ignores_secret_key(settings):
    one = keyed_digest("reset", "42:123456")
    assert one.startswith("v2:") and len(one) == 67
    assert keyed_digest("recovery", "42:123456") != one
    settings.SECRET_KEY = "rotated-" + "x" * 50
    assert keyed_digest("reset", "42:123456") == one
    settings.DIGEST_KEY = os.urandom(32)
    assert keyed_digest("reset", "42:123456") != one


def legacy(purpose, value, secret_key):
    return hmac.new(f"{purpose}:{secret_key}".encode(), value.encode(), hashlib.sha256).hexdigest()


def test_a_version_one_digest_verifies_during_the_window_only(settings):
    old = legacy("verify", "tok", settings.SECRET_KEY)
    settings.DIGEST_LEGACY_UNTIL = timezone.now().date() + timedelta(days=1)
    assert digest_matches("verify", "tok", old)
    assert old in digest_candidates("verify", "tok")
    assert not digest_matches("verify", "other", old)
    settings.DIGEST_LEGACY_UNTIL = timezone.now().date() - timedelta(days=1)
    assert not digest_matches("verify", "tok", old)
    assert digest_candidates("verify", "tok") == [keyed_digest("verify", "tok")]
    settings.DIGEST_LEGACY_UNTIL = None
    assert not digest_matches("verify", "tok", old)
    assert digest_matches("verify", "tok", keyed_digest("verify", "tok"))


def test_the_window_default_is_a_date(settings):
    assert isinstance(settings.DIGEST_LEGACY_UNTIL, date)
