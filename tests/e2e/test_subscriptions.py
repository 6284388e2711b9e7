"""Browser journeys of issue 6: Finance sells and assigns, Operation wires a PBX, a customer
admin under "increase only" delegation grows seats and is refused a decrease."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from companies.models import Company, Role
from subscriptions.models import Extension, License, Offer, Subscription
from subscriptions.services import (
    subscription_create,
    subscription_delegation_set,
)
from tests.factories import PASSWORD, CompanyFactory, UserFactory

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world():
    partner = CompanyFactory(name="Bridge Partners", kind=Company.Kind.BUSINESS_PARTNER)
    customer = CompanyFactory(name="Cobalt Clinic", slug="cobalt-clinic", business_partner=partner)
    return {
        "partner": partner,
        "customer": customer,
        "finance": UserFactory(email="fin@bridge.test", company=partner, roles=[Role.BP_FINANCE]),
        "operation": UserFactory(
            email="olga@bridge.test", company=partner, roles=[Role.BP_OPERATION]
        ),
        "admin": UserFactory(
            email="admin@cobalt.test", company=customer, roles=[Role.COMPANY_ADMIN]
        ),
        "nina": UserFactory(
            email="nina@cobalt.test", first_name="Nina", last_name="Nash", company=customer
        ),
        "omar": UserFactory(
            email="omar@cobalt.test", first_name="Omar", last_name="Olsen", company=customer
        ),
    }


def test_finance_creates_a_subscription_and_assigns_licenses(page, world):
    login(page, "fin@bridge.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Subscriptions").click()
    page.get_by_role("link", name="Cobalt Clinic").click()
    page.get_by_label("Offer").select_option(label="Enterprise — 19.90 EUR per seat per month")
    page.get_by_label("Billing").select_option("monthly")
    page.get_by_label("Seats", exact=True).fill("2")
    page.get_by_role("button", name="Create subscription").click()
    expect(page.get_by_role("status")).to_contain_text("Subscription created.")
    sub = Subscription.objects.get(company=world["customer"])
    page.get_by_role("row").filter(has_text="Enterprise").get_by_role(
        "link", name="Licenses"
    ).click()
    page.get_by_label("Select Nina Nash").check()
    page.get_by_label("Select Omar Olsen").check()
    page.get_by_role("button", name="Assign licenses to selected members").click()
    expect(page.get_by_role("status")).to_contain_text("2 license(s) assigned.")
    expect(page.get_by_test_id("seat-count")).to_contain_text("2 of 2 seats assigned")
    # A third member finds no free seat: a clear refusal.
    page.locator("input[name=users]").first.check()
    page.get_by_role("button", name="Assign licenses to selected members").click()
    expect(page.get_by_role("alert")).to_contain_text("Only 0 of 2 seats are free")
    assert License.objects.filter(subscription=sub, released_at__isnull=True).count() == 2
    assert page.csp_errors == []


def test_operation_adds_a_pbx_and_associates_extensions(page, world):
    login(page, "olga@bridge.test", PASSWORD)
    page.goto("/systems/cobalt-clinic/")
    page.get_by_label("Site name").fill("Harbour site")
    page.get_by_role("button", name="Add site").click()
    expect(page.get_by_role("status")).to_contain_text("Site “Harbour site” added.")
    page.get_by_label("System name").fill("Harbour OXO")
    page.get_by_label("Kind").select_option("oxo")
    page.get_by_role("button", name="Add system").click()
    expect(page.get_by_role("status")).to_contain_text("System “Harbour OXO” added.")
    page.get_by_role("link", name="Harbour OXO").click()
    expect(page.get_by_text("activation code")).to_be_visible()
    for number in ("201", "202"):
        page.get_by_role("textbox", name="Extension number").fill(number)
        page.get_by_role("button", name="Add extension").click()
        expect(page.get_by_role("status")).to_contain_text(f"Extension {number} added.")
    page.get_by_role("textbox", name="Extension number").fill("201")
    page.get_by_role("button", name="Add extension").click()
    expect(page.get_by_role("alert")).to_contain_text("Extension 201 is already used")
    page.get_by_label("Member for extension 201").select_option(label="Nina Nash")
    page.get_by_role("button", name="Save 201").click()
    expect(page.get_by_role("status")).to_contain_text("associated with Nina Nash")
    expect(page.get_by_test_id("extension-201")).to_contain_text("Nina Nash")
    assert Extension.objects.get(number="201").user == world["nina"]
    assert page.csp_errors == []


def test_increase_only_admin_raises_seats_and_is_refused_a_decrease(page, world):
    sub = subscription_create(
        company=world["customer"],
        offer=Offer.objects.get(code="business"),
        billing="monthly",
        seats=3,
        start_date=dt.date(2026, 1, 1),
        actor=None,
    )
    subscription_delegation_set(
        company=world["customer"], delegation="increase_only", actor=world["finance"]
    )
    login(page, "admin@cobalt.test", PASSWORD)
    page.goto("/subscriptions/cobalt-clinic/")
    expect(page.get_by_role("note")).to_contain_text("increase seats only")
    seats = page.get_by_label(f"Seats for Business #{sub.pk}")
    seats.fill("5")
    page.get_by_role("button", name="Set seats").click()
    expect(page.get_by_role("status")).to_contain_text("Seats set to 5.")
    page.get_by_label(f"Seats for Business #{sub.pk}").fill("4")
    page.get_by_role("button", name="Set seats").click()
    expect(page.get_by_role("alert")).to_contain_text("Your partner lets you increase seats only")
    expect(page.get_by_test_id(f"subscription-{sub.pk}")).to_contain_text("5 (0)")
    expect(page.get_by_role("button", name="Terminate")).to_have_count(0)
    sub.refresh_from_db()
    assert sub.seats == 5
    assert page.csp_errors == []
