"""The systemd units of deploy/systemd (docs/deploy.md): the backup service runs a manage.py
command that exists, as the web unit's user, environment and folder, and its timer starts it
daily and catches up after downtime. `systemd-analyze verify` checks every unit as systemd
reads it (the machine's systemd; CI has it)."""

import re
import shutil
import subprocess
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from tests.deploy.conftest import ROOT, _need

UNITS = ROOT / "deploy" / "systemd"
BACKUP_SERVICE = "rainbow-portal-backup.service"
BACKUP_TIMER = "rainbow-portal-backup.timer"
DRAIN_SERVICE = "rainbow-portal-activity-drain.service"
APP_DIR = "/srv/rainbow-portal"


def parse(path: Path) -> dict[str, dict[str, list[str]]]:
    """Sections → key → values in order (systemd allows a key more than once)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"{path.name}: a setting outside any section: {line}"
        key, sep, value = line.partition("=")
        assert sep, f"{path.name}: not a setting: {line}"
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def one(unit: dict, section: str, key: str) -> str:
    values = unit.get(section, {}).get(key, [])
    assert len(values) == 1, f"[{section}] {key}= should be set once, found {values}"
    return values[0]


def analyze(*args: str) -> subprocess.CompletedProcess:
    _need(bool(shutil.which("systemd-analyze")), "systemd-analyze is not installed (systemd)")
    return subprocess.run(
        ["systemd-analyze", *args], capture_output=True, text=True, timeout=60, check=False
    )


def timespan_seconds(value: str) -> float:
    done = analyze("timespan", value)
    assert done.returncode == 0, done.stderr
    micro = re.search(r"μs:\s*(\d+)", done.stdout)
    assert micro, done.stdout
    return int(micro.group(1)) / 1_000_000


@pytest.fixture(scope="module")
def web():
    return parse(UNITS / "rainbow-portal-web.service")


@pytest.fixture(scope="module")
def service():
    return parse(UNITS / BACKUP_SERVICE)


@pytest.fixture(scope="module")
def timer():
    return parse(UNITS / BACKUP_TIMER)


def test_the_backup_service_runs_a_manage_py_command_that_exists(service):
    assert one(service, "Service", "Type") == "oneshot"
    argv = one(service, "Service", "ExecStart").split()
    assert argv[:2] == [f"{APP_DIR}/.venv/bin/python", "manage.py"]
    command = argv[2]
    assert command == "backup"
    assert get_commands()[command] == "core"
    parser = load_command_class("core", command).create_parser("manage.py", command)
    parser.parse_args(argv[3:])  # the unit's arguments are ones the command accepts


@pytest.mark.parametrize(
    "key", ["User", "Group", "EnvironmentFile", "WorkingDirectory", "ReadWritePaths"]
)
def test_the_backup_service_runs_like_the_web_unit(service, web, key):
    assert one(service, "Service", key) == one(web, "Service", key)


def test_the_backup_service_keeps_the_web_units_hardening(service, web):
    hardening = [
        "NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectSystem", "ProtectHome",
        "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups",
        "RestrictAddressFamilies", "RestrictNamespaces", "LockPersonality",
        "CapabilityBoundingSet",
    ]  # fmt: skip
    for key in hardening:
        assert one(service, "Service", key) == one(web, "Service", key), key
    # Backups are mode 0600 anyway; nothing the service creates is readable by others.
    assert one(service, "Service", "UMask") == "0077"


@pytest.fixture(scope="module")
def drain():
    return parse(UNITS / DRAIN_SERVICE)


def test_the_drain_service_loops_a_manage_py_command_that_exists(drain):
    """Every web node runs it: the spool files are local to the node (D16sp.1)."""
    assert one(drain, "Service", "Type") == "simple"
    assert one(drain, "Service", "Restart") == "always"
    argv = one(drain, "Service", "ExecStart").split()
    assert argv[:3] == [f"{APP_DIR}/.venv/bin/python", "manage.py", "activity_drain"]
    assert get_commands()["activity_drain"] == "activity"
    parser = load_command_class("activity", "activity_drain").create_parser(
        "manage.py", "activity_drain"
    )
    assert parser.parse_args(argv[3:]).loop  # it keeps draining
    assert one(drain, "Install", "WantedBy") == "multi-user.target"


@pytest.mark.parametrize(
    "key",
    [
        "User", "Group", "EnvironmentFile", "WorkingDirectory", "ReadWritePaths", "UMask",
        "NoNewPrivileges", "PrivateTmp", "PrivateDevices", "ProtectSystem", "ProtectHome",
        "ProtectKernelTunables", "ProtectKernelModules", "ProtectControlGroups",
        "RestrictAddressFamilies", "RestrictNamespaces", "LockPersonality",
        "CapabilityBoundingSet",
    ],
)  # fmt: skip
def test_the_drain_service_runs_like_the_web_unit(drain, web, key):
    # The same user (it reads and removes the web workers' 0600 files) and hardening.
    assert one(drain, "Service", key) == one(web, "Service", key)


def test_the_timer_starts_the_backup_daily_and_catches_up(timer):
    assert one(timer, "Timer", "Unit") == BACKUP_SERVICE
    assert (UNITS / BACKUP_SERVICE).is_file()
    assert one(timer, "Timer", "Persistent") == "true"
    assert 0 < timespan_seconds(one(timer, "Timer", "RandomizedDelaySec")) <= 3600
    assert one(timer, "Install", "WantedBy") == "timers.target"
    calendar = analyze("calendar", "--iterations=3", one(timer, "Timer", "OnCalendar"))
    assert calendar.returncode == 0, calendar.stderr
    normalized = re.search(r"Normalized form: (.+)", calendar.stdout).group(1).strip()
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", normalized), normalized  # every day, once
    elapses = re.findall(r"(?:Next elapse|Iter\. #\d+): \w+ (\S+ \S+)", calendar.stdout)
    runs = [datetime.fromisoformat(e) for e in elapses]
    assert len(runs) == 3, calendar.stdout
    assert [b - a for a, b in pairwise(runs)] == [timedelta(days=1)] * 2, calendar.stdout


def verify(units: list[Path], tmp_path: Path) -> subprocess.CompletedProcess:
    """`systemd-analyze verify` on copies whose /srv/rainbow-portal is a temp folder holding
    the executables they name (verify checks that they exist)."""
    app = tmp_path / "app"
    (app / ".venv" / "bin").mkdir(parents=True)
    for tool in ("python", "gunicorn", "celery"):
        (app / ".venv" / "bin" / tool).symlink_to(shutil.which("true"))
    folder = tmp_path / "units"
    folder.mkdir()
    copies = []
    for unit in units:
        copy = folder / unit.name
        copy.write_text(unit.read_text().replace(APP_DIR, str(app)))
        copies.append(str(copy))
    return analyze("verify", *copies)


def test_systemd_accepts_every_unit_without_a_warning(tmp_path):
    units = sorted(UNITS.glob("*.service")) + sorted(UNITS.glob("*.timer"))
    assert {BACKUP_SERVICE, BACKUP_TIMER, DRAIN_SERVICE} <= {u.name for u in units}
    done = verify(units, tmp_path)
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stderr


def test_the_verification_catches_a_broken_unit(tmp_path):
    broken = tmp_path / BACKUP_TIMER
    broken.write_text((UNITS / BACKUP_TIMER).read_text().replace("02:30:00", "dialy"))
    done = verify([UNITS / BACKUP_SERVICE, broken], tmp_path / "v")
    assert done.returncode != 0 or "Failed to parse" in done.stderr
