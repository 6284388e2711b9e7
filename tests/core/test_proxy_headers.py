"""Proxy headers are believed only from TRUSTED_PROXIES (issue 10): in production over plain
HTTP, a client's own X-Forwarded-Proto does not skip the HTTPS redirect."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from activity.middleware import client_ip
from rainbow_portal.middleware import TrustedProxyMiddleware

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_like(settings):
    # What DEBUG=0 turns on (rainbow_portal/settings/), with one proxy configured.
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    settings.TRUSTED_PROXIES = ["10.0.0.5/32", "10.1.0.0/16"]
    return settings


def test_production_settings_no_longer_trust_the_header_blindly(settings):
    assert not getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    assert settings.MIDDLEWARE[0] == "rainbow_portal.middleware.TrustedProxyMiddleware"


def test_the_header_from_a_client_that_is_not_a_proxy_is_redirected(production_like, client):
    response = client.get(
        reverse("accounts:login"), REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@pytest.mark.parametrize("proxy", ["10.0.0.5", "10.1.42.7"])
def test_the_header_from_a_trusted_proxy_is_served(production_like, client, proxy):
    response = client.get(
        reverse("accounts:login"), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_trusted_proxy_saying_http_is_redirected(production_like, client):
    response = client.get(
        reverse("accounts:login"), REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="http"
    )
    assert response.status_code == 301


def test_no_proxy_is_trusted_by_default(production_like, client):
    production_like.TRUSTED_PROXIES = []
    response = client.get(
        reverse("accounts:login"), REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="https"
    )
    assert response.status_code == 301


def _through(settings, remote, forwarded_for):
    seen = {}

    def view(request):
        seen["ip"] = client_ip(request)
        seen["xff"] = request.META.get("HTTP_X_FORWARDED_FOR")
        return None

    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for)
    TrustedProxyMiddleware(view)(request)
    return seen


def test_forwarded_for_is_believed_only_from_a_proxy_and_only_its_last_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5/32", "10.1.0.0/16"]
    # A client's own header: ignored, and dropped so nothing later believes it.
    assert _through(settings, "203.0.113.9", "198.51.100.1") == {"ip": "203.0.113.9", "xff": None}
    # Through two of our proxies: the client is the nearest hop that is not ours, whatever
    # the client wrote before it.
    seen = _through(settings, "10.0.0.5", "6.6.6.6, 198.51.100.7, 10.1.0.3")
    assert seen["ip"] == "198.51.100.7"
    assert _through(settings, "10.0.0.5", "not-an-ip")["ip"] == "10.0.0.5"


def test_a_bad_trusted_proxies_value_stops_start_up(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from rainbow_portal import envconfig

    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.5, proxy.example.com")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        envconfig.get_networks("TRUSTED_PROXIES")
