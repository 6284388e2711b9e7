"""Subscription, license, invoice and consumption pages. Thin: resolve the company, check a
policy, validate a form, call a service; a refused rule comes back as a message.
subscriptions/urls.py names them from here."""

from .invoices import billing, invoice_csv, invoice_pdf, invoices
from .pages import company, consumption, delegation, home, license_release, licenses, seats, status

__all__ = [
    "billing",
    "company",
    "consumption",
    "delegation",
    "home",
    "invoice_csv",
    "invoice_pdf",
    "invoices",
    "license_release",
    "licenses",
    "seats",
    "status",
]
