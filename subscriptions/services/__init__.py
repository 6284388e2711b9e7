"""Writes for subscriptions, licenses, invoices and systems. One module per concern."""

from .billing import company_billing_update
from .invoices import invoices_issue_for_month
from .licenses import (
    license_assign,
    license_release,
    licenses_assign_bulk,
    licenses_release_for_user,
)
from .offers import offer_update
from .subscriptions import (
    subscription_create,
    subscription_delegation_set,
    subscription_resume,
    subscription_seats_set,
    subscription_suspend,
    subscription_terminate,
)
from .systems import extension_associate, extension_create, site_create, system_create

__all__ = [
    "company_billing_update",
    "extension_associate",
    "extension_create",
    "invoices_issue_for_month",
    "license_assign",
    "license_release",
    "licenses_assign_bulk",
    "licenses_release_for_user",
    "offer_update",
    "site_create",
    "subscription_create",
    "subscription_delegation_set",
    "subscription_resume",
    "subscription_seats_set",
    "subscription_suspend",
    "subscription_terminate",
    "system_create",
]
