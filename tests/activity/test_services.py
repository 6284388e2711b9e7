import pytest
from django.db import transaction

import activity
from activity.events import UnknownEvent, all_events
from activity.models import ActivityRecord
from rainbow_portal.crypto import decrypt_ip, pseudonymize
from tests.factories import CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_record_writes_one_pseudonymized_row(settings):
    actor = UserFactory()
    target = UserFactory(company=actor.company)
    rec = activity.record(
        event="user.profile.updated",
        actor=actor,
        target=target,
        ip="203.0.113.7",
        data={"fields": ["title"]},
    )
    rec.refresh_from_db()
    assert rec.actor_pseudonym == pseudonymize("user", actor.pk)
    # A person as target is pseudonymized too; the company comes from the actor.
    assert rec.target_type == "accounts.user"
    assert rec.target_ref == pseudonymize("user", target.pk)
    assert rec.company_id == actor.company_id
    assert rec.region == settings.PORTAL_REGION
    assert "203.0.113.7" not in rec.ip_encrypted
    assert decrypt_ip(rec.ip_encrypted, binding=rec.ip_binding) == "203.0.113.7"
    assert rec.data == {"fields": ["title"]}


def test_pseudonym_is_a_known_value_for_a_fixed_key(settings):
    """SPEC §10.2: HMAC-SHA256 under a key derived by HKDF-SHA256 (no salt, info
    "activity.pseudonym") from ACTIVITY_KEY, first 32 hex digits. Expected value computed
    once with openssl, not with the code under test:
        openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt hexkey:0101…01 (32 bytes)
            -kdfopt info:activity.pseudonym HKDF
          -> 34b91e66b21e0cfa64d66f38cc0205dfe9e099ef5825249d33e73a9027fb122d
        printf 'user:42' | openssl dgst -sha256 -mac HMAC -macopt hexkey:34b91e66…122d
          -> b47475b74ced808decfa8c0b8c672774…"""
    settings.ACTIVITY_KEY = b"\x01" * 32
    assert pseudonymize("user", 42) == "b47475b74ced808decfa8c0b8c672774"


def test_pseudonym_is_stable_and_keyed(settings):
    first = pseudonymize("user", 42)
    assert pseudonymize("user", 42) == first
    assert pseudonymize("user", 43) != first
    settings.ACTIVITY_KEY = b"\x01" * 32
    assert pseudonymize("user", 42) != first


def test_secrets_never_enter_data():
    rec = activity.record(
        event="company.created",
        company=CompanyFactory(),
        data={
            "password": "hunter2",
            "new_password1": "x",
            "api_token": "t",
            "reset_code": "123456",
            "message": "hello",
            "nested": {"client_secret": "s", "kept": 1},
            "kind": "end_customer",
        },
    )
    assert rec.data == {"nested": {"kept": 1}, "kind": "end_customer"}


def test_unknown_event_is_refused():
    with pytest.raises(UnknownEvent):
        activity.record(event="company.exploded")
    assert not ActivityRecord.objects.exists()


def test_record_rolls_back_with_the_change():
    with pytest.raises(RuntimeError), transaction.atomic():
        activity.record(event="company.created", company=CompanyFactory())
        raise RuntimeError
    assert not ActivityRecord.objects.filter(event="company.created").exists()


def test_registry_names_are_dotted_and_described():
    for name, description in all_events().items():
        assert name == "request" or "." in name, name
        assert description.endswith("."), name


def test_bulk_insert_keeps_every_field_of_every_record():
    """activity_records_bulk is COPY on PostgreSQL and bulk_create elsewhere: both store
    each field as a single save would (text with tabs and newlines, JSON, NULLs, times)."""
    from datetime import UTC, datetime

    from activity.models import ActivityRecord
    from activity.services import activity_record_build, activity_records_bulk

    user = UserFactory()
    when = datetime(2026, 5, 4, 3, 2, 1, 123456, tzinfo=UTC)
    built = [
        activity_record_build(
            event="request",
            kind=ActivityRecord.Kind.REQUEST,
            actor=user,
            ip="203.0.113.9",
            method="GET",
            route="api:me\ttab\nline \\ back",
            status_code=200,
            duration_ms=7,
            occurred_at=when,
        ),
        activity_record_build(
            event="account.closed",
            target=user,
            data={"reason": 'quote " and é', "n": 3, "nested": {"list": [1, None]}},
            occurred_at=when,
        ),
    ]
    activity_records_bulk(built)
    stored = list(ActivityRecord.objects.filter(occurred_at=when).order_by("id"))
    assert len(stored) == 2
    names = [f.attname for f in ActivityRecord._meta.concrete_fields if not f.primary_key]
    for record, row in zip(built, stored, strict=True):
        assert {n: getattr(row, n) for n in names} == {n: getattr(record, n) for n in names}
    assert stored[0].status_code == 200 and stored[1].status_code is None
