"""Files at rest (SPEC §9.1): segmented AES-256-GCM, authenticated before delivery."""

import hashlib
import io
import os

import pytest

from tests.factories import CompanyFactory
from vault import DecryptionError, envelope, keys, selectors, services
from vault.files import StoredFile

from .conftest import stored_files

SEG = envelope.SEGMENT_SIZE
CT_SEG = SEG + envelope.TAG_BYTES


def store(company, data, object_id="f1", actor=None):
    return services.file_store(
        company=company, object_id=object_id, upload=io.BytesIO(data), actor=actor
    )


def read(company, stored, object_id="f1", **kwargs):
    return b"".join(
        selectors.file_open(company=company, object_id=object_id, stored=stored, **kwargs)
    )


def blob_path(root, stored):
    return root / stored.storage_name


# Around services.uploads.EARLY_SEGMENTS too (4): the segments held before the key lookup.
EARLY = services.uploads.EARLY_SEGMENTS * SEG


@pytest.mark.parametrize(
    "size",
    [
        1,
        100,
        SEG - 1,
        SEG,
        SEG + 1,
        3 * SEG,
        3 * SEG + 17,
        EARLY,
        EARLY + 1,
        EARLY + SEG,
        9 * SEG + 5,
    ],
)
def test_round_trip_at_segment_edges(clamd, company, vault_storage, size):
    data = os.urandom(size)
    stored = store(company, data)
    assert read(company, stored) == data
    assert stored.size == size and stored.sha256 == hashlib.sha256(data).hexdigest()
    segments = -(-size // SEG)
    assert blob_path(vault_storage, stored).stat().st_size == (
        envelope.FILE_HEADER_BYTES + size + segments * envelope.TAG_BYTES
    )


def test_storage_name_is_random_and_nothing_is_left_in_the_temp_folder(
    clamd, company, vault_storage, settings
):
    first, second = store(company, b"same bytes"), store(company, b"same bytes", "f2")
    assert first.storage_name != second.storage_name
    assert len(first.storage_name.split("/")[-1]) == 32
    assert list(settings.VAULT_TEMP_DIR.iterdir()) == []
    assert len(stored_files(vault_storage)) == 2


def test_a_django_uploaded_file_is_read_whatever_its_position(clamd, company):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("report.pdf", b"%PDF-1.7 body", content_type="image/png")
    upload.read(4)
    stored = services.file_store(company=company, object_id="u", upload=upload, actor=None)
    assert read(company, stored, object_id="u") == b"%PDF-1.7 body"
    assert stored.content_type == "application/pdf"  # sniffed, the client's claim ignored


def _tamper(path, offset, flip=0x01):
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ flip]))


@pytest.mark.parametrize(
    "where",
    [
        "header_key_id",
        "header_wrapped_key",
        "header_nonce_prefix",
        "first_segment",
        "middle_segment",
        "last_segment_tag",
    ],
)
def test_a_tampered_file_raises_before_any_byte_is_delivered(clamd, company, vault_storage, where):
    data = os.urandom(3 * SEG + 500)
    stored = store(company, data)
    base = envelope.FILE_HEADER_BYTES
    offset = {
        "header_key_id": 6,
        "header_wrapped_key": envelope._BASE.size + 20,
        "header_nonce_prefix": envelope.FILE_HEADER_BYTES - 2,
        "first_segment": base + 10,
        "middle_segment": base + CT_SEG + 1000,
        "last_segment_tag": blob_path(vault_storage, stored).stat().st_size - 1,
    }[where]
    _tamper(blob_path(vault_storage, stored), offset)
    with pytest.raises(DecryptionError):
        selectors.file_open(company=company, object_id="f1", stored=stored)  # not one chunk out


def test_without_verification_good_segments_stream_and_the_bad_one_is_never_yielded(
    clamd, company, vault_storage
):
    data = os.urandom(3 * SEG)
    stored = store(company, data)
    _tamper(blob_path(vault_storage, stored), envelope.FILE_HEADER_BYTES + 2 * CT_SEG + 5)
    chunks = selectors.file_open(company=company, object_id="f1", stored=stored, verify=False)
    got = []
    with pytest.raises(DecryptionError, match="segment 2"):
        for chunk in chunks:
            got.append(chunk)
    assert got == [data[:SEG], data[SEG : 2 * SEG]]


def _rewrite(path, transform):
    raw = path.read_bytes()
    head, body = raw[: envelope.FILE_HEADER_BYTES], raw[envelope.FILE_HEADER_BYTES :]
    segments = [body[i : i + CT_SEG] for i in range(0, len(body), CT_SEG)]
    path.write_bytes(head + b"".join(transform(segments)))


