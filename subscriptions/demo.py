"""Demo subscriptions, licenses and a PBX for the partner's customers (docs: demo-names).

Companies and people are found by their shared demo names and created through services only
when another app's demo has not made them yet. Every subscription starts before last month,
so `invoices_run` for last month issues invoices on a fresh demo database. Idempotent: a
company that already has subscriptions is left alone.
"""

from django.utils import timezone

from accounts.models import User
from companies.demo.base import person
from companies.models import Company, Role
from companies.services import company_create, role_grant

from .dates import add_months, month_start
from .models import Extension, Offer, Site, Subscription, System
from .services import (
    company_billing_update,
    extension_associate,
    extension_create,
    licenses_assign_bulk,
    site_create,
    subscription_create,
    subscription_delegation_set,
    system_create,
)

PARTNER = "Bridge Partners"
PARTNER_PEOPLE = [
    ("pat@bridge.test", "Pat", "Partner", Role.BP_ADMIN),
    ("fin@bridge.test", "Fin", "Finch", Role.BP_FINANCE),
    ("olga@bridge.test", "Olga", "Operator", Role.BP_OPERATION),
]
CUSTOMERS = [
    # name, admin email, other members
    ("Cobalt Clinic", "admin@cobalt.test", ["nina@cobalt.test"]),
    ("Delta Dental", "admin@delta.test", []),
    ("Echo Logistics", "admin@echo.test", []),
]
# company, offer, billing, seats, months before this month, day of month, licensed emails
SUBSCRIPTIONS = [
    ("Cobalt Clinic", "business", "monthly", 5, 3, 1, ["admin@cobalt.test", "nina@cobalt.test"]),
    ("Cobalt Clinic", "enterprise", "prepaid_1y", 2, 2, 15, []),
    ("Delta Dental", "enterprise", "monthly", 3, 4, 10, ["admin@delta.test"]),
    ("Echo Logistics", "business", "prepaid_3y", 10, 5, 1, ["admin@echo.test"]),
]


def _person(command, email, company, first, last):
    user = User.objects.filter(email=email).first()
    if user is None:
        user = person(email, company=company, first=first, last=last)
    return user


def _company(name, **kwargs):
    return Company.objects.filter(name=name).first() or company_create(
        name=name, region="EMEA", actor=None, **kwargs
    )


def seed(command):
    partner = _company(PARTNER, kind=Company.Kind.BUSINESS_PARTNER)
    for email, first, last, role in PARTNER_PEOPLE:
        role_grant(user=_person(command, email, partner, first, last), role=role, actor=None)
    companies = {}
    for name, admin_email, others in CUSTOMERS:
        company = _company(name, business_partner=partner)
        companies[name] = company
        admin = _person(command, admin_email, company, "Admin", name.split()[0])
        role_grant(user=admin, role=Role.COMPANY_ADMIN, actor=None)
        for email in others:
            _person(command, email, company, email.split("@")[0].title(), name.split()[0])

    this_month = month_start(timezone.now().date())
    offers = {o.code: o for o in Offer.objects.all()}
    for name, offer, billing, seats, months_ago, day, licensed in SUBSCRIPTIONS:
        company = companies[name]
        if Subscription.objects.filter(
            company=company, offer=offers[offer], billing=billing
        ).exists():
            continue
        subscription = subscription_create(
            company=company,
            offer=offers[offer],
            billing=billing,
            seats=seats,
            start_date=add_months(this_month, -months_ago).replace(day=day),
            actor=None,
        )
        users = list(User.objects.filter(email__in=licensed))
        if users:
            licenses_assign_bulk(subscription=subscription, users=users, actor=None)

    cobalt = companies["Cobalt Clinic"]
    if cobalt.subscription_delegation == "none":
        subscription_delegation_set(company=cobalt, delegation="increase_only", actor=None)
    # Billing details for its invoices (issue 14; fin@ edits them under Billing details).
    company_billing_update(
        company=cobalt,
        actor=None,
        billing_name="Cobalt Clinic SARL",
        billing_address="1 Harbour Street\n13002 Marseille\nFrance",
        vat_number="FR55987654321",
    )
    site = Site.objects.filter(company=cobalt, name="Cobalt main site").first() or site_create(
        company=cobalt, name="Cobalt main site", address="1 Harbour Street", actor=None
    )
    system = System.objects.filter(site=site).first() or system_create(
        site=site, name="Cobalt OXE", kind="oxe", actor=None
    )
    for number, email in (("201", "admin@cobalt.test"), ("202", "nina@cobalt.test"), ("203", None)):
        extension = Extension.objects.filter(system=system, number=number).first()
        if extension is None:
            extension = extension_create(system=system, number=number, actor=None)
            if email:
                extension_associate(
                    extension=extension, user=User.objects.get(email=email), actor=None
                )
    return [
        ("fin@bridge.test", "bp_finance of Bridge Partners (subscriptions, invoices, consumption)"),
        ("olga@bridge.test", "bp_operation of Bridge Partners (PBX systems, licenses)"),
        ("admin@cobalt.test", "company_admin of Cobalt Clinic (increase-only delegation)"),
    ]
