"""The embedded SQLite default under concurrent writers (found by fuzzing: two API clients
writing at once got 500s with "database is locked")."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import threading, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import connection
from accounts.models import User
from accounts.services import user_profile_update
from companies.services import user_create
from companies.selectors import default_company
users = [user_create(email=f"w{i}@example.test", company=default_company(), actor=None)
         for i in range(2)]
errors = []
def work(user):
    try:
        for n in range(30):
            user_profile_update(user=User.objects.get(pk=user.pk), actor=None, title=f"t{n}")
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()
threads = [threading.Thread(target=work, args=(u,)) for u in users]
[t.start() for t in threads]
[t.join() for t in threads]
print("ERRORS", len(errors), errors[:1])
"""


def test_two_concurrent_writers_never_see_database_is_locked(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        PORTAL_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="rainbow_portal.settings",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "ERRORS 0 []" in result.stdout, result.stdout
