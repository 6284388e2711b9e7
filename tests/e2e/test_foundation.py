import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_superadmin_logs_in_and_sees_the_dashboard(page):
    UserFactory(email="root@rainbow.test", first_name="Ada", is_staff=True, is_superuser=True)
    login(page, "root@rainbow.test", PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="Welcome, Ada")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Administration")).to_be_visible()
    # The page loaded its styles and scripts from /static/ without a CSP violation.
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.csp_errors == []


def test_anonymous_visitor_is_sent_to_login(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_wrong_password_shows_a_clear_message(page):
    UserFactory(email="someone@example.test")
    login(page, "someone@example.test", "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("The email or password is not correct.")


def test_api_docs_render_under_the_strict_csp(page):
    UserFactory(email="dev@example.test")
    login(page, "dev@example.test", PASSWORD)
    page.goto("/api/v1/docs/")
    expect(page.get_by_text("Rainbow Portal API").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/me/").first).to_be_visible()
    assert page.csp_errors == []


def test_django_admin_works_under_the_strict_csp(page):
    UserFactory(email="root2@rainbow.test", is_staff=True, is_superuser=True)
    login(page, "root2@rainbow.test", PASSWORD)
    page.goto("/admin/companies/company/")
    expect(
        page.locator("#result_list").get_by_role("link", name="Rainbow", exact=True)
    ).to_be_visible()
    page.goto("/admin/companies/company/add/")
    expect(page.get_by_label("Name")).to_be_visible()
    assert page.csp_errors == []
