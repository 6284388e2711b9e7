"""Outgoing email: SMTP with DKIM in production, a file outbox in development."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .. import envconfig as env
from .base import DEBUG, VAR_DIR

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Rainbow Portal <no-reply@portal.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env.get_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.get_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.get_int("EMAIL_TIMEOUT", 20)
EMAIL_FILE_PATH = VAR_DIR / "outbox"
if EMAIL_HOST:
    EMAIL_BACKEND = "core.mail.DkimSmtpBackend"
elif DEBUG:
    # Development outbox: one file per message, listed at /dev/outbox/ while DEBUG is on.
    EMAIL_BACKEND = "core.mail.OutboxBackend"
else:
    raise ImproperlyConfigured("EMAIL_HOST must be set when DEBUG=0 (the portal sends mail).")
DKIM_DOMAIN = os.environ.get("DKIM_DOMAIN", "")
DKIM_SELECTOR = os.environ.get("DKIM_SELECTOR", "")
DKIM_PRIVATE_KEY_FILE = os.environ.get("DKIM_PRIVATE_KEY_FILE", "")
if bool(DKIM_DOMAIN) != bool(DKIM_SELECTOR) or bool(DKIM_DOMAIN) != bool(DKIM_PRIVATE_KEY_FILE):
    raise ImproperlyConfigured(
        "DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE must be set together (or none)."
    )
if DKIM_PRIVATE_KEY_FILE and not Path(DKIM_PRIVATE_KEY_FILE).is_file():
    raise ImproperlyConfigured(f"DKIM_PRIVATE_KEY_FILE {DKIM_PRIVATE_KEY_FILE!r} is not a file.")
