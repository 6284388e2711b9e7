"""Every email (issue 14): rendered with a realistic context, each link is absolute and on
PORTAL_BASE_URL, each subject names the product once, and the recipient's language is used."""

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from core.services import email_render, email_send
from tests.factories import UserFactory

BASE = "https://portal.example.com"
TEMPLATES = sorted(
    p.stem for p in (Path(settings.BASE_DIR) / "templates" / "email").glob("*.subject")
)

# What the services pass (their context's keys and shapes), with links as they build them.
CONTEXTS = {
    "account_closed": {
        "due_at": dt.datetime(2027, 3, 1, 9, 30, tzinfo=dt.UTC),
        "link": f"{BASE}/account/restore/tok3n/",
    },
    "account_exists": {
        "link": f"{BASE}/accounts/login/",
        "reset_link": f"{BASE}/accounts/password/reset/",
    },
    "account_verify": {"link": f"{BASE}/accounts/verify/tok3n/", "hours": 48},
    "bubble_conversation": {
        "bubble_name": "Launch & plans",
        "lines": [{"at": timezone.now(), "author": "Alice Martin", "body": "See you <b>soon</b>"}],
        "left_out": True,
        "kept": 5000,
    },
    "bubble_guest_invitation": {
        "bubble_name": "Launch",
        "inviter": "Alice Martin",
        "link": f"{BASE}/bubbles/guest/tok3n/",
        "hours": 48,
    },
    "company_invitation": {
        "company": "Acme Corp",
        "inviter": "Alice Martin",
        "role": "Company admin",
        "link": f"{BASE}/invitations/tok3n/",
        "days": 14,
    },
    "network_invitation": {"inviter": "", "link": f"{BASE}/network/"},
    "notice": {"subject": "Hello", "heading": "Hi", "text": "Text", "link": f"{BASE}/x/"},
    "password_reset_code": {
        "code": "123456",
        "minutes": 15,
        "link": f"{BASE}/accounts/password/update/",
    },
}


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action"):
                self.links.append(value or "")


def _html_links(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.links


def _text_links(text: str) -> list[str]:
    return re.findall(r"\b(?:https?://|www\.)\S+", text)


@pytest.fixture
def production_base(settings):
    settings.PORTAL_BASE_URL = BASE


def test_every_template_has_a_context_here():
    assert TEMPLATES and sorted(CONTEXTS) == TEMPLATES


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_link_is_absolute_on_the_base_url(production_base, template, language):
    user = UserFactory(language=language)
    subject, text, html = email_render(to=user.email, template=template, context=CONTEXTS[template])
    assert subject.count(settings.PORTAL_NAME) == 1, subject
    assert "Rainbow" not in subject.replace(settings.PORTAL_NAME, ""), subject
    links = _html_links(html)
    assert links, f"{template}.html links to the portal at least in its footer"
    for link in links + _text_links(text):
        assert link.startswith(BASE + "/"), f"{template}: {link!r} is not on {BASE}"
    # No relative link in the text body either (a path the mail client cannot follow).
    assert not re.search(r"(?m)(^|\s)/[a-z]", text), text
    assert "{%" not in text + html + subject and "{{" not in text + html + subject


@pytest.mark.django_db
def test_the_email_goes_out_in_the_recipients_language():
    french = UserFactory(language="fr")
    english = UserFactory(language="en")
    context = CONTEXTS["password_reset_code"]
    fr = email_send(to=french.email, template="password_reset_code", context=context)
    en = email_send(to=english.email, template="password_reset_code", context=context)
    assert en.subject == "Your Rainbow Portal password reset code"
    assert fr.subject == "Votre code de réinitialisation du mot de passe Rainbow Portal"
    assert "Votre code de réinitialisation" in fr.body_text
    assert '<html lang="fr">' in fr.body_html


@pytest.mark.django_db
def test_a_stranger_gets_the_language_of_the_request_that_wrote_to_them():
    from django.utils import translation

    with translation.override("fr"):
        email = email_send(
            to="nobody-yet@example.test",
            template="account_verify",
            context=CONTEXTS["account_verify"],
        )
    assert email.subject == "Confirmez votre adresse e-mail pour Rainbow Portal"
