"""Where the portal runs: its folders, DEBUG, its keys, host names and public address."""

import os
from datetime import date
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .. import envconfig as env

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR") or BASE_DIR / "var")

env.read_env_file(VAR_DIR / ".env")
DEBUG = env.get_bool("DEBUG", True)
if DEBUG:
    env.ensure_dev_keys(VAR_DIR / ".env")

SECRET_KEY = env.get_required("SECRET_KEY")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters.")
# Master key wrapping the per-company data keys (SPEC §9.1) and the activity-log key (SPEC §10.2).
DATA_MASTER_KEY = env.get_key32("DATA_MASTER_KEY")
ACTIVITY_KEY = env.get_key32("ACTIVITY_KEY")
# Rotation (ASVS V11.2.2): a new key gets a new id; the retired ones (`id:base64,...`) open
# older values only, sealed secrets by their id and company keys (the vault), until
# `manage.py rotate_keys` reports `retired_keys_still_needed: false`. docs/architecture.md
DATA_MASTER_KEY_ID = env.get_key_id("DATA_MASTER_KEY_ID")
env.refuse_renamed("DATA_MASTER_KEY_PREVIOUS", "DATA_MASTER_KEY_RETIRED", "id:base64")
DATA_MASTER_KEY_RETIRED = env.get_retired_keys("DATA_MASTER_KEY_RETIRED", DATA_MASTER_KEY_ID)
ACTIVITY_KEY_ID = env.get_key_id("ACTIVITY_KEY_ID")
ACTIVITY_KEY_RETIRED = env.get_retired_keys("ACTIVITY_KEY_RETIRED", ACTIVITY_KEY_ID)
# Database backups (docs/backups.md): sealed with their own key, optional until a backup runs.
BACKUP_KEY = env.get_key32("BACKUP_KEY") if os.environ.get("BACKUP_KEY") else None
BACKUP_KEY_ID = env.get_key_id("BACKUP_KEY_ID")
BACKUP_KEY_RETIRED = env.get_retired_keys("BACKUP_KEY_RETIRED", BACKUP_KEY_ID)
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or VAR_DIR / "backups")
BACKUP_KEEP_DAYS = env.get_int("BACKUP_KEEP_DAYS", 14)
# Keyed digests of codes, links and rate-limit keys (D10c.1): their own key, not SECRET_KEY.
DIGEST_KEY = env.get_key32("DIGEST_KEY")
# Digests made before DIGEST_KEY (keyed by SECRET_KEY) verify until this date, then no more.
DIGEST_LEGACY_UNTIL = env.get_date("DIGEST_LEGACY_UNTIL", date(2027, 3, 1))

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names when DEBUG=0.")
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies whose X-Forwarded-Proto/-For are believed (addresses or CIDR networks);
# none by default (rainbow_portal.middleware.TrustedProxyMiddleware).
TRUSTED_PROXIES = env.get_networks("TRUSTED_PROXIES")

PORTAL_REGION = env.get_choice(
    "PORTAL_REGION", "EMEA", {"EMEA", "Germany", "NA", "CALA", "APAC", "China"}
)
# The portal's public address: every link in an email is built on it. In development it
# follows PORTAL_ADDR, the address scripts/dev.py serves on (default 127.0.0.1:8000); in
# production it defaults to https:// on the first ALLOWED_HOSTS name and must be https.
PORTAL_BASE_URL = os.environ.get(
    "PORTAL_BASE_URL",
    f"http://{os.environ.get('PORTAL_ADDR', '127.0.0.1:8000')}"
    if DEBUG
    else f"https://{ALLOWED_HOSTS[0].lstrip('.')}",
).rstrip("/")
if not DEBUG and not PORTAL_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("PORTAL_BASE_URL must be an https:// address when DEBUG=0.")
# The product's one name, in every email subject and page title.
PORTAL_NAME = "Rainbow Portal"
