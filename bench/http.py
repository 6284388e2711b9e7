"""Per-request cost through the production stack (issue 15): `python bench/http.py`.

Usage: DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/http.py
       [--users 1000000] [--seconds 10] [--rounds 3] [--workers N] [--worker-class gthread]
       [--threads 4]

Works in a scratch database next to DATABASE_URL's (`<name>_bench_http`, created, migrated,
seeded with bench/search_data.py's builder, dropped at the end). Starts gunicorn itself with
production settings (DEBUG=0, generated keys, Redis cache, `TRUSTED_PROXIES=127.0.0.1`: wrk
plays the TLS proxy and sends `X-Forwarded-Proto: https`, so SECURE_SSL_REDIRECT stays on)
and three servers side by side, each with `--workers` (default: the cores):

- the floor: bench/floor_wsgi.py, a minimal Django app answering JSON, and on the same
  server the same answer from a bare DRF APIView (`drf_floor`: what DRF adds by itself);
- the portal: `/api/v1/me/` with a personal API token, and the directory search
  (`/api/v1/directory/?q=…`, queries rotated by a wrk script) as a seeded user;
- the portal without the request-activity middleware (bench/settings_no_activity.py).

The activity drain (`manage.py activity_drain --loop`) runs during the whole bench, so the
cost of moving queued records into the table is paid in the same CPU budget.
wrk (8 connections, 2 threads, loopback) measures each target `--seconds` per round, the
targets interleaved round by round so that all see the same machine. Prints, last, one JSON
line: floor_rps, me_rps, me_ratio, search_rps, search_ratio, search_p99_ms, activity_cost
(and drf_floor_rps, drf_floor_ratio).
"""

import sys

if __name__ == "http":
    # Another bench script (its folder first on sys.path) imported `http`, meaning the
    # standard library's package that this file's name shadows: load that one instead.
    import importlib.util
    import sysconfig

    _real = sysconfig.get_paths()["stdlib"] + "/http"
    _spec = importlib.util.spec_from_file_location(
        "http", _real + "/__init__.py", submodule_search_locations=[_real]
    )
    _module = importlib.util.module_from_spec(_spec)
    sys.modules["http"] = _module
    _spec.loader.exec_module(_module)  # the import returns sys.modules["http"]: that one
elif __name__ == "__main__":
    # Run as a script, this file's folder comes first on sys.path: it goes to the end, so
    # that `http.client` is the standard library's.
    sys.path.append(sys.path.pop(0))

import argparse
import contextlib
import json
import os
import random
import re
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")

import production  # noqa: E402
from scratch_db import recreate, scratch_url  # noqa: E402

PORTS = {"floor": 8130, "portal": 8131, "noactivity": 8132}
VENV = ROOT / ".venv" / "bin"


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def production_env(database_url: str, var_dir: str) -> dict:
    # Fresh keys per run (bench/production.py), the stack's own host, proxy and limits.
    base = {k: v for k, v in os.environ.items() if k not in FRESH}
    return production.production_env(
        base,
        DATABASE_URL=database_url,
        PORTAL_VAR_DIR=var_dir,
        ALLOWED_HOSTS="localhost",
        TRUSTED_PROXIES="127.0.0.1",
        # The bench sends thousands of calls a second with one token: the per-token limit
        # (SPEC §7.9) still runs on every call, only its rate is raised.
        API_THROTTLE_TOKEN="100000000/minute",
        API_THROTTLE_USER="100000000/minute",
        LOG_LEVEL="WARNING",
        ACTIVITY_QUEUE_KEY="rainbow:bench-http:activity",
    )


FRESH = ("SECRET_KEY", "DATA_MASTER_KEY", "ACTIVITY_KEY", "DIGEST_KEY")


def gunicorn(app: str, port: int, env: dict, args) -> subprocess.Popen:
    cmd = [
        str(VENV / "gunicorn"),
        app,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--log-level",
        "warning",
        "--chdir",
        str(ROOT),
    ]
    if args.access_log:
        # Off otherwise, as in production (deploy/gunicorn.conf.py: accesslog = None; nginx
        # logs the requests): a log written to /dev/null is still formatted, a tenth of a
        # cheap request's time.
        cmd += ["--access-logfile", "-"]
    if args.worker_class == "gthread":
        cmd += ["--threads", str(args.threads)]
    return subprocess.Popen(cmd, env=env, start_new_session=True)


def wait_up(port: int, headers: dict, path: str = "/api/v1/me/") -> None:
    for _ in range(300):
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn on port {port} did not answer 200 on {path}")


