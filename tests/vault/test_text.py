"""Message bodies at rest (SPEC §9.1): envelope encryption, bound to company, purpose, object."""

import base64
import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.models import ActivityRecord
from tests.factories import CompanyFactory
from vault import DecryptionError, envelope, keys, selectors, services
from vault.models import CompanyKey

TEXT = "Quarterly numbers: 42 % up — café ☕"


def encrypt(company, object_id="m1", purpose="bubble.message", text=TEXT):
    return services.text_encrypt(
        company=company, purpose=purpose, object_id=object_id, plaintext=text
    )


def decrypt(company, blob, object_id="m1", purpose="bubble.message"):
    return selectors.text_decrypt(company=company, purpose=purpose, object_id=object_id, blob=blob)


def test_round_trip_and_the_blob_holds_no_plaintext(company):
    blob = encrypt(company)
    assert decrypt(company, blob) == TEXT
    assert TEXT.encode() not in blob and b"Quarterly" not in blob
    assert blob[:3] == envelope.MAGIC


def test_each_encryption_uses_a_fresh_data_key_and_nonce(company):
    first, second = encrypt(company), encrypt(company)
    assert first != second
    # Same company key, different wrapped data keys.
    assert first[5:25] == second[5:25]
    assert (
        first[envelope._BASE.size : envelope.TEXT_HEADER_BYTES]
        != (second[envelope._BASE.size : envelope.TEXT_HEADER_BYTES])
    )


def test_first_encryption_creates_the_company_key_with_an_activity_record(company):
    assert not CompanyKey.objects.filter(company=company).exists()
    encrypt(company)
    encrypt(company)
    row = CompanyKey.objects.get(company=company)
    assert row.version == 1 and row.retired_at is None
    assert row.master_key_id == keys.current_master_key_id()
    record = ActivityRecord.objects.get(event="vault.key.created")
    assert record.company_id == company.pk
    # The raw key is nowhere in the row: only its wrapped form.
    raw = keys.unwrap_company_key(row)
    assert raw not in bytes(row.wrapped_key)


@pytest.mark.parametrize(
    "change",
    [
        {"object_id": "m2"},
        {"purpose": "bubble.file_name"},
    ],
)
def test_a_blob_moved_to_another_object_or_purpose_fails(company, change):
    blob = encrypt(company)
    with pytest.raises(DecryptionError):
        decrypt(company, blob, **change)


def test_a_blob_moved_to_another_company_fails(company, other_company):
    encrypt(other_company)  # the other company has keys of its own
    blob = encrypt(company)
    with pytest.raises(DecryptionError, match="not encrypted with a key of this company"):
        decrypt(other_company, blob)


def test_another_companys_key_row_swapped_in_does_not_unwrap(company, other_company):
    """Even copying the wrapped key and its id into the other company's row fails: the
    company id is in the wrap's associated data."""
    blob = encrypt(company)
    mine = CompanyKey.objects.get(company=company)
    CompanyKey.objects.filter(pk=mine.pk).update(company=other_company)
    keys.clear_cache()
    with pytest.raises(DecryptionError):
        decrypt(other_company, blob)


def test_every_single_byte_flip_is_detected(company):
    blob = encrypt(company, text="short secret")
    for index in range(len(blob)):
        tampered = bytearray(blob)
        tampered[index] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt(company, bytes(tampered))


@pytest.mark.parametrize("cut", [1, 16, 40, 200])
def test_a_truncated_blob_fails(company, cut):
    blob = encrypt(company)
    with pytest.raises(DecryptionError):
        decrypt(company, blob[:-cut] if cut < len(blob) else blob[:3])


def test_garbage_and_empty_blobs_fail_with_a_clear_message(company):
    encrypt(company)
    for blob in (b"", b"hello world", os.urandom(200)):
        with pytest.raises(DecryptionError, match="not data encrypted by the portal"):
            decrypt(company, blob)


def test_a_wrong_master_key_fails_clearly(company, settings):
    blob = encrypt(company)
    settings.DATA_MASTER_KEY = os.urandom(32)
    keys.clear_cache()
    with pytest.raises(DecryptionError, match=r"master key \w+, which this portal does not hold"):
        decrypt(company, blob)


