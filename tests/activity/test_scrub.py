"""The activity scrubber drops secret-looking values, not only secret-looking keys
(SPEC §10.2, issue 10)."""

import pytest
from django.urls import reverse

from activity.models import ActivityRecord
from activity.services import activity_record, scrub
from tests.factories import UserFactory

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"


@pytest.mark.parametrize(
    "value",
    [
        JWT,
        f"see {JWT} here",
        "Bearer abcdefghijklmnop12345",
        "token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
        "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",  # 40 hex: an API key or a digest
        "dGhpcyBpcyBhIHZlcnkgc2VjcmV0IHZhbHVlMTIzNDU2Nzg5",  # base64
        "8Xk2_pQ9-vL4mN7rT1wZ6yB3cF5hJ0sD",  # base64url token (32)
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "5500005555555559",
    ],
)
def test_secret_looking_values_are_dropped_whatever_the_key(value):
    assert scrub({"note": value, "kept": "yes"}) == {"kept": "yes"}
    assert scrub({"items": [value, "plain"]}) == {"items": ["plain"]}


@pytest.mark.parametrize("key", ["entered", "verification", "totp_value", "answer"])
def test_six_digit_codes_in_code_fields_are_dropped(key):
    if key == "entered":
        assert scrub({key: "123456"}) == {key: "123456"}  # not a code field: a plain value
    else:
        assert scrub({key: "123456"}) == {}
        assert scrub({key: 123456}) == {}
        assert scrub({key: "123 456"}) == {}


def test_secrets_in_query_strings_and_urls_are_cut_out():
    cleaned = scrub({"next": "/reset/?email=a@b.test&password=Hunter2!&page=2"})
    assert "Hunter2" not in cleaned["next"]
    assert "page=2" in cleaned["next"] and "email=[email]" in cleaned["next"]
    assert "a@b.test" not in cleaned["next"]  # no address in a record either (SPEC §10.2)
    cleaned = scrub({"url": "https://bob:S3cr3t@example.test/x?api_key=zzz&x=1"})
    assert "S3cr3t" not in cleaned["url"] and "zzz" not in cleaned["url"]
    assert cleaned["url"].endswith("x=1")


def test_ordinary_metadata_is_kept():
    data = {
        "attempts": 3,
        "left": 9,
        "fields": ["first_name", "last_name"],
        "company": "Acme Corp",
        "month": "2026-11",
        "amount": "1234.50",
        "invoice_number": "INV-2026-000123",
        "seats": 250000,
        "unlocked": True,
    }
    assert scrub(data) == data


def test_card_like_digits_failing_luhn_are_kept():
    assert scrub({"ref": "1234 5678 9012 3456"}) == {"ref": "1234 5678 9012 3456"}


@pytest.mark.django_db
def test_a_record_never_stores_a_secret_value():
    rec = activity_record(event="user.login.failed", data={"reason": JWT, "attempts": 2})
    rec.refresh_from_db()
    assert rec.data == {"attempts": 2}


@pytest.mark.django_db
def test_the_request_record_holds_no_query_string_body_or_header(client):
    """The middleware records the route name, never the path, query, body or headers."""
    user = UserFactory()
    client.force_login(user)
    client.get(
        reverse("core:dashboard") + f"?password=Hunter2&access_token={JWT}",
        HTTP_AUTHORIZATION=f"Bearer {JWT}",
        HTTP_REFERER="https://x.test/?otp=123456",
    )
    rec = ActivityRecord.objects.filter(kind="request").latest("id")
    text = " ".join(str(getattr(rec, f.attname)) for f in ActivityRecord._meta.concrete_fields)
    assert rec.route == "core:dashboard"
    for secret in ("Hunter2", JWT, "123456", "access_token", "password"):
        assert secret not in text
