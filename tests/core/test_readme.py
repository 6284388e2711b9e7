"""The README tells the truth (issue 14): every demo login, the two commands first, the
sample world file it shows runs, and commands are given with the virtualenv's python."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import User

README = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")


def test_the_first_lines_give_the_two_commands():
    block = README.split("```")[1].strip().splitlines()
    assert [line.split()[:2] for line in block] == [["make", "run"], ["make", "test"]]


def test_commands_use_the_virtualenvs_python():
    assert not re.search(r"(?<!/bin/)\bpython manage\.py", README)


@pytest.mark.django_db
def test_every_demo_login_is_listed(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    emails = set(User.objects.filter(email__endswith=".test").values_list("email", flat=True))
    assert "nina@cobalt.test" in emails
    missing = sorted(e for e in emails if e not in README)
    assert missing == [], f"README's demo logins miss {missing}"


@pytest.mark.django_db
def test_the_sample_world_runs():
    assert "visibility_matrix examples/visibility_world.json" in README
    out = StringIO()
    call_command(
        "visibility_matrix",
        str(Path(settings.BASE_DIR) / "examples/visibility_world.json"),
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert ["alice@acme.test", "hq@nordic.test"] in result["find"]  # granted to Acme
    assert not any("li@panda.test" in pair for pair in result["find"])  # China boundary
