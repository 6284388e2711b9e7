"""Request records through the Redis queue and the drain (issue 15, D15c.1), on the real
Redis of REDIS_URL: nothing lost, nothing doubled, pseudonymized and sealed at the source."""

import uuid

import pytest
from django.conf import settings
from django.test import override_settings

from activity import queue_services
from activity.models import ActivityDrainBatch, ActivityRecord
from rainbow_portal.crypto import decrypt_ip, pseudonymize
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def redis_url() -> str:
    assert settings.REDIS_URL, "these tests need the real Redis of REDIS_URL"
    return settings.REDIS_URL


@pytest.fixture
def queue():
    key = f"test:activity:{uuid.uuid4().hex}"
    with override_settings(
        ACTIVITY_QUEUE_URL=redis_url(), ACTIVITY_QUEUE_KEY=key, ACTIVITY_SPOOL_DIR=""
    ):
        client = queue_services._redis()
        yield client, key
        for name in client.scan_iter(f"{key}*"):
            client.delete(name)


def test_a_request_is_queued_then_drained_pseudonymized_and_sealed(client, queue):
    redis, key = queue
    user = UserFactory()
    client.force_login(user)
    ActivityRecord.objects.all().delete()
    client.get("/no/such/page/", REMOTE_ADDR="198.51.100.7")
    assert not ActivityRecord.objects.filter(kind="request").exists()
    assert redis.llen(key) == 1
    raw = redis.lindex(key, 0)
    assert b"198.51.100.7" not in raw and user.email.encode() not in raw  # sealed at the source
    assert queue_services.activity_drain() == 1
    rec = ActivityRecord.objects.get(kind="request")
    assert (rec.route, rec.status_code, rec.method) == ("(unresolved)", 404, "GET")
    assert rec.actor_pseudonym == pseudonymize("user", user.pk)
    assert rec.company_id == user.company_id
    assert decrypt_ip(rec.ip_encrypted, binding=rec.ip_binding) == "198.51.100.7"
    assert redis.llen(key) == 0 and not redis.smembers(f"{key}:batches")


def test_redis_down_writes_the_record_directly(client):
    with override_settings(ACTIVITY_QUEUE_URL="redis://127.0.0.1:1/0", ACTIVITY_SPOOL_DIR=""):
        client.get("/no/such/page/")
    assert ActivityRecord.objects.filter(kind="request", status_code=404).count() == 1


def test_batches_larger_than_one_claim_are_all_drained(client, queue):
    with override_settings(ACTIVITY_DRAIN_BATCH=3):
        for _ in range(7):
            client.get("/no/such/page/")
        assert queue_services.activity_drain() == 7
    assert ActivityRecord.objects.filter(kind="request").count() == 7
    assert ActivityDrainBatch.objects.count() == 3


def _claim(redis, key, count=100) -> str:
    batch_id = uuid.uuid4().hex
    claim = redis.register_script(queue_services.CLAIM)
    claim(keys=[key, f"{key}:batch:{batch_id}", f"{key}:batches"], args=[count, batch_id])
    return batch_id


def test_a_drain_killed_after_its_commit_does_not_double_the_batch(client, queue):
    redis, key = queue
    for _ in range(4):
        client.get("/no/such/page/")
    batch_id = _claim(redis, key)
    # The drain inserted and committed, then died before clearing the batch from Redis.
    assert queue_services._insert_batch(batch_id, redis.lrange(f"{key}:batch:{batch_id}", 0, -1))
    assert queue_services.activity_drain() == 0
    assert ActivityRecord.objects.filter(kind="request").count() == 4
    assert not redis.exists(f"{key}:batch:{batch_id}")


def test_a_drain_killed_before_its_commit_leaves_the_batch_to_the_next(client, queue):
    redis, key = queue
    for _ in range(4):
        client.get("/no/such/page/")
    _claim(redis, key)  # claimed, then the drain died: the records are in no list but this
    assert redis.llen(key) == 0
    assert queue_services.activity_drain() == 4
    assert ActivityRecord.objects.filter(kind="request").count() == 4


def test_actions_are_never_queued(queue):
    import activity

    user = UserFactory()
    activity.record(event="request", actor=user)  # any registered event, through record()
    redis, key = queue
    assert redis.llen(key) == 0
    assert ActivityRecord.objects.filter(actor_pseudonym=pseudonymize("user", user.pk)).exists()


def test_a_queued_row_names_every_stored_field():
    # The request record is queued as a row (no model instance): a field the row builder
    # forgot would still be stored, with the model's default.
    from activity import codec
    from activity.services import _record_row

    row = _record_row(event="request", kind=ActivityRecord.Kind.REQUEST, ip="198.51.100.7")
    assert set(row) == set(codec.FIELDS)
    partial = dict(row)
    del partial["route"]
    decoded = codec._decode(codec._encode(partial))
    assert decoded.route == "" and decoded.ip_encrypted == row["ip_encrypted"]
