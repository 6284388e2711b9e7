import json
from datetime import timedelta

import pytest
from django.core.management import call_command

from companies.models import Company, Role
from companies.selectors import default_company
from tests.factories import CompanyFactory, UserFactory


@pytest.fixture
def standalone(db):
    return UserFactory(
        company=default_company(),
        email="zebulon.quaxley@example.test",
        first_name="Zebulon",
        last_name="Quaxley",
        title="Chief Tinkerer",
    )


@pytest.fixture
def company(db):
    partner = CompanyFactory(name="Bridge BP", slug="bridge-bp", kind=Company.Kind.BUSINESS_PARTNER)
    return CompanyFactory(name="Acme EC", slug="acme-ec", business_partner=partner)


@pytest.fixture
def company_admin(company):
    return UserFactory(company=company, roles=[Role.COMPANY_ADMIN])


@pytest.fixture
def member(company):
    return UserFactory(
        company=company,
        email="wilhelmina.brask@acme.test",
        first_name="Wilhelmina",
        last_name="Brask",
    )


@pytest.fixture
def run():
    """`retention_run --now <moment>`; returns the parsed JSON line."""

    def go(moment, *extra):
        from io import StringIO

        out = StringIO()
        call_command("retention_run", "--now", moment.isoformat(), *extra, stdout=out)
        return json.loads(out.getvalue().strip().splitlines()[-1])

    return go


def days(n):
    return timedelta(days=n)
