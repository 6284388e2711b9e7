"""The API throttles' sliding window in one Redis round trip (issue 15): the same rule as
DRF's history (a call is allowed while fewer than N calls fell in the last window), on the
real Redis of REDIS_URL."""

import pytest

from accounts.security import throttles
from tests.factories import UserFactory, api_token

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def test_the_window_slides_and_retry_after_says_when(settings, api_client, monkeypatch):
    assert throttles._window_script() is not None, "the tests run with the Redis cache"
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "token": "2/minute"}
    now = [1_000_000.0]
    monkeypatch.setattr(throttles.ApiThrottle, "timer", lambda self: now[0])
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(UserFactory())}")
    assert api_client.get(ME).status_code == 200
    now[0] += 30
    assert api_client.get(ME).status_code == 200
    now[0] += 1
    refused = api_client.get(ME)
    assert refused.status_code == 429 and refused["Retry-After"] == "29"
    now[0] += 28.5  # the first call is still inside the window
    assert api_client.get(ME).status_code == 429
    now[0] += 1  # now it left: one place free, and only one
    assert api_client.get(ME).status_code == 200
    assert api_client.get(ME).status_code == 429


def test_the_user_window_is_shared_by_the_users_tokens(settings, api_client, monkeypatch):
    settings.API_THROTTLE_RATES = {"token": "10/minute", "user": "3/minute"}
    monkeypatch.setattr(throttles.ApiThrottle, "timer", lambda self: 2_000_000.0)
    user = UserFactory()
    first, second = api_token(user), api_token(user)
    for secret in (first, second, first):
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert api_client.get(ME).status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {second}")
    refused = api_client.get(ME)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    # Another user has a window of their own.
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(UserFactory())}")
    assert api_client.get(ME).status_code == 200


def test_a_refused_call_counts_in_neither_window(settings, api_client, monkeypatch):
    # The token's window is full: the refused calls must not fill the user's window, or the
    # user's other token would be refused too.
    settings.API_THROTTLE_RATES = {"token": "1/minute", "user": "3/minute"}
    monkeypatch.setattr(throttles.ApiThrottle, "timer", lambda self: 3_000_000.0)
    user = UserFactory()
    busy, other = api_token(user), api_token(user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {busy}")
    assert api_client.get(ME).status_code == 200
    for _ in range(5):
        assert api_client.get(ME).status_code == 429
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {other}")
    assert api_client.get(ME).status_code == 200
    assert api_client.get(ME).status_code == 429  # that token's own limit of 1


def test_one_redis_round_trip_checks_both_windows(api_client, monkeypatch):
    script = throttles._window_script()
    calls = []

    def counted(**kwargs):
        calls.append(kwargs["keys"])
        return script(**kwargs)

    monkeypatch.setattr(throttles, "_window_script", lambda: counted)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token(UserFactory())}")
    assert api_client.get(ME).status_code == 200
    assert len(calls) == 1 and len(calls[0]) == 2
