import datetime as dt

import pytest

from companies.models import Company, Role
from subscriptions.models import Offer
from subscriptions.services import subscription_create
from tests.factories import CompanyFactory, UserFactory


@pytest.fixture
def partner(db):
    return CompanyFactory(name="Bridge", kind=Company.Kind.BUSINESS_PARTNER)


@pytest.fixture
def customer(partner):
    return CompanyFactory(name="Cobalt", business_partner=partner)


@pytest.fixture
def finance(partner):
    return UserFactory(company=partner, roles=[Role.BP_FINANCE])


@pytest.fixture
def operation(partner):
    return UserFactory(company=partner, roles=[Role.BP_OPERATION])


@pytest.fixture
def customer_admin(customer):
    return UserFactory(company=customer, roles=[Role.COMPANY_ADMIN])


@pytest.fixture
def business(db):
    return Offer.objects.get(code="business")  # made by migration 0002_default_offers


@pytest.fixture
def enterprise(db):
    return Offer.objects.get(code="enterprise")


@pytest.fixture
def make_subscription(customer, business):
    def make(company=None, offer=None, billing="monthly", seats=3, start=dt.date(2026, 1, 1)):
        return subscription_create(
            company=company or customer,
            offer=offer or business,
            billing=billing,
            seats=seats,
            start_date=start,
            actor=None,
        )

    return make
