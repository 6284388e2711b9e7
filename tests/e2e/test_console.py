"""Browser journeys for the admin console (issue 14): each role's dashboard, the company
settings hub, a destructive action's confirmation page, and the simulator in plain words.
Screenshots of each page at 390 px and 1280 px go to test-artifacts/."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Contact, UserSecurity
from activity.models import ActivityRecord
from companies.models import Company, CompanyInvitation, JoinRequest, Role
from subscriptions.models import Extension, License, Offer, Site, Subscription, System
from tests.factories import PASSWORD, CompanyFactory, UserFactory, make_operations

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.django_db(transaction=True)


def _shots(page, name: str) -> None:
    """The page at a phone's width and a laptop's, without horizontal scrolling on the phone."""
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in ((390, 844), (1280, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(ARTIFACTS / f"console-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def _default_company():
    return Company.objects.filter(is_default=True).first() or CompanyFactory(
        name="Rainbow", is_default=True
    )


def test_company_admin_dashboard_and_settings_hub(page):
    acme = CompanyFactory(name="Acme")
    UserFactory(
        email="alice@acme.test", first_name="Alice", company=acme, roles=[Role.COMPANY_ADMIN]
    )
    bob = UserFactory(email="bob@acme.test", first_name="Bob", last_name="Baker", company=acme)
    UserFactory(email="ivy@acme.test", company=acme, is_active=False)
    sam = UserFactory(
        email="sam@free.test", first_name="Sam", last_name="Solo", company=_default_company()
    )
    JoinRequest.objects.create(company=acme, user=sam)
    inv = CompanyInvitation.objects.create(
        company=acme,
        email="new@new.test",
        token_hash="x" * 64,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    sub = Subscription.objects.create(
        company=acme,
        offer=Offer.objects.get(code="business"),
        billing="monthly",
        seats=4,
        start_date=timezone.localdate(),
    )
    License.objects.create(subscription=sub, user=bob, assigned_at=timezone.now())

    login(page, "alice@acme.test", PASSWORD)
    company_panel = page.get_by_test_id("panel-company")
    expect(company_panel.get_by_test_id("members-active")).to_have_text("2")
    expect(company_panel.get_by_test_id("members-inactive")).to_have_text("1")
    expect(page.get_by_test_id("panel-seats")).to_contain_text("Business")
    expect(page.get_by_role("img", name="Business: 1 of 4 seats used")).to_be_visible()
    _shots(page, "dashboard-company-admin")
    # The join request is answered from the dashboard.
    company_panel.get_by_role("row", name=re.compile("Sam Solo")).get_by_role(
        "button", name="Accept"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("Sam")
    sam.refresh_from_db()
    assert sam.company == acme

    # Cancelling an invitation asks first, on a page of its own, without JavaScript.
    page.goto("/")
    page.get_by_role("link", name="Cancel the invitation to new@new.test").click()
    expect(
        page.get_by_role("heading", name="Cancel the invitation to new@new.test?")
    ).to_be_visible()
    expect(page.get_by_text("This cannot be undone.")).to_be_visible()
    _shots(page, "confirm")
    page.get_by_role("button", name="Cancel the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("canceled")
    inv.refresh_from_db()
    assert inv.status == CompanyInvitation.Status.CANCELED

    # The settings hub: one sub-navigation over every settings page.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My company").click()
    hub = page.get_by_role("navigation", name="Company settings")
    for section in (
        "Profile",
        "Members",
        "Invitations and joining",
        "Visibility",
        "Security",
        "File sharing",
    ):
        expect(hub.get_by_role("link", name=section, exact=True)).to_be_visible()
    _shots(page, "hub-profile")
    hub.get_by_role("link", name="Visibility").click()
    page.get_by_label("Company visibility").select_option("private")
    page.get_by_role("button", name="Save visibility").click()
    expect(page.get_by_role("status")).to_contain_text("Company visibility saved")
    acme.refresh_from_db()
    assert acme.visibility == "private"
    _shots(page, "hub-visibility")
    hub = page.get_by_role("navigation", name="Company settings")
    hub.get_by_role("link", name="File sharing").click()
    page.get_by_label("File sharing for the company").select_option("0")
    page.get_by_role("button", name="Save file sharing").click()
    expect(page.get_by_role("status")).to_contain_text("File-sharing setting saved")
    page.get_by_role("navigation", name="Company settings").get_by_role(
        "link", name="Security"
    ).click()
    expect(page.get_by_role("link", name="Identity providers and sign-in rules")).to_be_visible()
    _shots(page, "hub-security")
    page.get_by_role("navigation", name="Company settings").get_by_role(
        "link", name="Invitations and joining"
    ).click()
    expect(page.get_by_role("navigation", name="Invitations and joining")).to_be_visible()

    # The member page gathers one member, and the simulator answers in plain words.
    page.get_by_role("navigation", name="Company settings").get_by_role(
        "link", name="Members"
    ).click()
    page.get_by_role("link", name="Bob Baker").click()
    for heading in (
        "Status",
        "Roles",
        "Visibility",
        "Licenses",
        "File sharing",
        "Profile lock",
        "Sessions",
    ):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_test_id("member-licenses")).to_contain_text("Business")
    page.get_by_label("Another person's email").fill("alice@acme.test")
    page.get_by_role("button", name="Simulate").click()
    simulation = page.get_by_test_id("simulation")
    expect(simulation).to_contain_text("work for the same company")
    assert "SPEC" not in page.content() and "§" not in page.content()
    _shots(page, "member")
    # A member's visibility saved from their page comes back to it.
    page.get_by_label("This member's visibility").select_option("public")
    page.get_by_role("button", name="Save visibility").click()
    expect(page.get_by_role("heading", name="Bob Baker")).to_be_visible()
    bob.refresh_from_db()
    assert bob.visibility_override == "public"
    assert page.csp_errors == []


def test_partner_dashboard_by_role(page):
    bridge = CompanyFactory(name="Bridge Partners", kind=Company.Kind.BUSINESS_PARTNER)
    UserFactory(
        email="fin@bridge.test",
        first_name="Fin",
        company=bridge,
        roles=[Role.BP_FINANCE, Role.BP_OPERATION],
    )
    cobalt = CompanyFactory(name="Cobalt Clinic", business_partner=bridge)
    nurse = UserFactory(company=cobalt)
    sub = Subscription.objects.create(
        company=cobalt,
        offer=Offer.objects.get(code="enterprise"),
        billing="prepaid_1y",
        seats=5,
        start_date=timezone.localdate() - dt.timedelta(days=340),
    )
    License.objects.create(subscription=sub, user=nurse, assigned_at=timezone.now())
    system = System.objects.create(
        site=Site.objects.create(company=cobalt, name="HQ"),
        name="PBX one",
        kind="oxe",
        activation_code="1234",
    )
    Extension.objects.create(system=system, number="201")
    login(page, "fin@bridge.test", PASSWORD)
    partner = page.get_by_test_id("panel-partner")
    expect(partner.get_by_role("row", name=re.compile("Cobalt Clinic"))).to_contain_text("1 / 5")
    expect(page.get_by_test_id("panel-finance")).to_contain_text("Cobalt Clinic")
    expect(page.get_by_test_id("panel-operation")).to_contain_text("1 extension has no member yet")
    expect(page.get_by_test_id("panel-company")).to_have_count(0)
    _shots(page, "dashboard-partner")
    assert page.csp_errors == []


def test_operations_dashboard(page):
    ops = make_operations(
        UserFactory(email="ops@rainbow.test", first_name="Olive", company=_default_company())
    )
    locked = UserFactory(email="locked@acme.test", company=CompanyFactory(name="Acme"))
    UserSecurity.objects.update_or_create(
        user=locked, defaults={"locked_until": timezone.now() + dt.timedelta(minutes=40)}
    )
    for event in ("user.login.failed", "user.login.failed", "user.locked"):
        ActivityRecord.objects.create(
            occurred_at=timezone.now(), kind="action", event=event, region="EMEA"
        )
    login(page, ops.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Operations").click()
    expect(page.get_by_role("heading", name="Operations", exact=True)).to_be_visible()
    expect(page.get_by_test_id("panel-signins")).to_contain_text("failed sign-ins")
    expect(page.get_by_test_id("panel-locked")).to_contain_text("locked@acme.test")
    expect(page.get_by_role("img", name="Activity records per day, last 14 days")).to_be_visible()
    _shots(page, "operations")
    page.get_by_role("navigation", name="Operations pages").get_by_role(
        "link", name="Activity log"
    ).click()
    expect(page).to_have_url(re.compile("/operations/activity/"))
    assert page.csp_errors == []


def test_user_dashboard(page):
    acme = CompanyFactory(name="Acme")
    me = UserFactory(email="uma@acme.test", first_name="Uma", company=acme)
    friend = UserFactory(email="zed@acme.test", first_name="Zed", last_name="Zane", company=acme)
    Contact.objects.create(owner=me, contact=friend)
    Contact.objects.create(owner=friend, contact=me)
    login(page, "uma@acme.test", PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Uma")).to_be_visible()
    expect(page.get_by_test_id("panel-network")).to_contain_text("Zed Zane")
    expect(page.get_by_test_id("panel-my-licenses")).to_contain_text("Essential")
    expect(page.get_by_test_id("panel-company")).to_have_count(0)
    _shots(page, "dashboard-user")
    assert page.csp_errors == []
