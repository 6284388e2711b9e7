"""French and English (issue 14): the shipped French catalogue is complete and compiled, the
browser's language and the switcher choose the pages' language, and a signed-in user's
choice is kept on their account."""

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

from activity.models import ActivityRecord
from tests.factories import UserFactory

LOCALE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
PO, MO = LOCALE / "django.po", LOCALE / "django.mo"


def test_the_french_catalogue_is_complete():
    po = polib.pofile(str(PO))
    assert len(po) > 500
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert [e.msgid for e in po.obsolete_entries()] == []
    assert not po.metadata_is_fuzzy


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(PO)):
        names = sorted(re.findall(r"%\((\w+)\)s", entry.msgid))
        # A plural entry keeps its placeholders in every plural form.
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            assert sorted(re.findall(r"%\((\w+)\)s", form)) == names, entry.msgid
    assert shutil.which("msgfmt"), "GNU gettext (Debian package gettext) is installed by .ci/run"
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(PO)], check=True)


def test_the_committed_mo_is_the_compiled_po():
    """A .po edited without `make messages` leaves a stale .mo: the page would not change."""

    def forms(e):
        return tuple(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr

    po = {(e.msgctxt, e.msgid): forms(e) for e in polib.pofile(str(PO)) if forms(e)}
    mo = {(e.msgctxt, e.msgid): forms(e) for e in polib.mofile(str(MO)) if e.msgid}
    assert mo == po


def test_no_spec_reference_reaches_a_french_reader():
    for entry in polib.pofile(str(PO)):
        assert "SPEC" not in entry.msgid and "SPEC" not in entry.msgstr, entry.msgid


@pytest.mark.django_db
def test_the_browsers_language_is_honoured(client):
    fr = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9,en;q=0.5")
    assert fr["Content-Language"] == "fr"
    assert "Se connecter" in fr.content.decode()
    en = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert en["Content-Language"] == "en"
    assert "Sign in" in en.content.decode() and "Se connecter" not in en.content.decode()
    # No header at all: English, the default.
    assert client.get(reverse("accounts:login"))["Content-Language"] == "en"


@pytest.mark.django_db
def test_the_switcher_keeps_the_choice_in_a_cookie_and_on_the_user(client):
    url = reverse("accounts:language-set")
    anonymous = client.post(url, {"language": "fr", "next": "/accounts/login/"})
    assert anonymous.status_code == 302 and anonymous["Location"] == "/accounts/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Se connecter" in page.content.decode()  # the cookie wins over the browser

    user = UserFactory(language="")
    client.force_login(user)
    assert client.post(url, {"language": "fr", "next": "//evil.test/"})["Location"] == "/"
    user.refresh_from_db()
    assert user.language == "fr"
    assert ActivityRecord.objects.filter(event="user.language.changed").count() == 1
    # An unknown language changes nothing.
    client.post(url, {"language": "xx"})
    user.refresh_from_db()
    assert user.language == "fr"


@pytest.mark.django_db
def test_a_signed_in_users_language_follows_them_to_any_browser(client):
    user = UserFactory(language="fr")
    client.force_login(user)
    page = client.get(reverse("accounts:security"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert page["Content-Language"] == "fr"
    assert "Sécurité" in page.content.decode()


@pytest.mark.django_db
def test_the_security_pages_tab_title_is_text(client):
    """Issue 14: the <title> held the company section's markup."""
    from companies.models import Role

    admin = UserFactory(roles=[Role.COMPANY_ADMIN])
    client.force_login(admin)
    html = client.get(reverse("accounts:security")).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<" not in title and "section" not in title
    assert title.strip().startswith("Security")
