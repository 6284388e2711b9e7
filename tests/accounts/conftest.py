import pytest
from django.core.cache import cache
from django.urls import reverse

from activity.models import ActivityRecord
from rainbow_portal.crypto import pseudonymize


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Lockout and rate-limit counters live in the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def events_for(user, event: str):
    return ActivityRecord.objects.filter(event=event, target_ref=pseudonymize("user", user.pk))


def post_login(client, email, password, next_url=""):
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)
