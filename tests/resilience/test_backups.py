"""Backups (issue 15, docs/backups.md): the drill — seed, back up, lose the data, restore,
compare — on the real PostgreSQL, and the sealed format's guarantees."""

import base64
import io
import os
import tracemalloc
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import User
from activity.models import ActivityRecord
from companies.models import Company
from core.backups import backup_prune
from rainbow_portal import crypto
from tests.factories import UserFactory
from tests.pgtools import on_postgresql

KEY = base64.b64encode(b"k" * 32).decode()


@pytest.fixture
def backup_settings(settings, tmp_path):
    settings.BACKUP_KEY = base64.b64decode(KEY)
    settings.BACKUP_KEY_ID = 1
    settings.BACKUP_KEY_RETIRED = {}
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings


def _counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def _sample():
    return {
        "users": list(User.objects.order_by("pk").values_list("pk", "email", "last_name")),
        "companies": list(Company.objects.order_by("pk").values_list("pk", "slug", "name")),
        "activity": list(ActivityRecord.objects.order_by("pk").values_list("pk", "event")),
    }


@pytest.mark.skipif(not on_postgresql(), reason="backups are of a PostgreSQL database")
@pytest.mark.django_db(transaction=True)
def test_drill_backup_lose_everything_restore(backup_settings, capsys):
    for n in range(30):
        UserFactory(last_name=f"Drill{n}")
    before_counts, before_sample = _counts(), _sample()
    assert before_counts["accounts_user"] == 30

    call_command("backup")
    [made] = list(backup_settings.BACKUP_DIR.glob("portal-*.dump.sealed"))
    assert oct(made.stat().st_mode & 0o777) == "0o600"
    assert b"Drill1" not in made.read_bytes()  # sealed: no row readable in the file

    # The disaster: every table gone.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    assert connection.introspection.table_names() == []

    with pytest.raises(CommandError, match="confirm by naming it"):
        call_command("restore", str(made), confirm="not-this-one")
    call_command("restore", str(made), confirm=connection.settings_dict["NAME"])
    assert _counts() == before_counts
    assert _sample() == before_sample
    # The restored database is the portal's again: a new row gets a fresh id.
    assert UserFactory().pk > max(pk for pk, *_ in before_sample["users"])


@pytest.mark.skipif(not on_postgresql(), reason="backups are of a PostgreSQL database")
@pytest.mark.django_db(transaction=True)
def test_an_altered_backup_is_refused_and_the_database_is_left_as_it_was(backup_settings):
    UserFactory(last_name="Keeper")
    call_command("backup")
    [made] = list(backup_settings.BACKUP_DIR.glob("portal-*.dump.sealed"))
    data = bytearray(made.read_bytes())
    data[len(data) // 2] ^= 1
    made.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="cannot be opened"):
        call_command("restore", str(made), confirm=connection.settings_dict["NAME"])
    assert User.objects.filter(last_name="Keeper").exists()


def test_sqlite_is_refused_with_a_clear_message(backup_settings):
    from django.conf import settings

    from core.backups import BackupError, backup_create

    engine = {"ENGINE": "django.db.backends.sqlite3"}
    refused = pytest.raises(BackupError, match="copy the database file")
    with mock.patch.dict(settings.DATABASES["default"], engine), refused:
        backup_create()


def test_no_backup_key_no_backup(settings, tmp_path):
    settings.BACKUP_KEY = None
    with pytest.raises(crypto.DecryptionError, match="BACKUP_KEY is not set"):
        crypto.backup_keyring()


def test_pruning_keeps_recent_backups_and_always_the_newest(backup_settings, tmp_path):
    folder = tmp_path / "old"
    folder.mkdir()
    now = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    for days in (40, 20, 13, 1):
        stamp = (now - timedelta(days=days)).strftime("%Y%m%dT%H%M%SZ")
        (folder / f"portal-{stamp}.dump.sealed").write_bytes(b"x")
    (folder / "notes.txt").write_text("not a backup")
    removed = backup_prune(target=folder, keep_days=14, now=now)
    assert len(removed) == 2
    assert sorted(p.name[:15] for p in folder.glob("portal-*")) == [
        "portal-20261119",
        "portal-20261201",
    ]
    assert (folder / "notes.txt").exists()
    # Only old ones left: the newest stays, whatever its age.
    backup_prune(target=folder, keep_days=0, now=now + timedelta(days=400))
    assert [p.name[:15] for p in folder.glob("portal-*")] == ["portal-20261201"]


def test_stream_sealing_detects_reordering_truncation_and_keeps_memory_flat(backup_settings):
    ring = crypto.backup_keyring()
    payload = os.urandom(3 * 1024) * 1024 * 8  # 24 MiB

    class Sink:
        size = 0

        def write(self, data):
            self.size += len(data)

    source = io.BytesIO(payload)
    tracemalloc.start()
    crypto.seal_stream(ring, "backup", source, Sink())
    _, sealing_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # A few chunks (1 MiB each: the one sealed, the next, the cipher's buffers) in flight,
    # whatever the size of the stream (24 MiB here).
    assert sealing_peak < 6 * 1024 * 1024
    sealed = io.BytesIO()
    crypto.seal_stream(ring, "backup", io.BytesIO(payload), sealed)
    blob = sealed.getvalue()
    opened = io.BytesIO()
    assert crypto.unseal_stream(ring, "backup", io.BytesIO(blob), opened) == len(payload)
    assert opened.getvalue() == payload

    cut = blob[: len(blob) - 1024 * 1024 - 40]  # the last chunk gone: not an end
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal_stream(ring, "backup", io.BytesIO(cut), io.BytesIO())
    other = crypto.KeyRing(current_id=1, masters={1: b"o" * 32})
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal_stream(other, "backup", io.BytesIO(blob), io.BytesIO())
    with pytest.raises(crypto.DecryptionError):
        crypto.unseal_stream(ring, "backup", io.BytesIO(blob + b"x"), io.BytesIO())
