import pytest
from django.core.management import call_command

from accounts.models import User
from companies.models import Company, Role, RoleAssignment

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_partner_customers_and_visibility_modes(settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    bridge = Company.objects.get(name="Bridge Partners")
    assert bridge.is_business_partner
    assert set(bridge.customers.values_list("name", flat=True)) == {
        "Cobalt Clinic",
        "Delta Dental",
        "Echo Logistics",
    }
    roles = dict(
        RoleAssignment.objects.filter(user__company=bridge).values_list("user__email", "role")
    )
    assert roles == {
        "pat@bridge.test": Role.BP_ADMIN,
        "fin@bridge.test": Role.BP_FINANCE,
        "olga@bridge.test": Role.BP_OPERATION,
    }
    modes = dict(Company.objects.values_list("name", "visibility"))
    assert {modes[n] for n in ("Acme Corp", "Globex", "Initech", "Isolde Labs")} == {
        "public",
        "private",
        "closed",
        "isolated",
    }
    nordic = Company.objects.filter(organization__name="Nordic Group")
    assert dict(nordic.values_list("name", "visibility")) == {
        "Nordic HQ": "private",
        "Nordic North": "organization",
        "Nordic South": "organization",
    }
    assert User.objects.get(email="nina@cobalt.test").company.name == "Cobalt Clinic"
    assert Company.objects.filter(name="Cobalt Clinic").count() == 1
