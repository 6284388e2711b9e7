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
