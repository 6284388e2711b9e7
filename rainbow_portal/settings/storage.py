"""Static files, the encrypted file vault and uploads."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .. import envconfig as env
from .base import BASE_DIR, DEBUG, VAR_DIR

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Encrypted message attachments and files (SPEC §9.1): a local folder by default; an
# S3-compatible store by setting VAULT_STORAGE_BACKEND=storages.backends.s3.S3Storage and
# VAULT_STORAGE_OPTIONS (JSON: bucket_name, endpoint_url, region_name...; the credentials come
# from the environment, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY read by django-storages, never
# from these options). Names in it are random. The local folder is the default location only
# for the local backend: for S3 "location" would be a key prefix.
_VAULT_LOCAL = "django.core.files.storage.FileSystemStorage"
_vault_backend = os.environ.get("VAULT_STORAGE_BACKEND") or _VAULT_LOCAL
STORAGES["vault"] = {
    "BACKEND": _vault_backend,
    "OPTIONS": env.get_json(
        "VAULT_STORAGE_OPTIONS",
        {"location": str(VAR_DIR / "vault")} if _vault_backend == _VAULT_LOCAL else {},
    ),
}
VAULT_STORAGE = os.environ.get("VAULT_STORAGE", "vault")  # the STORAGES alias used
# Ciphertext is written here while the scan runs, then moved into the storage (same
# filesystem as var/ by default, so the move is a rename).
VAULT_TEMP_DIR = Path(os.environ.get("VAULT_TEMP_DIR") or VAR_DIR / "vault-incoming")
# SPEC §9.2: the upload cap (checked before scanning) and the ClamAV daemon (fail closed).
UPLOAD_MAX_BYTES = env.get_int("UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
if UPLOAD_MAX_BYTES < 1:
    raise ImproperlyConfigured("UPLOAD_MAX_BYTES must be a positive number of bytes.")
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "/run/clamav/clamd.ctl")
CLAMD_TIMEOUT = env.get_int("CLAMD_TIMEOUT", 30)
