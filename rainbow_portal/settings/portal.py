"""The product's own rules: invoices, bubbles, retention."""

import os

from django.core.exceptions import ImproperlyConfigured

from .. import envconfig as env
from .base import DEBUG


# --- Invoices (issue 14): the issuer printed on every invoice, VAT and payment terms ---------
# Development has a sample issuer; production must name the real one. The address's lines
# are separated by "|" (one env var).
def _issuer(name: str, sample: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value and not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG=0 (printed on invoices).")
    return value or sample


INVOICE_ISSUER_NAME = _issuer("INVOICE_ISSUER_NAME", "Rainbow Portal SAS")
INVOICE_ISSUER_ADDRESS = _issuer("INVOICE_ISSUER_ADDRESS", "1 rue de l'Exemple|75001 Paris|France")
INVOICE_ISSUER_VAT_NUMBER = _issuer("INVOICE_ISSUER_VAT_NUMBER", "FR00123456789")
# Percent, e.g. 20 or 20.00 (decimal): applied to each invoice's net total.
INVOICE_VAT_RATE = env.get_decimal("INVOICE_VAT_RATE", "20.00")
INVOICE_PAYMENT_DAYS = env.get_int("INVOICE_PAYMENT_DAYS", 30)

# --- Bubbles (SPEC §6) ----------------------------------------------------------------------
# Hours a guest's single-use link stays valid (SPEC §6.2: 48 h by default).
BUBBLE_GUEST_LINK_HOURS = env.get_int("BUBBLE_GUEST_LINK_HOURS", 48)

# --- Retention (SPEC §8) --------------------------------------------------------------------
# Accounts per batch (one transaction each); workers the daily beat job fans out to; a pause
# between accounts (RETENTION_ACCOUNT_PAUSE_MS: throttling, and the crash test's window).
RETENTION_BATCH_SIZE = env.get_int("RETENTION_BATCH_SIZE", 1000)
RETENTION_WORKERS = env.get_int("RETENTION_WORKERS", 2)
RETENTION_ACCOUNT_PAUSE = env.get_int("RETENTION_ACCOUNT_PAUSE_MS", 0) / 1000
# SPEC §10.3: activity records are kept twelve calendar months (not 365 days: a year with a
# 29 February is longer); the purge deletes this many per batch.
ACTIVITY_RETENTION_MONTHS = env.get_int("ACTIVITY_RETENTION_MONTHS", 12)
ACTIVITY_PURGE_BATCH = env.get_int("ACTIVITY_PURGE_BATCH", 20000)
# Data exports (GDPR Art. 20): how long the download link works (hours).
DATA_EXPORT_TTL_HOURS = env.get_int("DATA_EXPORT_TTL_HOURS", 72)
