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
    monkeypatch.setattr(throttles._SettingsRateThrottle, "timer", lambda self: now[0])
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
