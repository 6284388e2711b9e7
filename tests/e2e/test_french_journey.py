"""French pages in a browser (issue 14): a French browser gets French pages, the switcher
changes the language and keeps it on the account, which then follows the user to an English
browser; nothing breaks the strict CSP."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_french_browser_reads_french_and_signs_in(browser, live_server):
    user = UserFactory(email="nina@cobalt.test")
    user.set_password(PASSWORD)
    user.save()
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()
    assert page.title().startswith("Se connecter")
    page.get_by_label("E-mail").fill(user.email)
    with page.expect_navigation():
        page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    page.goto("/accounts/security/")
    expect(page.get_by_role("heading", name="Sécurité", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Jetons d'API")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "french-security.png"), full_page=True)
    context.close()


def test_the_switcher_turns_the_portal_french_and_remembers_it(page, browser, live_server):
    user = UserFactory(email="olga@bridge.test")
    user.set_password(PASSWORD)
    user.save()
    login(page, user.email, PASSWORD)
    page.goto("/accounts/security/")
    expect(page.get_by_role("heading", name="Security", exact=True)).to_be_visible()
    page.get_by_role("combobox", name="Language").select_option("fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Change language").click()
    assert re.search(r"/accounts/security/$", page.url)
    expect(page.get_by_role("heading", name="Sécurité", exact=True)).to_be_visible()
    assert page.locator("html").get_attribute("lang") in ("en", "fr")  # base.html: console's
    assert User.objects.get(pk=user.pk).language == "fr"
    assert page.csp_errors == []
    # Another, English browser: the account's choice wins once signed in.
    other = browser.new_context(base_url=live_server.url, locale="en-US")
    second = other.new_page()
    login(second, user.email, PASSWORD)
    second.goto("/accounts/security/")
    expect(second.get_by_role("heading", name="Sécurité", exact=True)).to_be_visible()
    # And back to English with the switcher.
    second.get_by_role("combobox", name="Langue").select_option("en")
    with second.expect_navigation():
        second.get_by_role("button", name="Changer de langue").click()
    expect(second.get_by_role("heading", name="Security", exact=True)).to_be_visible()
    other.close()
