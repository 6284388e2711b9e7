"""Browser journeys for the company and partner portals (issue 3)."""

import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from accounts.models import User
from companies.models import Company, Role, RoleAssignment
from tests.factories import PASSWORD, CompanyFactory, UserFactory

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_partner_operation_creates_customer_and_its_admin_signs_up(page, smtp_server):
    bridge = CompanyFactory(name="Bridge Partners", kind=Company.Kind.BUSINESS_PARTNER)
    UserFactory(
        email="olga@bridge.test", first_name="Olga", company=bridge, roles=[Role.BP_OPERATION]
    )
    login(page, "olga@bridge.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partner").click()
    expect(page.get_by_role("heading", name="Bridge Partners — customers")).to_be_visible()
    page.get_by_role("button", name="New customer").or_(
        page.get_by_role("link", name="New customer")
    ).click()
    page.get_by_label("Customer company name").fill("Cobalt Clinic")
    page.get_by_label("Email of its first admin").fill("admin@cobalt.test")
    page.get_by_role("button", name="Create the customer and invite its admin").click()
    expect(page.get_by_role("status")).to_contain_text("Cobalt Clinic is created")
    expect(page.get_by_role("cell", name="Cobalt Clinic")).to_be_visible()
    assert page.csp_errors == []

    # The invitee reads the email delivered to the SMTP sink and follows the link.
    assert smtp_server.messages, "the invitation email was not delivered"
    text = smtp_server.text()
    assert "Cobalt Clinic" in text
    link = re.search(r"https?://\S+/invitations/\S+/", text).group(0)
    page.get_by_test_id("logout").click()
    page.goto(urlparse(link).path)
    expect(page.get_by_role("heading", name="Join Cobalt Clinic")).to_be_visible()
    page.get_by_label("First name").fill("Clara")
    page.get_by_label("Last name").fill("Cobalt")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    expect(page.get_by_role("heading", name="Welcome, Clara")).to_be_visible()
    expect(page.get_by_text("admin@cobalt.test · Cobalt Clinic")).to_be_visible()

    # Landed as its admin: "My company" leads to the company's pages.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My company").click()
    expect(page.get_by_role("heading", name="Cobalt Clinic")).to_be_visible()
    page.get_by_role("link", name="Members").click()
    expect(page.get_by_role("cell", name="admin@cobalt.test")).to_be_visible()
    user = User.objects.get(email="admin@cobalt.test")
    assert user.company.name == "Cobalt Clinic"
    assert user.company.business_partner == bridge
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == [
        Role.COMPANY_ADMIN
    ]
    assert page.csp_errors == []


def test_company_admin_invites_and_grants_a_role(page, smtp_server):
    acme = CompanyFactory(name="Acme")
    UserFactory(
        email="alice@acme.test", first_name="Alice", company=acme, roles=[Role.COMPANY_ADMIN]
    )
    UserFactory(email="bob@acme.test", first_name="Bob", last_name="Baker", company=acme)
    UserFactory(email="elsewhere@other.test", company=CompanyFactory())
    login(page, "alice@acme.test", PASSWORD)
    page.goto(f"/companies/{acme.slug}/invitations/")
    page.get_by_label("Email addresses").fill("new1@new.test, bob@acme.test")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("bob@acme.test is already a member of Acme")).to_be_visible()
    # An account in another company is invited like any new address (SPEC §4.4).
    page.get_by_label("Email addresses").fill("new1@new.test new2@new.test elsewhere@other.test")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_role("status")).to_contain_text("3 invitations sent")
    expect(page.get_by_role("cell", name="new2@new.test", exact=True)).to_be_visible()
    expect(
        page.get_by_role("button", name="Resend the invitation to new2@new.test")
    ).to_be_visible()

    page.get_by_role("link", name="Members").click()
    page.get_by_label("Search").fill("bob")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="Bob Baker").click()
    page.get_by_role("button", name="Grant Company admin").click()
    expect(page.get_by_role("status")).to_contain_text("Company admin granted to Bob Baker")
    assert page.csp_errors == []


def test_standalone_user_joins_through_a_join_link(page):
    # Transactional tests flush the tables, the default company of the data migration too.
    rainbow = Company.objects.filter(is_default=True).first() or CompanyFactory(
        name="Rainbow", is_default=True
    )
    acme = CompanyFactory(name="Acme")
    UserFactory(email="alice@acme.test", company=acme, roles=[Role.COMPANY_ADMIN])
    UserFactory(email="sam@free.test", first_name="Sam", company=rainbow)
    login(page, "alice@acme.test", PASSWORD)
    page.goto(f"/companies/{acme.slug}/join-links/")
    page.get_by_label("Maximum users").fill("1")
    page.get_by_label("Valid for (days)").fill("2")
    page.get_by_role("button", name="Create join link").click()
    expect(page.get_by_role("status")).to_contain_text("Join link created")
    # Shown once, in full (only a hash is stored, D3.12).
    link = page.get_by_role("article", name="Your join link").locator("code").inner_text()
    page.reload()
    expect(page.get_by_role("article", name="Your join link")).to_have_count(0)
    page.get_by_test_id("logout").click()

    login(page, "sam@free.test", PASSWORD)
    page.goto(urlparse(link).path)
    page.get_by_role("button", name="Join Acme").click()
    expect(page.get_by_text("sam@free.test · Acme")).to_be_visible()
    assert User.objects.get(email="sam@free.test").company == acme
    # The link is now full: the next visitor gets a clear refusal.
    page.goto(urlparse(link).path)
    expect(page.get_by_role("alert")).to_contain_text("maximum number of users")
    assert page.csp_errors == []
