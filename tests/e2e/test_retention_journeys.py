"""Browser journeys of the retention pipeline (issue 12): a company admin closes and restores
a member from the members page; a standalone user closes their own account and restores it
through the emailed link; the same link after T+30 is refused and the account is shown as
***. Every step checks what the person sees."""

import datetime as dt
import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from companies.models import Role
from companies.selectors import default_company
from retention.models import AccountClosure, Stage
from tests.factories import PASSWORD, CompanyFactory, UserFactory

from .conftest import ARTIFACTS, login
from .test_accessibility import AXE, BLOCKING, axe_ready  # noqa: F401 - axe_ready: a fixture

# axe_ready: axe-core must be installed (npm ci); CI fails without it.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("axe_ready")]

CLOSED_SIGN_IN = "This account is closed"
LINK_REFUSED = "This restore link is not valid"


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"retention-{name}.png"), full_page=True)


def _accessible(page, label: str) -> None:
    """axe-core on the state the journey reached: the accessibility test opens these pages
    in one state each (a member not closed, a link never used), not in these. The script is
    evaluated through the DevTools protocol, so the page's CSP stays on."""
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["name"] == "axe-core" and result["url"] == page.url
    problems = [
        f"{label}: {v['id']} ({v['impact']}): {v['help']}"
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
    assert problems == []


def _restore_link(smtp_server) -> str:
    """The restore link of the last email the portal sent (through the real SMTP server)."""
    return re.search(r"https?://\S+/account/restore/[\w-]+/", smtp_server.text()).group(0)


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _signed_in_as(page, first_name: str) -> None:
    expect(page.get_by_role("heading", name=f"Welcome, {first_name}")).to_be_visible()


def test_company_admin_closes_a_member_who_is_refused_then_restores_them(page, browser):
    acme = CompanyFactory(name="Acme Widgets")
    UserFactory(
        email="alice@acme.test", first_name="Alice", company=acme, roles=[Role.COMPANY_ADMIN]
    )
    bob = UserFactory(email="bob@acme.test", first_name="Bob", last_name="Baker", company=acme)

    login(page, "alice@acme.test", PASSWORD)
    page.goto(f"/companies/{acme.slug}/members/")
    row = page.get_by_role("row", name=re.compile("Bob Baker"))
    # The admin's own row offers nothing: an admin does not close their own account here.
    expect(page.get_by_role("row", name=re.compile("alice@acme.test"))).not_to_contain_text(
        "Close account"
    )
    row.get_by_role("link", name="Close account").click()

    # The confirmation page says, in plain words, what happens now and what cannot be undone.
    expect(page.get_by_role("heading", name="Close the account of Bob Baker")).to_be_visible()
    expect(page.get_by_role("heading", name="What happens now")).to_be_visible()
    expect(page.get_by_text("Sign-in is refused at once")).to_be_visible()
    expect(page.get_by_role("heading", name="What cannot be undone")).to_be_visible()
    expect(
        page.get_by_text("After thirty days the account can no longer be restored")
    ).to_be_visible()
    content = page.content()
    assert "SPEC" not in content and "§" not in content
    _shot(page, "admin-close-confirm")
    _accessible(page, "admin-close-confirm")
    # Opening the page closed nothing: only its button acts.
    assert not AccountClosure.objects.filter(user_ref=bob.pk).exists()
    page.get_by_role("button", name="Close the account").click()
    expect(page.get_by_role("status")).to_contain_text("The account of Bob Baker is closed.")

    # Back on the members page, Bob's row says where his account stands.
    expect(page).to_have_url(re.compile(rf"/companies/{acme.slug}/members/$"))
    row = page.get_by_role("row", name=re.compile("Bob Baker"))
    expect(row).to_contain_text("Closed · Restore")
    expect(row.get_by_role("cell", name="Inactive", exact=True)).to_be_visible()
    expect(row.get_by_role("link", name="Close account")).to_have_count(0)
    _shot(page, "members-closed")
    _accessible(page, "members-closed")

    # Bob, in a browser of his own, is refused with a message that says why.
    bob_context = browser.new_context(base_url=page.url.split("/companies/")[0])
    bob_page = bob_context.new_page()
    bob_page.set_default_timeout(15_000)
    login(bob_page, "bob@acme.test", PASSWORD)
    expect(bob_page.get_by_role("alert")).to_contain_text(CLOSED_SIGN_IN)
    expect(bob_page).to_have_url(re.compile(r"/accounts/login/"))
    _shot(bob_page, "closed-sign-in-refused")
    _accessible(bob_page, "closed-sign-in-refused")

    # The admin restores him.
    row.get_by_role("link", name="Restore").click()
    expect(page.get_by_role("heading", name="Restore the account of Bob Baker")).to_be_visible()
    expect(page.get_by_text("The person can sign in again")).to_be_visible()
    expect(page.get_by_text("Restorable until")).to_be_visible()
    _shot(page, "admin-restore-confirm")
    _accessible(page, "admin-restore-confirm")
    page.get_by_role("button", name="Restore the account").click()
    expect(page.get_by_role("status")).to_contain_text("The account of Bob Baker is restored.")
    expect(page).to_have_url(re.compile(rf"/companies/{acme.slug}/members/$"))
    row = page.get_by_role("row", name=re.compile("Bob Baker"))
    expect(row.get_by_role("cell", name="Active", exact=True)).to_be_visible()
    expect(row.get_by_role("link", name="Close account")).to_be_visible()

    # Bob signs in again (his refused attempt did not count against him).
    login(bob_page, "bob@acme.test", PASSWORD)
    _signed_in_as(bob_page, "Bob")
    bob_context.close()
    assert AccountClosure.objects.get(user_ref=bob.pk).stage == Stage.RESTORED
    assert page.csp_errors == []


def _close_own_account(page, *, password: str) -> None:
    page.goto("/account/close/")
    expect(page.get_by_role("heading", name="Close my account")).to_be_visible()
    page.get_by_label("Your password").fill(password)
    page.get_by_label(re.compile("I understand")).check()
    page.get_by_role("button", name="Close my account").click()


def test_standalone_user_closes_own_account_then_restores_it_by_the_emailed_link(page, smtp_server):
    sam = UserFactory(
        email="sam@example.test", first_name="Sam", last_name="Solo", company=default_company()
    )
    login(page, "sam@example.test", PASSWORD)
    _signed_in_as(page, "Sam")

    # A wrong password: a clear error, and nothing is closed.
    _close_own_account(page, password="Not-My-Password-1!")
    expect(page.get_by_text("The password is not correct.")).to_be_visible()
    _shot(page, "self-close-wrong-password")
    _accessible(page, "self-close-wrong-password")
    sam.refresh_from_db()
    assert sam.is_active and not AccountClosure.objects.filter(user_ref=sam.pk).exists()
    assert smtp_server.messages == []

    # The right one: closed, signed out, told where the restore link is.
    _close_own_account(page, password=PASSWORD)
    expect(page.get_by_role("heading", name="Your account is closed")).to_be_visible()
    expect(page.get_by_text("We sent you an email with a link")).to_be_visible()
    _shot(page, "self-closed")
    _accessible(page, "self-closed")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    login(page, "sam@example.test", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text(CLOSED_SIGN_IN)

    # The email: sent to Sam, with the link.
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0]["to"] == ["sam@example.test"]
    link = _restore_link(smtp_server)
    # Opening the link only asks (mail scanners open links); the button restores.
    page.goto(_path(link))
    expect(page.get_by_role("heading", name="Restore my account")).to_be_visible()
    sam.refresh_from_db()
    assert not sam.is_active
    page.get_by_role("button", name="Restore my account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is restored: sign in again.")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    login(page, "sam@example.test", PASSWORD)
    _signed_in_as(page, "Sam")

    # The same link a second time: refused, clearly, and nothing changes.
    page.goto(_path(link))
    page.get_by_role("button", name="Restore my account").click()
    expect(page.get_by_role("alert")).to_contain_text(LINK_REFUSED)
    expect(page.get_by_role("alert")).to_contain_text("already used")
    _shot(page, "restore-link-reused")
    _accessible(page, "restore-link-reused")
    assert AccountClosure.objects.get(user_ref=sam.pk).stage == Stage.RESTORED
    assert page.csp_errors == []


def test_restore_link_after_thirty_days_is_refused_and_the_account_shows_as_stars(
    page, browser, smtp_server
):
    company = default_company()
    UserFactory(email="root@rainbow.test", first_name="Root", company=company, is_superuser=True)
    UserFactory(email="zoe@example.test", first_name="Zoe", last_name="Zander", company=company)
    login(page, "zoe@example.test", PASSWORD)
    _close_own_account(page, password=PASSWORD)
    expect(page.get_by_role("heading", name="Your account is closed")).to_be_visible()
    link = _restore_link(smtp_server)

    # The pipeline runs thirty days later (time travel through the command).
    closure = AccountClosure.objects.get(stage=Stage.CLOSED)
    out = StringIO()
    moment = closure.closed_at + dt.timedelta(days=30, minutes=1)
    call_command("retention_run", "--now", moment.isoformat(), stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["anonymized"] == 1
    closure.refresh_from_db()
    assert closure.stage == Stage.ANONYMIZED

    page.goto(_path(link))
    page.get_by_role("button", name="Restore my account").click()
    expect(page.get_by_role("alert")).to_contain_text(LINK_REFUSED)
    expect(page.get_by_role("alert")).to_contain_text(
        "After thirty days a closed account can no longer be restored."
    )
    _shot(page, "restore-link-after-30-days")
    _accessible(page, "restore-link-after-30-days")
    login(page, "zoe@example.test", PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("The email or password is not correct.")

    # Others see *** where Zoe was.
    admin = browser.new_context(base_url=page.url.split("/accounts/")[0])
    admin_page = admin.new_page()
    admin_page.set_default_timeout(15_000)
    login(admin_page, "root@rainbow.test", PASSWORD)
    admin_page.goto(f"/companies/{company.slug}/members/")
    expect(admin_page.get_by_role("row", name=re.compile(r"\*\*\*"))).to_have_count(1)
    expect(admin_page.get_by_text("Zander")).to_have_count(0)
    expect(admin_page.get_by_text("zoe@example.test")).to_have_count(0)
    _shot(admin_page, "members-anonymized")
    _accessible(admin_page, "members-anonymized")
    admin.close()
    assert timezone.now() < closure.anonymize_due_at  # the link failed for the stage, not the clock
