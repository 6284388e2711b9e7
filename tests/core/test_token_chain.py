"""The WSGI handler's short middleware chain for API calls made with a token (D16c.1,
issue 15). Django's test Client has a handler of its own, so these call the portal's WSGI
application itself, as gunicorn does."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, RequestFactory

from activity.models import ActivityRecord
from rainbow_portal.crypto import pseudonymize
from rainbow_portal.handlers import PortalWSGIHandler, token_api_call, token_api_middleware
from tests.factories import UserFactory, api_token

pytestmark = pytest.mark.django_db


class Answer:
    def __init__(self, status: str, headers: list, body: bytes):
        self.status_code = int(status.split(" ", 1)[0])
        self.headers = dict(headers)
        self.body = body

    def json(self):
        return json.loads(self.body)


def call(app, path="/api/v1/me/", method="GET", token=None, session=None, **extra) -> Answer:
    """One request through `app`, the way a WSGI server makes it. The test's transaction
    must outlive it, so the connection is not closed at its start and end (as Django's test
    Client does too)."""
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if session:
        extra["HTTP_COOKIE"] = f"sessionid={session}"
    environ = RequestFactory().generic(method, path, **extra).environ
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen.update(status=status, headers=headers)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = app(environ, start_response)
        body = b"".join(response)
        response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return Answer(seen["status"], seen["headers"], body)


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


@pytest.fixture
def app():
    return PortalWSGIHandler()


def test_which_calls_take_the_short_chain():
    assert token_api_call({"PATH_INFO": "/api/v1/me/", "HTTP_AUTHORIZATION": "Bearer x"})
    assert token_api_call({"PATH_INFO": "/api/v1/me/", "HTTP_AUTHORIZATION": "token x"})
    assert not token_api_call({"PATH_INFO": "/api/v1/me/"})
    assert not token_api_call({"PATH_INFO": "/api/v1/me/", "HTTP_AUTHORIZATION": "Basic eDp5"})
    assert not token_api_call({"PATH_INFO": "/", "HTTP_AUTHORIZATION": "Bearer x"})
    assert not token_api_call({"PATH_INFO": "/apiary/", "HTTP_AUTHORIZATION": "Bearer x"})


def test_the_short_chain_keeps_every_middleware_not_named_browser_only(settings):
    chain = token_api_middleware()
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in chain
    assert "django.middleware.csrf.CsrfViewMiddleware" not in chain
    for kept in (
        "rainbow_portal.middleware.TrustedProxyMiddleware",
        "django.middleware.security.SecurityMiddleware",
        "rainbow_portal.middleware.SecurityHeadersMiddleware",
        "activity.middleware.RequestActivityMiddleware",
        "django.middleware.locale.LocaleMiddleware",
    ):
        assert kept in chain
    assert chain == [m for m in settings.MIDDLEWARE if m not in settings.BROWSER_ONLY_MIDDLEWARE]


def test_a_browser_only_name_that_is_not_a_middleware_stops_start_up(settings):
    settings.BROWSER_ONLY_MIDDLEWARE = [*settings.BROWSER_ONLY_MIDDLEWARE, "no.such.Middleware"]
    with pytest.raises(ImproperlyConfigured, match=r"no\.such\.Middleware"):
        PortalWSGIHandler()


def test_a_token_call_answers_as_the_whole_chain_does(app):
    user = UserFactory(first_name="Zoé")
    token = api_token(user)
    short = call(app, token=token)
    whole = call(WSGIHandler(), token=token)
    assert short.status_code == whole.status_code == 200
    assert short.json() == whole.json()
    assert short.json()["id"] == user.pk
    # Both chains set the same headers, security headers included; only the session's own
    # `Vary: Cookie` may differ.
    short_headers = {k: v for k, v in short.headers.items() if k != "Vary"}
    whole_headers = {k: v for k, v in whole.headers.items() if k != "Vary"}
    assert short_headers == whole_headers
    for header in ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"):
        assert short.headers[header]
    assert short.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in short.headers


def test_a_token_call_is_recorded_with_its_user(app):
    user = UserFactory()
    call(app, token=api_token(user))
    record = ActivityRecord.objects.get(kind="request", method="GET", route__contains="me")
    assert record.status_code == 200
    assert record.actor_pseudonym == pseudonymize("user", user.pk)
    assert record.company_id == user.company_id


def test_a_bad_token_is_refused_even_beside_a_valid_session(app):
    """The session is not consulted on a token call: a wrong token is a 401, never the
    session user's answer."""
    user = UserFactory()
    answer = call(app, token="rbp_wrong", session=session_of(user))
    assert answer.status_code == 401
    assert "not valid" in answer.json()["error"]["message"]
    assert str(user.pk) not in answer.body.decode()


def test_a_session_call_to_the_api_still_needs_its_csrf_token(app):
    """No Authorization header: the whole chain, whose session authentication demands the
    CSRF token on a change."""
    user = UserFactory(title="Before")
    session = session_of(user)
    answer = call(app, session=session)
    assert answer.json()["id"] == user.pk
    assert answer.headers["Cache-Control"] == "no-store"
    answer = call(
        app,
        method="PATCH",
        session=session,
        data=json.dumps({"title": "After"}),
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert "CSRF" in answer.json()["error"]["message"]
    user.refresh_from_db()
    assert user.title == "Before"


def test_a_token_header_on_a_page_goes_through_the_whole_chain(app):
    """Outside /api/ the header means nothing: the page is served to the session user."""
    user = UserFactory()
    answer = call(app, path="/", token="rbp_anything", session=session_of(user))
    assert answer.status_code == 200
    assert "text/html" in answer.headers["Content-Type"]


def test_a_token_call_answers_in_the_language_asked_for(app):
    answer = call(app, token="rbp_wrong", HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == 401
    assert answer.headers["Content-Language"] == "fr"


def test_a_token_call_skips_the_session_and_a_page_call_does_not(app, monkeypatch):
    from django.contrib.sessions.middleware import SessionMiddleware

    loaded = []
    original = SessionMiddleware.process_request
    monkeypatch.setattr(
        SessionMiddleware,
        "process_request",
        lambda self, request: loaded.append(request.path) or original(self, request),
    )
    user = UserFactory()
    assert call(app, token=api_token(user)).status_code == 200
    assert loaded == []
    call(app, session=session_of(user))
    assert loaded == ["/api/v1/me/"]


def test_only_the_api_is_marked_no_store(app):
    """Pages choose their own caching (the static files are cached for a year)."""
    assert "Cache-Control" not in call(app, path="/no/such/page/").headers
    assert call(app, path="/api/v1/no/such/").headers["Cache-Control"] == "no-store"