@pytest.mark.parametrize(
    "name,transform",
    [
        ("truncated at a segment boundary", lambda s: s[:-1]),
        ("truncated inside a segment", lambda s: [*s[:-1], s[-1][:-20]]),
        ("reordered", lambda s: [s[1], s[0], *s[2:]]),
        ("a segment dropped", lambda s: [s[0], *s[2:]]),
        ("a segment duplicated", lambda s: [s[0], s[0], *s[1:]]),
        ("extended with a copy of the last", lambda s: [*s, s[-1]]),
        ("extended with junk", lambda s: [*s, b"x" * 40]),
        ("only the header", lambda s: []),
    ],
)
def test_a_rearranged_segment_stream_fails(clamd, company, vault_storage, name, transform):
    data = os.urandom(4 * SEG)  # full segments: the hardest case for truncation
    stored = store(company, data)
    _rewrite(blob_path(vault_storage, stored), transform)
    with pytest.raises(DecryptionError):
        read(company, stored)


def test_a_file_moved_to_another_object_or_company_fails(clamd, company, vault_storage):
    stored = store(company, b"contract draft v3" * 1000, object_id="f1")
    with pytest.raises(DecryptionError):
        read(company, stored, object_id="f2")
    other = CompanyFactory()
    store(other, b"theirs", object_id="f1")
    with pytest.raises(DecryptionError):
        read(other, stored, object_id="f1")


def test_a_blob_swapped_between_two_rows_fails(clamd, company, vault_storage):
    first = store(company, b"first file", object_id="a")
    second = store(company, b"second file", object_id="b")
    swapped = StoredFile(**{**second.__dict__, "storage_name": first.storage_name})
    with pytest.raises(DecryptionError):
        read(company, swapped, object_id="b")


def test_a_wrong_master_key_fails(clamd, company, settings):
    stored = store(company, b"data" * 10)
    settings.DATA_MASTER_KEY = os.urandom(32)
    keys.clear_cache()
    with pytest.raises(DecryptionError):
        read(company, stored)


def test_an_edited_segment_size_in_the_header_is_refused_before_reading(
    clamd, company, vault_storage
):
    stored = store(company, b"data" * 10)
    path = blob_path(vault_storage, stored)
    raw = bytearray(path.read_bytes())
    size_at = envelope.TEXT_HEADER_BYTES
    raw[size_at : size_at + 4] = (2**31).to_bytes(4, "big")
    path.write_bytes(bytes(raw))
    with pytest.raises(DecryptionError, match="header was altered"):
        read(company, stored)


def test_shredded_company_files_are_unreadable(clamd, company, actor):
    stored = store(company, b"payroll" * 100)
    services.company_key_shred(company=company, actor=actor)
    with pytest.raises(DecryptionError, match="destroyed"):
        read(company, stored)


def test_delete_is_idempotent_and_a_missing_blob_reads_as_an_error(clamd, company, vault_storage):
    stored = store(company, b"bye")
    assert services.file_delete(stored=stored, actor=None) is True
    assert stored_files(vault_storage) == []
    assert services.file_delete(stored=stored, actor=None) is False
    with pytest.raises(DecryptionError, match="missing"):
        read(company, stored)


def test_file_open_accepts_the_callers_own_row(clamd, company):
    stored = store(company, b"row-backed")

    class Row:  # what bubbles keeps: only the storage name is needed
        storage_name = stored.storage_name

    assert read(company, Row()) == b"row-backed"


def test_any_django_storage_works_by_setting(clamd, company, settings):
    """The vault speaks only Django's storage API: here an in-memory storage, in production
    an S3-compatible one (VAULT_STORAGE_BACKEND), with no code change."""
    settings.STORAGES = {
        **settings.STORAGES,
        "vault": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    data = os.urandom(2 * SEG + 9)
    stored = store(company, data)
    from vault.files import vault_storage

    assert vault_storage().exists(stored.storage_name)
    assert read(company, stored) == data
    assert services.file_delete(stored=stored, actor=None) is True
    assert not vault_storage().exists(stored.storage_name)


class BrokenStorage:
    """A storage whose disk is full."""

    def __init__(self, **options):
        pass

    def save(self, name, content, max_length=None):
        raise OSError(28, "No space left on device")


def test_a_storage_failure_is_a_clear_refusal_and_leaves_no_temp_file(clamd, company, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "vault": {"BACKEND": "tests.vault.test_files.BrokenStorage"},
    }
    from rainbow_portal.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as info:
        store(company, b"fine bytes" * 100)
    assert info.value.code == "storage_unavailable"
    assert list(settings.VAULT_TEMP_DIR.iterdir()) == []
