# One module per concern (offers, subscriptions and licenses, invoices, PBX systems).
from .invoices import Invoice, InvoiceLine, InvoiceSequence
from .offers import Offer
from .subscriptions import BillingModel, License, SeatChange, Subscription
from .systems import Extension, Site, System

__all__ = [
    "BillingModel",
    "Extension",
    "Invoice",
    "InvoiceLine",
    "InvoiceSequence",
    "License",
    "Offer",
    "SeatChange",
    "Site",
    "Subscription",
    "System",
]