def test_a_master_key_with_the_same_id_but_other_bytes_cannot_unwrap(company):
    """A row whose master_key_id was edited to the current id still fails: the GCM tag."""
    blob = encrypt(company)
    row = CompanyKey.objects.get(company=company)
    CompanyKey.objects.filter(pk=row.pk).update(
        wrapped_key=row.wrapped_key[:-1] + bytes([row.wrapped_key[-1] ^ 1])
    )
    keys.clear_cache()
    with pytest.raises(DecryptionError, match="does not unwrap"):
        decrypt(company, blob)


def test_decrypting_a_page_costs_one_query_whatever_its_length(company):
    items = [(str(i), encrypt(company, object_id=str(i), text=f"message {i}")) for i in range(60)]
    with CaptureQueriesContext(connection) as ten:
        assert selectors.text_decrypt_many(
            company=company, purpose="bubble.message", items=items[:10]
        ) == [f"message {i}" for i in range(10)]
    with CaptureQueriesContext(connection) as sixty:
        out = selectors.text_decrypt_many(company=company, purpose="bubble.message", items=items)
    assert out == [f"message {i}" for i in range(60)]
    assert len(ten) == len(sixty) == 1


def test_company_key_rotation_new_data_new_version_old_data_still_reads(company, actor):
    old = encrypt(company, object_id="old")
    row = services.company_key_rotate(company=company, actor=actor)
    assert row.version == 2
    new = encrypt(company, object_id="new")
    assert decrypt(company, old, object_id="old") == TEXT
    assert decrypt(company, new, object_id="new") == TEXT
    versions = dict(CompanyKey.objects.filter(company=company).values_list("version", "retired_at"))
    assert versions[1] is not None and versions[2] is None
    assert int.from_bytes(new[21:25], "big") == 2 and int.from_bytes(old[21:25], "big") == 1
    assert ActivityRecord.objects.filter(event="vault.key.rotated", company_id=company.pk).exists()


def test_shredding_makes_every_version_unreadable_and_is_idempotent(company, actor):
    before = encrypt(company, object_id="a")
    services.company_key_rotate(company=company, actor=actor)
    after = encrypt(company, object_id="b")
    other = CompanyFactory()
    other_blob = encrypt(other, object_id="a")

    assert services.company_key_shred(company=company, actor=actor) == 2
    for blob, oid in ((before, "a"), (after, "b")):
        with pytest.raises(DecryptionError, match="destroyed"):
            decrypt(company, blob, object_id=oid)
    assert all(
        bytes(w) == b""
        for w in CompanyKey.objects.values_list("wrapped_key", flat=True).filter(company=company)
    )
    assert decrypt(other, other_blob, object_id="a") == TEXT  # other companies untouched
    record = ActivityRecord.objects.get(event="vault.key.shredded")
    assert record.company_id == company.pk and record.data["versions"] == [1, 2]

    assert services.company_key_shred(company=company, actor=actor) == 0
    assert ActivityRecord.objects.filter(event="vault.key.shredded").count() == 1
    # Data written afterwards gets a fresh key; the old data stays unreadable.
    fresh = encrypt(company, object_id="c")
    assert decrypt(company, fresh, object_id="c") == TEXT
    with pytest.raises(DecryptionError):
        decrypt(company, before, object_id="a")


def test_shredding_is_seen_by_a_process_that_had_the_key_cached(company, actor):
    blob = encrypt(company)
    assert decrypt(company, blob) == TEXT  # the unwrapped key is now cached
    # Another process shreds: the row changes, our cache is not told.
    CompanyKey.objects.filter(company=company).update(wrapped_key=b"")
    with pytest.raises(DecryptionError, match="destroyed"):
        decrypt(company, blob)


def test_blob_text_is_base64_safe_for_storage_in_any_column(company):
    blob = encrypt(company)
    assert decrypt(company, base64.b64decode(base64.b64encode(blob))) == TEXT
    assert decrypt(company, memoryview(blob)) == TEXT  # what a BinaryField gives back


@pytest.mark.parametrize("kwargs", [{"purpose": ""}, {"object_id": ""}])
def test_a_blob_must_be_bound_to_a_purpose_and_an_object(company, kwargs):
    with pytest.raises(ValueError, match="purpose and an object id"):
        encrypt(company, **kwargs)
