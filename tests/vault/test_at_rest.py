"""Proof of encryption (SPEC §9.1): the bytes at rest hold no plaintext, no file name, no key."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from rainbow_portal.exceptions import ApplicationError
from vault import keys, selectors, services
from vault.models import CompanyKey

from .conftest import stored_files

FILE_NAME = "Salaries-2027-CONFIDENTIAL.csv"
FILE_TEXT = b"name;salary\nAlice Martin;91000\nBob Durand;78000\n" * 2000
MESSAGE = "The merger with Globex is signed; announce Monday."


def all_rows_as_bytes() -> bytes:
    """Every row of the vault and activity tables, read with SQL, not the ORM."""
    out = []
    with connection.cursor() as cursor:
        for table in ("vault_companykey", "activity_activityrecord"):
            cursor.execute(f"SELECT * FROM {table}")  # fixed table names
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        out.append(bytes(value))
                    elif value is not None:
                        out.append(str(value).encode())
    return b"\n".join(out)


def test_storage_and_database_hold_neither_plaintext_nor_file_name_nor_raw_keys(
    clamd, company, actor, vault_storage
):
    upload = SimpleUploadedFile(FILE_NAME, FILE_TEXT, content_type="text/csv")
    stored = services.file_store(company=company, object_id="file-1", upload=upload, actor=actor)
    blob = services.text_encrypt(
        company=company, purpose="bubble.message", object_id="msg-1", plaintext=MESSAGE
    )
    # A refused upload leaves its name nowhere either.
    refused = SimpleUploadedFile("Evil-Name.exe", b"", content_type="text/plain")
    with pytest.raises(ApplicationError):
        services.file_store(company=company, object_id="file-2", upload=refused, actor=actor)

    files = stored_files(vault_storage)
    assert len(files) == 1
    on_disk = files[0].read_bytes()
    for needle in (b"Alice Martin", b"salary", FILE_NAME.encode(), b"Salaries", b"CONFIDENTIAL"):
        assert needle not in on_disk
        assert needle.decode() not in str(files[0])  # nor in the storage path
    assert "Evil" not in str(list(vault_storage.rglob("*")))

    rows = all_rows_as_bytes()
    raw_key = keys.unwrap_company_key(CompanyKey.objects.get(company=company))
    for needle in (
        b"Alice Martin",
        FILE_NAME.encode(),
        b"Evil-Name",
        MESSAGE.encode(),
        b"merger",
        raw_key,
        raw_key.hex().encode(),
    ):
        assert needle not in rows
    assert MESSAGE.encode() not in blob and b"merger" not in blob

    # ...and yet everything reads back.
    assert (
        b"".join(selectors.file_open(company=company, object_id="file-1", stored=stored))
        == FILE_TEXT
    )
    assert (
        selectors.text_decrypt(
            company=company, purpose="bubble.message", object_id="msg-1", blob=blob
        )
        == MESSAGE
    )


def test_the_ciphertext_looks_random(clamd, company, vault_storage):
    """A repetitive plaintext leaves no repetition in the ciphertext (no ECB-like leak)."""
    stored = services.file_store(
        company=company, object_id="z", upload=io.BytesIO(b"\0" * 600_000), actor=None
    )
    body = (vault_storage / stored.storage_name).read_bytes()[200:]
    blocks = {body[i : i + 16] for i in range(0, len(body) - 16, 16)}
    assert len(blocks) > 0.99 * (len(body) // 16)
