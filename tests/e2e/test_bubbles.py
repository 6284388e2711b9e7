"""Browser journeys for bubbles (issue 11): create, add a member, promote, transfer, a guest
through the lobby, post and delete a last message, upload/download a clean file, EICAR refused."""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, CompanyFactory, UserFactory

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture
def world(db):
    acme = CompanyFactory(name="Acme Corp", visibility="public")
    org = UserFactory(email="alice@acme.test", first_name="Alice", last_name="A", company=acme)
    mem = UserFactory(email="bob@acme.test", first_name="Bob", last_name="B", company=acme)
    return org, mem


def new_page(browser, live_server):
    """A second person's browser, watching for CSP violations like the `page` fixture."""
    context = browser.new_context(base_url=live_server.url)
    other = context.new_page()
    other.set_default_timeout(15_000)
    other.csp_errors = []
    other.on(
        "console",
        lambda msg: (
            other.csp_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    return context, other


def participant_row(page, name):
    return page.get_by_test_id("participant").filter(has_text=name)


def test_bubble_roles_messages_and_files(
    page, browser, live_server, world, clamd, vault_storage, tmp_path
):
    login(page, "alice@acme.test", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Bubbles").click()
    page.get_by_label("Name").fill("Launch plan")
    page.get_by_role("button", name="Create bubble").click()
    expect(page.get_by_test_id("bubble-name")).to_have_text("Launch plan")
    bubble_url = page.url

    page.get_by_label("Email address of the person to add").fill("bob@acme.test")
    page.get_by_role("button", name="Add participant").click()
    expect(page.get_by_role("status")).to_contain_text("Participant added")
    expect(participant_row(page, "Bob B")).to_contain_text("Invited")

    # Bob accepts in his own browser.
    bob_context, bob = new_page(browser, live_server)
    login(bob, "bob@acme.test", PASSWORD)
    bob.goto(urlparse(bubble_url).path)
    bob.get_by_role("button", name="Accept").click()
    expect(bob.get_by_role("status")).to_contain_text("Welcome")

    page.reload()
    page.get_by_role("button", name="Promote Bob B to co-organizer").click()
    expect(participant_row(page, "Bob B")).to_contain_text("Co-organizer")
    page.get_by_role("button", name="Transfer ownership to Bob B").click()
    expect(page.get_by_role("status")).to_contain_text("Ownership transferred")
    expect(participant_row(page, "Bob B")).to_contain_text("Organizer")
    expect(participant_row(page, "Alice A")).to_contain_text("Co-organizer")

    page.get_by_label("Message").fill("First draft is ready")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("message").first).to_contain_text("First draft is ready")
    page.get_by_role("button", name="Delete my last message").click()
    expect(page.get_by_role("status")).to_contain_text("Message deleted")
    expect(page.get_by_text("First draft is ready")).to_have_count(0)

    clean = tmp_path / "plan.txt"
    clean.write_bytes(b"the plan, in clear")
    page.get_by_label("File").set_input_files(str(clean))
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_role("status")).to_contain_text("File uploaded")
    with page.expect_download() as download_info:
        page.get_by_test_id("file-link").first.click()
    download = download_info.value
    assert download.suggested_filename == "plan.txt"
    assert Path(download.path()).read_bytes() == b"the plan, in clear"

    infected = tmp_path / "eicar.com"
    infected.write_bytes(EICAR)
    page.get_by_label("File").set_input_files(str(infected))
    page.get_by_role("button", name="Upload file").click()
    expect(page.get_by_role("alert")).to_contain_text("virus scanner")
    expect(page.get_by_test_id("file-link")).to_have_count(1)
    assert page.csp_errors == [] and bob.csp_errors == []
    bob_context.close()


def test_guest_joins_through_the_lobby(page, browser, live_server, world, smtp_server):
    login(page, "alice@acme.test", PASSWORD)
    page.goto("/bubbles/")
    page.get_by_label("Name").fill("Client call")
    page.get_by_role("button", name="Create bubble").click()
    page.get_by_label("Guest's email address").fill("guest@outside.test")
    page.get_by_role("button", name="Invite guest").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent")
    link = re.search(r"https?://\S+/bubbles/guest/\S+/", smtp_server.text()).group(0)

    guest_context, guest = new_page(browser, live_server)
    guest.goto(urlparse(link).path)
    guest.get_by_label("Your email address").fill("guest@outside.test")
    guest.get_by_role("button", name="Join").click()
    expect(guest.get_by_test_id("conference-state")).to_contain_text("has not started")

    page.get_by_role("link", name="Open the conference page").click()
    page.get_by_role("button", name="Start the conference").click()
    expect(page.get_by_test_id("conference-state")).to_contain_text("You are in the conference")

    # The guest's lobby updates by itself (htmx polling), then they ask to join.
    guest.get_by_role("button", name="Join the conference").click()
    expect(guest.get_by_test_id("conference-state")).to_contain_text("in the lobby")
    page.get_by_role("button", name="Admit guest@outside.test (guest)").click()
    expect(guest.get_by_test_id("conference-state")).to_contain_text(
        "You are in the conference", timeout=10_000
    )
    guest.get_by_role("link", name="Open the conversation").click()
    guest.get_by_label("Message").fill("Hello from the guest")
    guest.get_by_role("button", name="Send").click()
    expect(guest.get_by_test_id("message").first).to_contain_text("Hello from the guest")
    assert guest.csp_errors == [] and page.csp_errors == []

    # The link worked once.
    other_context, other = new_page(browser, live_server)
    other.goto(urlparse(link).path)
    expect(other.get_by_role("alert")).to_contain_text("already used")
    guest_context.close()
    other_context.close()


def test_destructive_bubble_actions_ask_first_without_javascript(page, live_server, world):
    """Removing a participant, archiving and deleting each open a page that says what will
    happen; only its button acts, and "Keep it, go back" changes nothing (issue 14)."""
    login(page, "alice@acme.test", PASSWORD)
    page.goto("/bubbles/")
    page.get_by_label("Name").fill("Old plan")
    page.get_by_role("button", name="Create bubble").click()
    bubble_url = page.url
    page.get_by_label("Email address of the person to add").fill("bob@acme.test")
    page.get_by_role("button", name="Add participant").click()

    participant_row(page, "Bob").get_by_role("button", name="Remove").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Remove Bob")
    page.get_by_role("button", name="Keep it, go back").click()
    expect(participant_row(page, "Bob")).to_have_count(1)
    participant_row(page, "Bob").get_by_role("button", name="Remove").click()
    page.get_by_role("button", name="Remove from the bubble").click()
    expect(page.get_by_role("status")).to_contain_text("Participant removed")
    expect(participant_row(page, "Bob")).to_have_count(0)

    page.get_by_role("button", name="Archive (read-only forever)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Archive the bubble “Old plan”?")
    expect(page.get_by_role("note")).to_contain_text("This cannot be undone.")
    page.get_by_role("button", name="Archive the bubble").click()
    expect(page.get_by_test_id("read-only")).to_be_visible()

    # An archived bubble offers no more actions: deleting is shown on a second bubble.
    page.goto("/bubbles/")
    page.get_by_label("Name").fill("Spare room")
    page.get_by_role("button", name="Create bubble").click()
    bubble_url = page.url
    page.get_by_role("button", name="Delete the bubble").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete the bubble “Spare room”?")
    page.get_by_role("button", name="Delete the bubble").click()
    expect(page.get_by_role("status")).to_contain_text("Bubble deleted")
    assert page.goto(bubble_url).status == 404
    assert page.csp_errors == []
