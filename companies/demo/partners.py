"""Demo companies for `seed_demo` (the shared demo names): a business
partner with its three customers, an isolated company, and an organization with a private
headquarters over two branches in organization mode. Idempotent, through services."""

from accounts.models import User

from ..models import Company, Organization, Role
from ..services import (
    company_create,
    company_organization_set,
    company_visibility_set,
    organization_create,
    role_grant,
)
from .base import person

PARTNER = "Bridge Partners"
CUSTOMERS = [
    # name, admin email, other users
    ("Cobalt Clinic", "admin@cobalt.test", ["nina@cobalt.test"]),
    ("Delta Dental", "admin@delta.test", []),
    ("Echo Logistics", "admin@echo.test", []),
]
ORGANIZATION = "Nordic Group"
NORDIC = [
    # name, visibility, admin
    ("Nordic HQ", "private", "hq@nordic.test"),
    ("Nordic North", "organization", "north@nordic.test"),
    ("Nordic South", "organization", "south@nordic.test"),
]


def _company(name, **kwargs) -> Company:
    return Company.objects.filter(name=name).first() or company_create(
        name=name, actor=None, **kwargs
    )


def _person(command, email, company, roles, first="", last="") -> User:
    user = person(email, company=company, first=first, last=last)
    for role in roles:
        role_grant(user=user, role=role, actor=None)
    return user


def seed(command):
    logins = []
    partner = _company(PARTNER, region="EMEA", kind=Company.Kind.BUSINESS_PARTNER)
    for email, first, role in (
        ("pat@bridge.test", "Pat", Role.BP_ADMIN),
        ("fin@bridge.test", "Fin", Role.BP_FINANCE),
        ("olga@bridge.test", "Olga", Role.BP_OPERATION),
    ):
        _person(command, email, partner, [role], first=first, last="Bridge")
        logins.append((email, f"{role.label} of {PARTNER}"))

    for name, admin, users in CUSTOMERS:
        customer = _company(name, region="EMEA", business_partner=partner)
        first = admin.split("@")[1].split(".")[0].title()
        _person(command, admin, customer, [Role.COMPANY_ADMIN], first=first, last="Admin")
        logins.append((admin, f"company admin of {name} (customer of {PARTNER})"))
        for email in users:
            _person(command, email, customer, [], first=email.split("@")[0].title())
            logins.append((email, f"user of {name}"))

    isolde = _company("Isolde Labs", region="EMEA", visibility="isolated")
    _person(command, "ivy@isolde.test", isolde, [Role.COMPANY_ADMIN], first="Ivy", last="Isolde")
    logins.append(("ivy@isolde.test", "company admin of Isolde Labs (isolated)"))

    organization = Organization.objects.filter(name=ORGANIZATION).first() or organization_create(
        name=ORGANIZATION, actor=None
    )
    for name, visibility, admin in NORDIC:
        company = _company(name, region="EMEA")
        company_organization_set(company=company, organization=organization, actor=None)
        company_visibility_set(company=company, visibility=visibility, actor=None)
        _person(command, admin, company, [Role.COMPANY_ADMIN], first=name.split()[1])
        logins.append((admin, f"company admin of {name} ({visibility}, {ORGANIZATION})"))
    return logins
