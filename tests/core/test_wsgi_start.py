"""What loading the WSGI application leaves in the process (D16c.4)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import gc, json, sys
import rainbow_portal.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "urlconf": "rainbow_portal.urls" in sys.modules,
}))
"""


def test_start_up_objects_are_frozen_with_the_urlconf_loaded():
    env = dict(os.environ, PYTHONPATH=str(ROOT), DJANGO_SETTINGS_MODULE="rainbow_portal.settings")
    command = [sys.executable, "-c", PROBE]
    run = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["urlconf"]
    # Everything start-up built is out of the collector's walk; what is left is the probe's.
    assert seen["frozen"] > 50_000
    assert seen["tracked"] < seen["frozen"] // 50
