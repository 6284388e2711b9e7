"""Browser journeys of issue 4 (SPEC §4.3, §4.4, §5)."""

import pytest
from playwright.sync_api import expect

from companies.services import company_create, company_visibility_set
from tests.factories import PASSWORD, UserFactory

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def co(name, mode):
    company = company_create(name=name, region="EMEA", actor=None)
    company_visibility_set(company=company, visibility=mode, actor=None)
    return company


def search(page, text):
    page.goto("/companies/directory/")
    page.get_by_label("Name, or an exact email address").fill(text)
    page.get_by_role("button", name="Search").click()


def test_public_user_finds_and_invites_another_companys_public_user(page):
    UserFactory(email="pat@pub.test", company=co("Pub One", "public"), first_name="Pat")
    UserFactory(
        email="quinn@pub2.test",
        company=co("Pub Two", "public"),
        first_name="Quinn",
        last_name="Public",
    )
    login(page, "pat@pub.test", PASSWORD)
    search(page, "qui")
    row = page.get_by_test_id("hit").filter(has_text="Quinn Public")
    expect(row).to_contain_text("Pub Two")
    row.get_by_role("button", name="Invite Quinn Public").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to Quinn Public")
    page.goto("/accounts/network/")
    expect(page.get_by_test_id("sent")).to_contain_text("Quinn Public")
    page.screenshot(path="test-artifacts/network-sent.png", full_page=True)
    # Quinn accepts; both networks now hold the other.
    page.get_by_test_id("logout").click()
    login(page, "quinn@pub2.test", PASSWORD)
    page.goto("/accounts/network/")
    page.get_by_test_id("incoming").get_by_role("button", name="Accept").click()
    expect(page.get_by_test_id("contact")).to_contain_text("Pat")
    assert page.csp_errors == []


def test_private_member_is_absent_from_search_and_invited_by_email(page):
    UserFactory(email="pat@pub.test", company=co("Pub One", "public"), first_name="Pat")
    UserFactory(
        email="rita@priv.test",
        company=co("Priv Co", "private"),
        first_name="Rita",
        last_name="Private",
    )
    login(page, "pat@pub.test", PASSWORD)
    search(page, "rita")
    expect(page.get_by_test_id("no-results")).to_be_visible()
    search(page, "rita@priv.test")
    expect(page.get_by_test_id("no-results")).to_be_visible()
    page.goto("/accounts/network/")
    page.get_by_label("Invite by email").fill("rita@priv.test")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to rita@priv.test")
    page.get_by_test_id("logout").click()
    login(page, "rita@priv.test", PASSWORD)
    page.goto("/accounts/network/")
    page.get_by_test_id("incoming").get_by_role("button", name="Accept").click()
    expect(page.get_by_test_id("contact")).to_contain_text("Pat")
    # Now in each other's network, Rita is found (SPEC §4.2).
    page.get_by_test_id("logout").click()
    login(page, "pat@pub.test", PASSWORD)
    search(page, "rita")
    expect(page.get_by_test_id("hit")).to_contain_text("Rita Private")
    assert page.csp_errors == []


def test_isolated_member_cannot_invite_anyone_outside(page):
    iso = co("Iso Co", "isolated")
    UserFactory(email="ivy@iso.test", company=iso, first_name="Ivy", last_name="Iso")
    UserFactory(email="ian@iso.test", company=iso, first_name="Ian", last_name="Iso")
    UserFactory(email="olga@pub.test", company=co("Pub", "public"), first_name="Olga")
    login(page, "ivy@iso.test", PASSWORD)
    search(page, "olga")
    expect(page.get_by_test_id("no-results")).to_be_visible()
    page.goto("/accounts/network/")
    # By email: only colleagues and organization peers (SPEC §4.4's isolated exception).
    expect(page.get_by_text("you invite only people of your own company")).to_be_visible()
    page.get_by_label("Invite by email").fill("olga@pub.test")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("you invite only people of your own company")).to_have_count(2)
    # Inside the company, isolation does not apply (SPEC §4.4).
    search(page, "ian")
    page.get_by_role("button", name="Invite Ian Iso").click()
    expect(page.get_by_role("status")).to_contain_text("Ian Iso is now in your network")
    page.screenshot(path="test-artifacts/isolated.png", full_page=True)
    # Removing a contact asks first, on a page of its own, without JavaScript (issue 14).
    page.goto("/accounts/network/")
    page.get_by_role("row").filter(has_text="Ian Iso").get_by_role("button", name="Remove").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("from your network?")
    page.get_by_role("button", name="Remove from my network").click()
    expect(page.get_by_role("status")).to_contain_text("was removed from your network")
    expect(page.get_by_role("row").filter(has_text="Ian Iso")).to_have_count(0)
    assert page.csp_errors == []
