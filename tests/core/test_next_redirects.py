"""Every form and view that takes `next` follows only a path on this site (issue 10): odd
values never cause a 500 and never send anyone off-site."""

import time
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from accounts.models import AuthenticatorDevice
from companies.services import company_create, company_visibility_set
from core.redirects import next_path, with_next
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ODD = [
    "foo",  # was taken as a URL name: a 500
    "core:dashboard",
    "//evil.test",
    "https://evil.test/",
    "/\\evil.test",
    "\\\\evil.test",
    "javascript:alert(1)",
    "/" + "a" * 5000,
    "/ok\x00evil",
    "/ok\r\nLocation: https://evil.test",
    "http:/evil.test",
    " //evil.test",
]


def assert_stays_on_site(response):
    assert response.status_code < 500
    if response.status_code in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"])
        assert not location.scheme and not location.netloc, response["Location"]
        assert response["Location"].startswith("/") and not response["Location"].startswith("//")
        assert "\\" not in response["Location"] and "evil" not in response["Location"]


def assert_not_echoed(response, value):
    # A page that carries `next` on to its form carries only a safe one.
    if response.status_code == 200 and "next" in (response.context or {}):
        assert response.context["next"] in ("", next_path(value))


def code_for(device) -> str:
    totp = TOTP(device.bin_key)
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.mark.parametrize("value", ODD)
def test_sign_in_page(client, value):
    user = UserFactory()
    response = client.get(reverse("accounts:login"), {"next": value})
    assert_stays_on_site(response)
    assert_not_echoed(response, value)
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD, "next": value}
    )
    assert_stays_on_site(response)
    assert response["Location"] == reverse("core:dashboard")
    # Already signed in: a GET follows `next` at once.
    assert_stays_on_site(client.get(reverse("accounts:login"), {"next": value}))


@pytest.mark.parametrize("value", ODD)
def test_two_factor_pages(client, value):
    user = UserFactory()
    client.force_login(user)
    # Not enrolled: verify sends to setup, carrying next on.
    assert_stays_on_site(client.get(reverse("accounts:two-factor-verify"), {"next": value}))
    response = client.get(reverse("accounts:two-factor-setup"), {"next": value})
    assert_stays_on_site(response)
    assert_not_echoed(response, value)
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    response = client.post(
        reverse("accounts:two-factor-setup"), {"token": code_for(device), "next": value}
    )
    assert response.status_code == 200
    assert response.context["next"] == reverse("core:dashboard")
    # Enrolled, second factor pending: setup sends to verify, carrying next on.
    client.logout()
    client.force_login(user)
    assert_stays_on_site(client.get(reverse("accounts:two-factor-setup"), {"next": value}))
    response = client.get(reverse("accounts:two-factor-verify"), {"next": value})
    assert_not_echoed(response, value)
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    response = client.post(
        reverse("accounts:two-factor-verify"), {"token": code_for(device), "next": value}
    )
    assert_stays_on_site(response)
    assert response["Location"] == reverse("core:dashboard")


@pytest.mark.parametrize("value", ODD)
def test_network_invite(client, value):
    company = company_create(name="Open Co", region="EMEA", actor=None)
    company_visibility_set(company=company, visibility="public", actor=None)
    inviter, invitee = UserFactory(company=company), UserFactory(company=company)
    client.force_login(inviter)
    response = client.post(reverse("companies:network-invite", args=[invitee.pk]), {"next": value})
    assert_stays_on_site(response)
    assert response["Location"] == reverse("companies:network")


def test_a_safe_path_is_followed_whole():
    assert next_path("/companies/acme/members/?q=a&page=2") == "/companies/acme/members/?q=a&page=2"
    assert (
        with_next("/accounts/login/", "/x/?a=1&b=2") == "/accounts/login/?next=/x/%3Fa%3D1%26b%3D2"
    )
    assert with_next("/accounts/login/", "//evil.test") == "/accounts/login/"


def test_the_idle_sign_out_keeps_the_whole_path(client, settings):
    user = UserFactory()
    client.force_login(user)
    session = client.session
    session["last_activity"] = 1
    session.save()
    response = client.get(reverse("companies:network") + "?a=1&b=2")
    assert response["Location"] == with_next(
        reverse("accounts:login"), "/accounts/network/?a=1&b=2"
    )
