"""Browser journeys of issue 5: sign-up, reset, lockout, two-factor (SPEC §7)."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from accounts.models import CompanySecurityPolicy, User
from companies.models import CompanyDomain, Role
from tests.factories import PASSWORD, CompanyFactory, UserFactory

from .conftest import ARTIFACTS, login, totp_code

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "Fresh-Start-2026!"


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_up(page, email):
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Novak")
    page.get_by_label(re.compile(r"^Password(?! again)")).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()


def follow_verification_link(page, smtp_server, password=PASSWORD):
    """Opening the link only shows a form (mail scanners open links too); the password
    chosen at sign-up confirms the address."""
    link = re.search(r"http\S+/accounts/verify/\S+/", smtp_server.text()).group(0)
    page.goto(path_of(link))
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible()
    page.get_by_label("Password chosen at sign-up").fill(password)
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text("Your email address is confirmed")


def test_sign_up_verify_by_email_then_sign_in(page, smtp_server):
    sign_up(page, "nina@example.test")
    assert len(smtp_server.messages) == 1
    # Before confirming, the account cannot be used.
    login(page, "nina@example.test", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("Confirm your email address first")

    # Someone who does not know the sign-up password cannot confirm: they are told to set
    # a new password instead.
    link = re.search(r"http\S+/accounts/verify/\S+/", smtp_server.text()).group(0)
    page.goto(path_of(link))
    page.get_by_label("Password chosen at sign-up").fill("Not-Mine-123!")
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_text("This is not the password chosen at sign-up")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "verify-email-wrong-password.png"), full_page=True)
    expect(page.get_by_role("link", name="Set a new password")).to_be_visible()

    follow_verification_link(page, smtp_server)
    login(page, "nina@example.test", PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Nina")).to_be_visible()

    # The link is single-use.
    link = re.search(r"http\S+/accounts/verify/\S+/", smtp_server.text()).group(0)
    page.goto(path_of(link))
    expect(page.get_by_role("alert")).to_contain_text("already used")
    assert page.csp_errors == []


def test_sign_up_with_a_company_domain_lands_in_that_company(page, smtp_server):
    cobalt = CompanyFactory(name="Cobalt Clinic")
    CompanyDomain.objects.create(company=cobalt, domain="cobalt.test")
    sign_up(page, "nina@cobalt.test")
    follow_verification_link(page, smtp_server)
    login(page, "nina@cobalt.test", PASSWORD)
    page.goto("/accounts/profile/")
    expect(page.get_by_text("nina@cobalt.test · Cobalt Clinic")).to_be_visible()
    assert User.objects.get(email="nina@cobalt.test").company == cobalt


def test_forgotten_password_code_new_password_and_old_sessions_are_gone(
    page, browser, live_server, smtp_server
):
    UserFactory(email="rita@example.test", first_name="Rita")
    other = browser.new_context(base_url=live_server.url)
    old_session = other.new_page()
    login(old_session, "rita@example.test", PASSWORD)
    expect(old_session.get_by_role("heading", name="Welcome, Rita")).to_be_visible()

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgotten password?").click()
    page.get_by_label("Email").fill("rita@example.test")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_role("status")).to_contain_text("we emailed it a 6-digit code")
    code = re.search(r"code is: (\d{6})", smtp_server.text()).group(1)

    page.get_by_label("Code").fill(code)
    page.get_by_label(re.compile(r"^New password(?! again)")).fill("short")
    page.get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("at least 8 characters (it has 5)")).to_be_visible()

    page.get_by_label(re.compile(r"^New password(?! again)")).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")

    login(page, "rita@example.test", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Rita")).to_be_visible()
    old_session.goto("/")
    expect(old_session).to_have_url(re.compile(r"/accounts/login/"))
    other.close()


def test_five_wrong_passwords_lock_the_account(page):
    UserFactory(email="lou@example.test")
    for _ in range(4):
        login(page, "lou@example.test", "Not-It-123!")
        expect(page.get_by_role("alert")).to_contain_text("The email or password is not correct.")
    login(page, "lou@example.test", "Not-It-123!")
    expect(page.get_by_role("alert")).to_contain_text("locked for 60 minutes")
    login(page, "lou@example.test", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("locked for 60 minutes")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_admin_of_an_admins_company_enrolls_totp_then_signs_in_with_a_code(page):
    company = CompanyFactory(name="Delta Dental")
    CompanySecurityPolicy.objects.create(company=company, two_factor="admins")
    UserFactory(
        email="admin@delta.test", first_name="Dora", company=company, roles=[Role.COMPANY_ADMIN]
    )
    login(page, "admin@delta.test", PASSWORD, complete_second_factor=False)
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    # Nothing else is reachable before enrolling.
    page.goto("/accounts/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "two-factor-setup.png"), full_page=True)

    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code").fill("000000" if totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("This code is not correct or was already used")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_test_id("recovery-codes").get_by_role("listitem")).to_have_count(10)
    page.get_by_role("button", name=re.compile("continue")).click()
    # Back to the page that was asked for before enrollment.
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()

    page.get_by_test_id("logout").click()
    login(page, "admin@delta.test", PASSWORD, complete_second_factor=False)
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    page.get_by_label("Code").fill(totp_code(secret, steps_ahead=1))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Welcome, Dora")).to_be_visible()
    assert page.csp_errors == []


def test_invited_to_a_company_that_requires_two_factor_signs_up_then_enrolls(page, smtp_server):
    """The invitation sign-up signs in like the sign-in page: the company's policy asks
    for a second factor before anything else, and the session is listed."""
    from accounts.models import UserSession
    from companies.membership.services import invitations_create

    company = CompanyFactory(name="Echo Labs")
    CompanySecurityPolicy.objects.create(company=company, two_factor="always")
    admin = UserFactory(email="admin@echo.test", company=company, roles=[Role.COMPANY_ADMIN])
    invitations_create(company=company, emails=["ivy@echo.test"], actor=admin)
    link = re.search(r"https?://\S+/invitations/\S+/", smtp_server.text()).group(0)
    page.goto(path_of(link))
    page.get_by_label("First name").fill("Ivy")
    page.get_by_label("Last name").fill("Echo")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my account and join").click()
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.get_by_text("Welcome to Echo Labs.")).to_be_visible()
    page.goto("/accounts/profile/")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/setup/"))
    assert UserSession.objects.filter(user__email="ivy@echo.test").count() == 1

    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("button", name=re.compile("continue")).click()
    # Back to the page asked for before enrolling.
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("heading", name="Welcome, Ivy")).to_be_visible()
    assert page.csp_errors == []
