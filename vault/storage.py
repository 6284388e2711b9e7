"""Moving ciphertext in and out of the vault storage, whatever it is (SPEC §9.1).

Two kinds are tested: a local folder (Django's FileSystemStorage, the default) and an
S3-compatible object store (django-storages' `storages.backends.s3.S3Storage`). Any other
Django storage works through its plain `save()` and `open()`.

Memory stays a few MiB whatever the file's size, both ways:
- committing: a local folder renames the finished temp file into place (`save()` of a file
  with a temporary path); S3 gets it through `storage.open(name, "wb")` in 1 MiB pieces,
  which S3Storage sends as a multipart upload of about 5 MiB parts (its `save()` would
  hand the file to boto3's managed transfer, which may buffer up to ten 8 MiB parts).
- reading: a local file is read as it is; S3Storage's file object would first download
  the whole object (into memory by default) before the first read, so the object's body is
  read from the HTTP response as it arrives instead.

Errors of the store (a full disk, an unreachable or refusing object store) are the
`STORAGE_ERRORS` tuple, so callers can catch them without knowing the backend.
"""

import contextlib
import sys
from collections.abc import Iterator

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from storages.utils import clean_name, safe_join

STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)
COPY_CHUNK = 1024 * 1024


class _TempFile(File):
    """The finished temp file; FileSystemStorage moves it into place instead of copying."""

    def temporary_file_path(self):
        return self.file.name


def is_s3(storage) -> bool:
    """django-storages' S3 storage (or a subclass). Looked up among the loaded modules: a
    storage of that class cannot exist unless its module was imported, and a deployment on
    a local folder does not import the S3 backend or boto3 (only botocore's exception
    classes, above, for STORAGE_ERRORS)."""
    module = sys.modules.get("storages.backends.s3")
    return module is not None and isinstance(storage, module.S3Storage)


def blob_commit(*, storage, name: str, tmp) -> str:
    """Put the finished temp file `tmp` (an open binary file with a real path) into
    `storage` under `name`; returns the name stored. On a failure nothing is left under
    that name (best effort on a remote store: the partial object is deleted) and the error
    (one of STORAGE_ERRORS) is raised."""
    tmp.seek(0)
    if not is_s3(storage):
        return storage.save(name, _TempFile(tmp))
    try:
        out = storage.open(name, "wb")
        try:
            while chunk := tmp.read(COPY_CHUNK):
                out.write(chunk)
        finally:
            out.close()  # completes the upload: an interrupted one is deleted below
    except BaseException:
        with contextlib.suppress(*STORAGE_ERRORS):
            storage.delete(name)
        raise
    return name


@contextlib.contextmanager
def blob_reader(*, storage, name: str) -> Iterator:
    """A binary stream of the stored blob, read as it arrives. FileNotFoundError when there
    is no such blob; other failures raise one of STORAGE_ERRORS."""
    fh = storage.open(name, "rb")
    try:
        if is_s3(storage):  # its file object holds the boto3 object as `obj`
            body = fh.obj.get()["Body"]
            try:
                yield body
            finally:
                body.close()
        else:
            yield fh
    finally:
        fh.close()


def blob_delete(*, storage, name: str) -> bool:
    """Remove a blob; True when one was there, False when none was (deleting twice is
    harmless). A store that refuses raises one of STORAGE_ERRORS, so that a caller that
    retries (the retention outbox) retries.

    On S3 the delete is sent whatever the existence check said, and not through
    S3Storage.delete, which takes any 404 for "already gone": a missing bucket too (a wrong
    bucket name, a store being moved), which would mark every pending deletion done while
    the objects stay where they are. S3's DeleteObject answers success for a missing key
    and an error for a missing bucket."""
    if not name:
        return False
    existed = storage.exists(name)
    if is_s3(storage):
        key = safe_join(storage.location, clean_name(name))  # as S3Storage names its keys
        storage.connection.meta.client.delete_object(Bucket=storage.bucket_name, Key=key)
    elif existed:
        storage.delete(name)
    return existed
