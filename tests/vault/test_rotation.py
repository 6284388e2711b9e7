"""Master-key rotation without downtime (SPEC §9.1): `manage.py rotate_keys`."""

import io
import json
import os
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from activity.models import ActivityRecord
from tests.factories import CompanyFactory
from vault import DecryptionError, keys, selectors, services
from vault.models import CompanyKey

OLD, NEW = os.urandom(32), os.urandom(32)


@pytest.fixture
def old_master(settings):
    settings.DATA_MASTER_KEY = OLD
    settings.DATA_MASTER_KEY_ID = 1
    settings.DATA_MASTER_KEY_RETIRED = {}
    keys.clear_cache()
    yield
    keys.clear_cache()


def world(n=4):
    """n companies, each with a message and (the first) a file, under the old master."""
    items = []
    for i in range(n):
        company = CompanyFactory()
        blob = services.text_encrypt(
            company=company, purpose="m", object_id=str(i), plaintext=f"secret {i}"
        )
        items.append((company, str(i), blob))
    return items


def read_all(items):
    for company, oid, blob in items:
        assert selectors.text_decrypt(company=company, purpose="m", object_id=oid, blob=blob) == (
            f"secret {oid}"
        )


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the reader thread made no progress"
        time.sleep(0.005)


def switch_to_new(settings, *, keep_old: bool):
    # The one rotation setting (D11c.3): the new key under a new id, the old one retired.
    settings.DATA_MASTER_KEY = NEW
    settings.DATA_MASTER_KEY_ID = 2
    settings.DATA_MASTER_KEY_RETIRED = {1: OLD} if keep_old else {}
    keys.clear_cache()


def rotate(**options) -> dict:
    out = io.StringIO()
    call_command("rotate_keys", stdout=out, **options)
    return json.loads(out.getvalue())


def test_rotation_in_steps_reads_everything_at_every_step_then_needs_only_the_new_master(
    db, old_master, settings
):
    items = world(4)
    switch_to_new(settings, keep_old=False)
    with pytest.raises(DecryptionError, match="does not hold"):  # the test can fail
        read_all(items)

    switch_to_new(settings, keep_old=True)
    read_all(items)  # new master deployed, old one still readable: serving goes on
    first = rotate(limit=2, batch_size=1)
    assert first["rewrapped"] == 2 and first["remaining_on_previous"] == 2
    read_all(items)  # half-way (a run interrupted or in steps): both kinds of rows read
    second = rotate()
    assert second["rewrapped"] == 2 and second["already_current"] == 2
    assert second["remaining_on_previous"] == 0 and second["failed"] == []
    assert second["master_key_id"] == keys.master_key_id(NEW)
    assert set(CompanyKey.objects.values_list("master_key_id", flat=True)) == {
        keys.master_key_id(NEW)
    }
    third = rotate()  # idempotent
    assert third["rewrapped"] == 0 and third["already_current"] == 4

    switch_to_new(settings, keep_old=False)
    read_all(items)  # only the new master is needed now
    assert ActivityRecord.objects.filter(event="vault.key.rewrapped").count() == 4


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's shared in-memory test database locks whole tables between threads; "
    "this runs on PostgreSQL (CI, DATABASE_URL)",
)
@pytest.mark.django_db(transaction=True)
def test_readers_in_another_thread_never_fail_during_rotate_keys(old_master, settings):
    items = world(6)
    switch_to_new(settings, keep_old=True)
    stop, reads, failures = threading.Event(), [0], []

    def reader():
        try:
            while not stop.is_set():
                try:
                    read_all(items)
                    reads[0] += 1
                except Exception as exc:  # a DecryptionError above all: fails the test
                    failures.append(repr(exc))
        finally:
            connection.close()

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        wait_for(lambda: reads[0] >= 2)  # the reader is up before the rotation starts
        for _ in range(6):  # one key per run: the rotation spreads over many reads
            rotate(limit=1, batch_size=1)
        before = reads[0]
        wait_for(lambda: reads[0] >= before + 2)
    finally:
        stop.set()
        thread.join(10)
    assert failures == []
    assert CompanyKey.objects.exclude(master_key_id=keys.master_key_id(NEW)).count() == 0
    switch_to_new(settings, keep_old=False)
    read_all(items)


def test_a_key_under_an_unknown_master_is_reported_and_the_command_fails(db, old_master, settings):
    items = world(2)
    switch_to_new(settings, keep_old=False)  # forgot DATA_MASTER_KEY_RETIRED
    with pytest.raises(CommandError, match="could not be re-wrapped"):
        call_command("rotate_keys", stdout=io.StringIO())
    assert CompanyKey.objects.filter(master_key_id=keys.master_key_id(OLD)).count() == 2
    switch_to_new(settings, keep_old=True)  # fixed: the run resumes
    assert rotate()["rewrapped"] == 2
    read_all(items)


def test_shredded_keys_are_skipped_not_resurrected(db, old_master, settings):
    items = world(2)
    services.company_key_shred(company=items[0][0], actor=None)
    switch_to_new(settings, keep_old=True)
    summary = rotate()
    assert summary["shredded"] == 1 and summary["rewrapped"] == 1
    assert bytes(CompanyKey.objects.get(company=items[0][0]).wrapped_key) == b""


def test_company_key_rotation_from_the_command(db, old_master):
    items = world(2)
    company = items[0][0]
    summary = rotate(company_keys=True, company=company.slug)
    assert summary["company_keys_rotated"] == [{"company": company.slug, "version": 2}]
    read_all(items)
    with pytest.raises(CommandError, match="No company"):
        call_command("rotate_keys", company_keys=True, company="nope", stdout=io.StringIO())


def test_the_old_rotation_variable_stops_the_start_with_what_to_write(monkeypatch):
    """DATA_MASTER_KEY_PREVIOUS was the vault's own list of older master keys; the portal now
    reads one list, DATA_MASTER_KEY_RETIRED. The old name is refused, not silently ignored."""
    import base64

    from django.core.exceptions import ImproperlyConfigured

    from rainbow_portal import envconfig

    monkeypatch.delenv("DATA_MASTER_KEY_PREVIOUS", raising=False)
    envconfig.refuse_renamed("DATA_MASTER_KEY_PREVIOUS", "DATA_MASTER_KEY_RETIRED", "id:base64")
    monkeypatch.setenv("DATA_MASTER_KEY_PREVIOUS", base64.b64encode(OLD).decode())
    with pytest.raises(ImproperlyConfigured, match=r"DATA_MASTER_KEY_RETIRED.*id:base64"):
        envconfig.refuse_renamed("DATA_MASTER_KEY_PREVIOUS", "DATA_MASTER_KEY_RETIRED", "id:base64")


def test_retired_master_keys_open_company_keys_by_fingerprint_whatever_their_id(
    db, old_master, settings
):
    items = world(1)
    settings.DATA_MASTER_KEY = NEW
    settings.DATA_MASTER_KEY_ID = 9
    settings.DATA_MASTER_KEY_RETIRED = {4: OLD}  # any id: the vault names masters by fingerprint
    keys.clear_cache()
    assert set(keys.master_keys()) == {keys.master_key_id(NEW), keys.master_key_id(OLD)}
    read_all(items)
