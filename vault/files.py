"""File helpers with no key material: the stored-file record, the storage, content sniffing and
file-name sanitising."""

import re
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import storages

MAX_FILENAME_CHARS = 200
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class StoredFile:
    """What `file_store` returns; the caller keeps these fields on its own row.

    storage_name: random name in the vault storage (never derived from the file name).
    size: plaintext bytes. content_type: sniffed from the bytes, not the client's claim.
    sha256: hex digest of the plaintext. key_id / key_version: the company key used."""

    storage_name: str
    size: int
    content_type: str
    sha256: str
    key_id: str
    key_version: int


def vault_storage():
    """The storage that holds encrypted blobs: the STORAGES alias named by VAULT_STORAGE."""
    return storages[settings.VAULT_STORAGE]


def new_storage_name() -> str:
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}"


def safe_filename(name: str, *, default: str = "file") -> str:
    """A file name safe to show and to send in Content-Disposition: the last path component
    only (no traversal), NFC-normalised, without control, format or separator characters,
    no leading dots, not a Windows device name, at most 200 characters (extension kept)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(
        " " if ch in "\t\n\r\v\f" or unicodedata.category(ch) in {"Zl", "Zp", "Zs"} else ch
        for ch in name
        if ch in "\t\n\r\v\f" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs", "Co", "Cn"}
    )
    name = re.sub(r"\s+", " ", name).strip(" .")
    name = name.replace('"', "'").replace(":", "_")
    for char in "<>|?*":
        name = name.replace(char, "_")
    if not name or name in {".", ".."}:
        return default
    if _WINDOWS_RESERVED.match(name):
        name = f"_{name}"
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            name = stem[: MAX_FILENAME_CHARS - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:MAX_FILENAME_CHARS].rstrip(" .")
    return name or default


_SIGNATURES: list[tuple[bytes, str]] = [
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"\x1f\x8b", "application/gzip"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"OggS", "audio/ogg"),
    (b"ID3", "audio/mpeg"),
    (b"fLaC", "audio/flac"),
    (b"\x1aE\xdf\xa3", "video/webm"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
]


def sniff_content_type(head: bytes) -> str:
    """The content type told by the first bytes (4 KiB is plenty); the client's claim is
    never used, so a renamed executable is not served as an image."""
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head.startswith(b"PK\x03\x04"):
        for marker, kind in (
            (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
        ):
            if marker in head:
                return kind
        return "application/zip"
    if b"\0" not in head:
        try:
            # A multi-byte character may be cut at the end of the sample.
            head.decode("utf-8") if len(head) < 4096 else head[:-4].decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
        return "text/plain"
    return "application/octet-stream"
