import pytest
from django.urls import reverse

from activity.models import ActivityRecord
from rainbow_portal.crypto import decrypt_ip, pseudonymize
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _row_text(rec: ActivityRecord) -> str:
    return " ".join(str(getattr(rec, f.attname)) for f in ActivityRecord._meta.concrete_fields)


def test_login_post_is_recorded_without_secrets(client):
    user = UserFactory(email="login@example.test")
    client.cookies.load({"csrftoken": "a" * 32})
    response = client.post(
        reverse("accounts:login"),
        {"username": "login@example.test", "password": PASSWORD, "next": "/?token=abc123"},
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 302
    rec = ActivityRecord.objects.get(kind="request", route="accounts:login", method="POST")
    assert rec.status_code == 302
    assert rec.actor_pseudonym == pseudonymize("user", user.pk)
    assert rec.company_id == user.company_id
    assert decrypt_ip(rec.ip_encrypted, binding=rec.ip_binding) == "198.51.100.9"
    text = _row_text(rec)
    for secret in (
        PASSWORD,
        "login@example.test",
        "abc123",
        "198.51.100.9",
        client.cookies["sessionid"].value,
    ):
        assert secret not in text


def test_every_request_is_recorded_including_failures(client):
    client.get("/no/such/page/")
    client.get(reverse("accounts:login"))
    routes = list(ActivityRecord.objects.filter(kind="request").values_list("route", "status_code"))
    assert ("(unresolved)", 404) in routes
    assert ("accounts:login", 200) in routes


def test_anonymous_request_has_no_actor(client):
    client.get(reverse("accounts:login"))
    rec = ActivityRecord.objects.get(kind="request")
    assert rec.actor_pseudonym == "" and rec.company_id is None
    assert rec.duration_ms is not None


def test_health_probes_are_not_recorded(client):
    client.get("/healthz")
    assert not ActivityRecord.objects.exists()
