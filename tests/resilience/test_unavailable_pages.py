"""Outages answer 503 with Retry-After (page or the API's error format); bugs stay 500."""

import json

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from redis.exceptions import ConnectionError as RedisConnectionError

from core.views import error_500


def _handled(path, exc):
    request = RequestFactory().get(path)
    try:
        raise exc
    except Exception:
        return error_500(request)


@pytest.mark.parametrize("exc", [OperationalError("gone"), RedisConnectionError("gone")])
def test_a_dependency_down_is_a_503(exc):
    api = _handled("/api/v1/me/", exc)
    assert api.status_code == 503 and api["Retry-After"] == "5"
    assert json.loads(api.content)["error"]["code"] == "unavailable"
    page = _handled("/companies/directory/", exc)
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert b"Briefly unavailable" in page.content


def test_a_bug_is_still_a_500():
    response = _handled("/api/v1/me/", ValueError("a bug"))
    assert response.status_code == 500
    assert json.loads(response.content)["error"]["code"] == "server_error"
    assert _handled("/", KeyError("x")).status_code == 500
