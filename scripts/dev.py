"""Run the web server, a Celery worker and Celery beat together; Ctrl-C stops all three.

When clamd is installed and CLAMD_SOCKET is not set, a private clamd is started too (under
var/clamd/, our own signatures), so file uploads can be scanned (SPEC §9.2); without one,
uploads are refused (fail closed).
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADDR = os.environ.get("PORTAL_ADDR", "127.0.0.1:8000")

COMMANDS = {
    "web": [sys.executable, "manage.py", "runserver", ADDR],
    "worker": [str(BIN / "celery"), "-A", "rainbow_portal", "worker", "--pool=solo", "-l", "info"],
    "beat": [str(BIN / "celery"), "-A", "rainbow_portal", "beat", "-l", "info"],
}


CLAMD_DIR = Path(os.environ.get("PORTAL_VAR_DIR") or ROOT / "var") / "clamd"


def clamd_start() -> bool:
    if os.environ.get("CLAMD_SOCKET") or not (
        shutil.which("clamd") or Path("/usr/sbin/clamd").exists()
    ):
        return False
    done = subprocess.run(
        [str(ROOT / "scripts" / "clamd.sh"), "start", str(CLAMD_DIR)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        print(f"clamd did not start (uploads will be refused): {done.stderr.strip()}")
        return False
    os.environ["CLAMD_SOCKET"] = done.stdout.strip()
    return True


def main() -> int:
    started_clamd = clamd_start()
    procs = {}
    for name, cmd in COMMANDS.items():
        # Own process group each, so Ctrl-C here is handled once, by us, for all of them.
        procs[name] = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True)
    print(
        f"\nRainbow Portal: http://{ADDR}/  (demo logins above; Ctrl-C stops web, worker, beat)\n"
    )
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"{name} exited with code {proc.returncode}; stopping the others.")
                    stopping = True
            time.sleep(0.5)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        if started_clamd:
            subprocess.run([str(ROOT / "scripts" / "clamd.sh"), "stop", str(CLAMD_DIR)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
