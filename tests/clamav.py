"""Fixtures for the real ClamAV daemon and a private vault storage (SPEC §9.2, §9.1).

`clamd_socket` (session): CLAMD_SOCKET when set (CI exports it from .ci/run); otherwise a
private clamd started by scripts/clamd.sh in a temp folder (stopped at the end). In CI
(CI=true) a missing clamd fails the run; elsewhere tests that need it are skipped.
`clamd`: points settings.CLAMD_SOCKET at it. `vault_storage`: a fresh storage folder and temp
folder per test, returned as a pathlib.Path (the storage root).
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLAMD_SCRIPT = ROOT / "scripts" / "clamd.sh"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def clamd_installed() -> bool:
    return bool(shutil.which("clamd") or Path("/usr/sbin/clamd").exists())


def clamd_start(folder: Path) -> str:
    done = subprocess.run(
        [str(CLAMD_SCRIPT), "start", str(folder)], capture_output=True, text=True, timeout=60
    )
    if done.returncode != 0:
        raise RuntimeError(f"clamd did not start: {done.stderr.strip()}")
    return done.stdout.strip().splitlines()[-1]


def clamd_stop(folder: Path) -> None:
    subprocess.run([str(CLAMD_SCRIPT), "stop", str(folder)], capture_output=True, timeout=30)


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory):
    configured = os.environ.get("CLAMD_SOCKET")
    if configured:
        if not Path(configured).is_socket() and in_ci():
            pytest.fail(f"CLAMD_SOCKET={configured} is not a socket: is clamd running?")
        yield configured
        return
    if not clamd_installed():
        if in_ci():
            pytest.fail("clamd is not installed; CI must run it (apt-get install clamav-daemon).")
        pytest.skip("clamd is not installed (apt-get install -y clamav-daemon)")
    folder = tmp_path_factory.mktemp("clamd")
    try:
        yield clamd_start(folder)
    finally:
        clamd_stop(folder)


@pytest.fixture
def clamd(settings, clamd_socket):
    settings.CLAMD_SOCKET = clamd_socket
    return clamd_socket


@pytest.fixture
def vault_storage(settings, tmp_path):
    root = tmp_path / "vault"
    settings.STORAGES = {
        **settings.STORAGES,
        "vault": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    settings.VAULT_STORAGE = "vault"
    settings.VAULT_TEMP_DIR = tmp_path / "vault-incoming"
    root.mkdir()
    return root