LUA = """
paths = {%(paths)s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def wrk(
    port: int, headers: dict, paths: list[str], seconds: int, script_dir: str, strict=True
) -> dict:
    script = Path(script_dir) / f"paths-{port}-{len(paths)}.lua"
    script.write_text(LUA % {"paths": ", ".join(json.dumps(p) for p in paths)})
    cmd = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s", str(script)]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://127.0.0.1:{port}{paths[0]}")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if strict and (bad or errors):
        raise RuntimeError(f"wrk saw failures on port {port}:\n{out}")
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    return {"rps": rps, "requests": total, "p99_ms": float(p99.group(1)) * scale}


def prepare(users: int) -> dict:
    """Seed the scratch database (already migrated) and make two tokens; returns the
    tokens and the search paths."""
    import search  # noqa: F401  # bench/search.py: django.setup() on import, our DATABASE_URL
    import search_data
    from django.db import connection

    from accounts.models import User
    from accounts.security.services.tokens import token_create

    # The seeded rows go into the scratch database's own tables (not a schema of their
    # own as bench/search.py does): the web workers read them with no search_path trick.
    rng = random.Random(15)
    connection.ensure_connection()
    search_data.seed(users, rng, own_schema=False)
    searches = search_data.sample_searches(rng, 2)
    viewer = next(v for v, _q in searches if v.visibility_mode == "public")
    queries = [q for _v, q in searches]
    _token, search_secret = token_create(user=viewer, actor=viewer, name="bench", scope="read")
    me_user = User.objects.exclude(pk=viewer.pk).filter(is_active=True).first()
    _token, me_secret = token_create(user=me_user, actor=me_user, name="bench", scope="read")
    connection.close()
    from urllib.parse import quote

    return {
        "me_token": me_secret,
        "search_token": search_secret,
        "search_paths": [f"/api/v1/directory/?q={quote(q)}" for q in queries[:40]],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10, help="per target and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--access-log", action="store_true")
    parser.add_argument(
        "--keep-going", action="store_true", help="no drain check at the end (faster)"
    )
    args = parser.parse_args()
    if args.users < 1_000_000:
        log(f"NOTE: {args.users} users, not the issue's 1M: a quick run, not the target figure")
    url, admin, name = scratch_url(os.environ["DATABASE_URL"], "_bench_http")
    recreate(admin, name)
    var_dir = tempfile.mkdtemp(prefix="rainbow-bench-http-")
    env = production_env(url, var_dir)
    os.environ.update(env)
    servers = []
    try:
        subprocess.run(
            [str(VENV / "python"), "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True
        )
        t = time.monotonic()
        data = prepare(args.users)
        log(f"seeded in {time.monotonic() - t:.0f}s")
        drain = subprocess.Popen(
            [str(VENV / "python"), "manage.py", "activity_drain", "--loop"],
            env=env,
            cwd=ROOT,
            start_new_session=True,
        )
        servers.append(drain)
        servers.append(gunicorn("bench.floor_wsgi:application", PORTS["floor"], env, args))
        servers.append(gunicorn("rainbow_portal.wsgi:application", PORTS["portal"], env, args))
        noact = dict(env, DJANGO_SETTINGS_MODULE="bench.settings_no_activity")
        servers.append(
            gunicorn("rainbow_portal.wsgi:application", PORTS["noactivity"], noact, args)
        )
        base = {"Host": "localhost", "X-Forwarded-Proto": "https"}
        me_h = dict(base, Authorization=f"Bearer {data['me_token']}")
        search_h = dict(base, Authorization=f"Bearer {data['search_token']}")
        targets = {
            "floor": (PORTS["floor"], base, ["/api/v1/me/"]),
            "drf_floor": (PORTS["floor"], base, ["/api/v1/drf/"]),
            "me": (PORTS["portal"], me_h, ["/api/v1/me/"]),
            "me_noactivity": (PORTS["noactivity"], me_h, ["/api/v1/me/"]),
            "search": (PORTS["portal"], search_h, data["search_paths"]),
        }
        for port, headers, paths in targets.values():
            wait_up(port, headers, paths[0])
            wrk(port, headers, paths, 2, var_dir, strict=False)  # warm every worker up
        results = {label: [] for label in targets}
        for r in range(args.rounds):
            order = list(targets) if r % 2 == 0 else list(reversed(targets))
            for label in order:
                port, headers, paths = targets[label]
                results[label].append(wrk(port, headers, paths, args.seconds, var_dir))
                log(f"round {r + 1} {label}: {results[label][-1]}")
        load = os.getloadavg()
        for proc in servers[1:]:  # the web servers: nothing more enters the queue
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        os.killpg(drain.pid, signal.SIGTERM)
        drain.wait(timeout=30)
        left = subprocess.run(
            [str(VENV / "python"), "manage.py", "activity_drain"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        log(f"final drain: {left.strip()}")
    finally:
        for proc in servers:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in servers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        recreate(admin, name, drop_only=True)

    def rps(label):
        runs = results[label]
        return sum(x["requests"] for x in runs) / (args.seconds * len(runs))

    floor, me, me_off, search_rps = (rps(x) for x in ("floor", "me", "me_noactivity", "search"))
    out = {
        "users": args.users,
        "workers": args.workers,
        "worker_class": args.worker_class,
        "threads": args.threads if args.worker_class == "gthread" else 1,
        "load_average": [round(x, 1) for x in load],
        "floor_rps": round(floor),
        "drf_floor_rps": round(rps("drf_floor")),
        "drf_floor_ratio": round(rps("drf_floor") / floor, 3),
        "me_rps": round(me),
        "me_noactivity_rps": round(me_off),
        "me_ratio": round(me / floor, 3),
        "search_rps": round(search_rps),
        "search_ratio": round(search_rps / floor, 3),
        "search_p99_ms": round(max(x["p99_ms"] for x in results["search"]), 2),
        "activity_cost": round(1 - me / me_off, 3),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
