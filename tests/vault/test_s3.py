"""Files on an S3-compatible store (docs/scaling.md): the vault through django-storages'
S3Storage, against a real S3 server on this machine over HTTP (tests/s3.py)."""

import hashlib
import io
import os
import tempfile
import tracemalloc

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from rainbow_portal.exceptions import ApplicationError
from retention.models import FileDeletion
from retention.services import files_enqueue, outbox_drain
from tests.s3 import S3_BACKEND, s3_options, unreachable_options
from vault import DecryptionError, envelope, selectors, services
from vault.files import vault_storage
from vault.storage import blob_commit, blob_reader

SEG = envelope.SEGMENT_SIZE
CT_SEG = SEG + envelope.TAG_BYTES
MiB = 1024 * 1024


def store(company, upload, object_id="f1"):
    if isinstance(upload, bytes):
        upload = io.BytesIO(upload)
    return services.file_store(company=company, object_id=object_id, upload=upload, actor=None)


def read(company, stored, object_id="f1"):
    return b"".join(selectors.file_open(company=company, object_id=object_id, stored=stored))


def ciphertext_size(size: int) -> int:
    return envelope.FILE_HEADER_BYTES + size + -(-size // SEG) * envelope.TAG_BYTES


def test_the_vault_storage_is_django_storages_s3(s3_vault):
    storage = vault_storage()
    assert f"{type(storage).__module__}.{type(storage).__name__}" == S3_BACKEND
    assert storage.bucket_name == s3_vault.bucket


@pytest.mark.parametrize(
    "size,parts",
    [
        (3 * SEG + 17, 1),  # several segments, one upload part
        (11 * MiB + 5, 3),  # several 5 MiB parts of a multipart upload
    ],
)
def test_a_file_of_many_segments_round_trips(clamd, company, s3_vault, settings, size, parts):
    data = os.urandom(size)
    stored = store(company, data)
    assert s3_vault.keys() == [stored.storage_name]
    obj = s3_vault.get(stored.storage_name)
    assert obj["ContentLength"] == ciphertext_size(size)
    # A multipart object's ETag is "<md5 of the parts' md5s>-<number of parts>".
    assert obj["ETag"].strip('"').endswith(f"-{parts}")
    assert read(company, stored) == data
    assert stored.size == size and stored.sha256 == hashlib.sha256(data).hexdigest()
    assert list(settings.VAULT_TEMP_DIR.iterdir()) == []


def test_the_stored_object_holds_neither_the_plaintext_nor_the_file_name(clamd, company, s3_vault):
    plaintext = b"CONFIDENTIAL merger terms: Rainbow buys Acme for 12 million.\n" * 9000
    upload = SimpleUploadedFile("acme-merger-terms.txt", plaintext, content_type="text/plain")
    stored = store(company, upload)
    key = stored.storage_name
    blob = s3_vault.body(key)
    head = s3_vault.client.head_object(Bucket=s3_vault.bucket, Key=key)
    assert len(blob) > len(plaintext)
    for secret in (b"CONFIDENTIAL", b"merger", plaintext[:32], b"acme-merger-terms"):
        assert secret not in blob
    outside = " ".join([key, str(head.get("Metadata")), head.get("ContentType", "")])
    outside += " " + head.get("ContentDisposition", "")
    assert "acme" not in outside.lower() and "merger" not in outside.lower()
    assert head["Metadata"] == {}
    assert read(company, stored) == plaintext


def flip(blob: bytes, at: int) -> bytes:
    return blob[:at] + bytes([blob[at] ^ 0x01]) + blob[at + 1 :]


@pytest.mark.parametrize(
    "damage,message",
    [
        (lambda b: flip(b, envelope.FILE_HEADER_BYTES + CT_SEG + 9), "segment 1"),
        (lambda b: b[: envelope.FILE_HEADER_BYTES + 2 * CT_SEG], "segment 1"),  # last cut off
        (lambda b: b[:40], "truncated"),
    ],
    ids=["flipped-byte", "truncated-at-a-segment", "truncated-header"],
)
def test_a_tampered_object_fails_with_a_clear_error_before_any_byte(
    clamd, company, s3_vault, damage, message
):
    stored = store(company, os.urandom(3 * SEG + 100))
    s3_vault.put(stored.storage_name, damage(s3_vault.body(stored.storage_name)))
    delivered = []
    with pytest.raises(DecryptionError, match=message):
        for chunk in selectors.file_open(company=company, object_id="f1", stored=stored):
            delivered.append(chunk)
    assert delivered == []


def test_delete_removes_the_object_and_is_idempotent(clamd, company, s3_vault):
    keep = store(company, b"kept" * 1000, object_id="keep")
    gone = store(company, os.urandom(SEG + 1), object_id="gone")
    assert services.file_delete(stored=gone, actor=None) is True
    assert s3_vault.keys() == [keep.storage_name]
    assert services.file_delete(stored=gone, actor=None) is False
    with pytest.raises(DecryptionError, match="missing"):
        read(company, gone, object_id="gone")
    assert read(company, keep, object_id="keep") == b"kept" * 1000


def test_another_companys_object_is_refused(clamd, company, other_company, s3_vault):
    stored = store(company, os.urandom(2 * SEG + 3))
    with pytest.raises(DecryptionError):
        read(other_company, stored)
    # Nor does a row of the other company that points at this object read it.
    theirs = store(other_company, b"theirs", object_id="f1")
    theirs_pointing_here = type("Row", (), {"storage_name": stored.storage_name})()
    with pytest.raises(DecryptionError):
        read(other_company, theirs_pointing_here)
    assert read(other_company, theirs) == b"theirs"


def test_the_retention_outbox_deletes_from_s3(
    clamd, company, s3_vault, django_capture_on_commit_callbacks
):
    first, second = store(company, b"one" * 10, "a"), store(company, os.urandom(SEG * 2), "b")
    files_enqueue(
        names=[first.storage_name, second.storage_name], reason="bubble_file", storage_alias="vault"
    )
    assert outbox_drain() == 2
    assert s3_vault.keys() == []
    assert FileDeletion.objects.filter(done_at__isnull=False).count() == 2
    # A second drain (or a retry of a crashed one) finds nothing to do.
    assert outbox_drain() == 0


def point_vault_at(settings, options: dict) -> None:
    settings.STORAGES = {**settings.STORAGES, "vault": {"BACKEND": S3_BACKEND, "OPTIONS": options}}


@pytest.mark.parametrize(
    "options,error",
    [
        (lambda vault: s3_options(vault.endpoint, "no-such-bucket"), "NoSuchBucket"),
        (lambda vault: unreachable_options(vault.bucket), "EndpointConnectionError"),
    ],
    ids=["wrong-bucket", "store-down"],
)
def test_the_outbox_counts_a_refusing_store_and_retries_later(
    clamd, company, s3_vault, settings, options, error
):
    stored = store(company, b"stays until the store answers")
    files_enqueue(names=[stored.storage_name], reason="bubble_file", storage_alias="vault")
    point_vault_at(settings, options(s3_vault))
    assert outbox_drain() == 0
    row = FileDeletion.objects.get()
    assert row.done_at is None and row.attempts == 1 and error in row.last_error
    assert s3_vault.keys() == [stored.storage_name]
    point_vault_at(settings, s3_options(s3_vault.endpoint, s3_vault.bucket))
    assert outbox_drain() == 1
    assert s3_vault.keys() == []


def test_a_bubble_file_discard_deletes_its_object(
    clamd, db, s3_vault, django_capture_on_commit_callbacks
):
    from bubbles import selectors as bubble_selectors
    from bubbles import services as bubble_services
    from bubbles.models import BubbleMember
    from tests.factories import UserFactory

    organizer = UserFactory()
    bubble = bubble_services.bubble_create(name="Deal room", topic="", actor=organizer)
    member = BubbleMember.objects.select_related("bubble", "user").get(
        bubble=bubble, user=organizer
    )
    data = os.urandom(2 * SEG + 1)
    row = bubble_services.bubble_file_upload(
        member=member, upload=SimpleUploadedFile("terms.bin", data), actor=organizer
    )
    assert s3_vault.keys() == [row.storage_name]
    assert b"".join(bubble_selectors.bubble_file_chunks(bubble_file=row)) == data
    with django_capture_on_commit_callbacks(execute=True):
        bubble_services.bubble_file_discard(bubble_file=row, actor=organizer)
    assert s3_vault.keys() == []


def test_a_store_that_is_down_is_a_clear_refusal_on_upload_and_on_download(
    clamd, company, s3_vault, settings
):
    stored = store(company, b"stored before the outage")
    point_vault_at(settings, unreachable_options(s3_vault.bucket))
    with pytest.raises(ApplicationError) as info:
        store(company, os.urandom(SEG + 1), object_id="f2")
    assert info.value.code == "storage_unavailable"
    assert list(settings.VAULT_TEMP_DIR.iterdir()) == []
    with pytest.raises(DecryptionError, match="could not be read from storage"):
        read(company, stored)


# --- memory: the file passes through, it is never held whole --------------------------------

BIG = 96 * MiB


@pytest.fixture
def big_temp_file(tmp_path):
    """A 96 MiB file written in pieces (the test's own memory stays small)."""
    with tempfile.NamedTemporaryFile(dir=tmp_path, delete=False) as fh:
        for _ in range(BIG // MiB):
            fh.write(os.urandom(MiB))
    return fh.name


def peak_while(action) -> int:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_committing_to_s3_streams_a_multipart_upload(s3_vault, big_temp_file):
    storage = storages["vault"]
    with open(big_temp_file, "rb") as tmp:
        peak = peak_while(lambda: blob_commit(storage=storage, name="ab/big", tmp=tmp))
    obj = s3_vault.get("ab/big")
    assert obj["ContentLength"] == BIG
    assert int(obj["ETag"].strip('"').rsplit("-", 1)[1]) >= 10  # ~5 MiB parts
    # Measured: 26 MiB (a ~6 MiB part and its copies) for 64 or 96 MiB alike; `storage.save()`
    # held 105 MiB for 96 (boto3's managed transfer reads ahead).
    assert peak < BIG / 2, f"{peak / MiB:.1f} MiB held to upload a {BIG // MiB} MiB file"


def test_reading_from_s3_streams(s3_vault, big_temp_file):
    storage = storages["vault"]
    digest, got = hashlib.sha256(), hashlib.sha256()
    with open(big_temp_file, "rb") as tmp:
        blob_commit(storage=storage, name="ab/big", tmp=tmp)
        tmp.seek(0)
        while chunk := tmp.read(MiB):
            digest.update(chunk)

    def consume():
        with blob_reader(storage=storage, name="ab/big") as fh:
            while chunk := envelope.read_full(fh, SEG):
                got.update(chunk)

    peak = peak_while(consume)
    assert got.hexdigest() == digest.hexdigest()
    # Measured: 0.7 MiB. S3Storage's own file object held 107 MiB to read 96: it downloads the
    # whole object first.
    assert peak < BIG / 8, f"{peak / MiB:.1f} MiB held to read a {BIG // MiB} MiB file"
