"""Python calls and CPU per API request, in-process (issue 15): `python bench/calls.py`.

Usage: DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/calls.py [--requests 2000]

Counts the Python function calls one request makes through the portal's WSGI application
(rainbow_portal.handlers: API calls with a token take the short chain, D16c.1) and through
Django's own WSGIHandler (the whole middleware chain), for `/api/v1/me/` and a directory
search, with production settings. A call count does not move with the machine's load, unlike
requests per second: it is the deterministic half of bench/http.py's figures. CPU time per
request (`time.process_time`, the two handlers interleaved) is printed beside it.

The same figures for bench/floor_wsgi.py's two floors (a plain Django view, a bare DRF
APIView), measured in a subprocess of their own (`--floor`: they are another Django project),
and the portal's CPU per call against them: the in-process half of bench/http.py's ratios.

`--breakdown`: where `/api/v1/me/`'s CPU goes. The token chain measured whole, then with one
more part taken away at each step (the access log line, the activity record, the metrics
middleware, the throttle's Redis call, the token's PostgreSQL query answered from memory),
the steps interleaved. A measurement only: the portal has no switch for any of them.

Works in a scratch database next to DATABASE_URL's (`<name>_bench_calls`: created, migrated,
a few hundred users, dropped at the end). Prints, last, one JSON line.
"""

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from production import use_production_settings  # noqa: E402
from scratch_db import recreate, scratch_url  # noqa: E402

PATHS = {"me": "/api/v1/me/", "search": "/api/v1/directory/?q=be"}


def environ_for(path: str, token: str) -> dict:
    from django.test import RequestFactory

    environ = RequestFactory().get(path).environ
    environ.update(
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_X_FORWARDED_PROTO="https",
        REMOTE_ADDR="127.0.0.1",
    )
    return environ


def call(app, environ: dict) -> int:
    seen = []

    def start_response(status, headers, exc_info=None):
        seen.append(status)

    response = app(dict(environ), start_response)
    b"".join(response)
    response.close()
    return int(seen[0].split(" ", 1)[0])


def count_calls(app, environ: dict) -> int:
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        status = call(app, environ)
    finally:
        sys.setprofile(None)
    assert status == 200, status
    return count


def measure_cpu(app, environ: dict, requests: int) -> float:
    """CPU milliseconds per request over `requests` calls (after a warm-up)."""
    for _ in range(50):
        call(app, environ)
    start = time.process_time()
    for _ in range(requests):
        call(app, environ)
    return round((time.process_time() - start) * 1000 / requests, 3)


def floors(requests: int) -> dict:
    """Calls and CPU per request of bench/floor_wsgi.py's two routes, in this process: run
    by `--floor`, in a subprocess of its own."""
    import floor_wsgi

    result = {}
    for label, path in (("floor", "/api/v1/me/"), ("drf_floor", "/api/v1/drf/")):
        environ = environ_for(path, "unused")
        result[f"{label}_cpu_ms"] = measure_cpu(floor_wsgi.application, environ, requests)
        result[f"{label}_calls"] = count_calls(floor_wsgi.application, environ)
    return result


def floors_in_subprocess(requests: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--floor", "--requests", str(requests)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.splitlines()[-1])


def breakdown(environ: dict, requests: int) -> dict:
    """CPU ms per `/me/` call with parts removed one by one (cumulative), interleaved."""
    from unittest import mock

    from django.test import override_settings

    from accounts.security import throttles
    from accounts.security.services import tokens
    from rainbow_portal.handlers import _ChainHandler, token_api_middleware

    chain = token_api_middleware()
    activity = "activity.middleware.RequestActivityMiddleware"
    metrics = "rainbow_portal.metrics.MetricsMiddleware"
    no_activity = [m for m in chain if m != activity]
    no_metrics = [m for m in no_activity if m != metrics]
    token = tokens._token_by_prefix(environ["HTTP_AUTHORIZATION"].split("_")[1])
    no_throttle = mock.patch.object(throttles.ApiThrottle, "allow_request", lambda *a: True)
    # The same live token each time, as an in-process cache of it would give.
    no_query = mock.patch.object(tokens, "_token_by_prefix", lambda prefix: token)
    steps = [  # label, middleware, access log, patches
        ("whole", chain, True, []),
        ("no_access_log", chain, False, []),
        ("no_activity", no_activity, False, []),
        ("no_metrics", no_metrics, False, []),
        ("no_throttle", no_metrics, False, [no_throttle]),
        ("no_token_query", no_metrics, False, [no_throttle, no_query]),
    ]
    apps = {}
    for label, middleware, access_log, _patches in steps:
        with override_settings(ACCESS_LOG=access_log):
            apps[label] = _ChainHandler(middleware)
    spent = dict.fromkeys(apps, 0.0)
    for _ in range(requests // 100):
        for label, _middleware, _log, patches in steps:
            with contextlib.ExitStack() as stack:
                for patch in patches:
                    stack.enter_context(patch)
                for _ in range(20):  # warm
                    call(apps[label], environ)
                start = time.process_time()
                for _ in range(100):
                    call(apps[label], environ)
                spent[label] += time.process_time() - start
    return {f"breakdown_{k}_cpu_ms": round(v * 1000 / requests, 3) for k, v in spent.items()}


def seed() -> str:
    """A public company of 300 people, their names from the search bench's syllables (so the
    query finds a full page), and a token of one of them."""
    import random

    import search_data

    from tests.factories import CompanyFactory, UserFactory, api_token

    rng = random.Random(15)
    company = CompanyFactory()  # public by default
    users = [
        UserFactory(
            company=company,
            first_name="".join(rng.choice(search_data.SYLLABLES) for _ in range(2)).title(),
            last_name="".join(rng.choice(search_data.SYLLABLES) for _ in range(3)).title(),
        )
        for _ in range(300)
    ]
    return api_token(users[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--breakdown", action="store_true", help="where /me/'s CPU goes")
    args = parser.parse_args()
    if args.floor:
        print(json.dumps(floors(args.requests)))
        return
    floor = floors_in_subprocess(args.requests)
    print("floors", floor, flush=True)

    url, admin, name = scratch_url(os.environ["DATABASE_URL"], "_bench_calls")
    recreate(admin, name)
    try:
        use_production_settings(
            DATABASE_URL=url,
            API_THROTTLE_TOKEN="100000000/minute",
            API_THROTTLE_USER="100000000/minute",
        )
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")
        from django.core.handlers.wsgi import WSGIHandler
        from django.core.management import call_command
        from django.db import connections

        from rainbow_portal.wsgi import application  # django.setup()

        call_command("migrate", verbosity=0)
        token = seed()
        handlers = {"short": application, "whole": WSGIHandler()}
        result = {"requests": args.requests}
        for target, path in PATHS.items():
            environ = environ_for(path, token)
            for app in handlers.values():
                for _ in range(50):  # warm: prepared statements, caches, imports
                    call(app, environ)
            for label, app in handlers.items():
                result[f"{target}_calls_{label}"] = count_calls(app, environ)
            cpu = dict.fromkeys(handlers, 0.0)
            for _ in range(args.requests // 100):
                for label, app in handlers.items():
                    start = time.process_time()
                    for _ in range(100):
                        call(app, environ)
                    cpu[label] += time.process_time() - start
            for label, spent in cpu.items():
                result[f"{target}_cpu_ms_{label}"] = round(spent * 1000 / args.requests, 3)
            print(target, {k: v for k, v in result.items() if k.startswith(target)}, flush=True)
        if args.breakdown:
            parts = breakdown(environ_for(PATHS["me"], token), args.requests)
            print("breakdown", parts, flush=True)
            result.update(parts)
        connections.close_all()
    finally:
        recreate(admin, name, drop_only=True)
    result.update(floor)
    for target in PATHS:
        for label in ("floor", "drf_floor"):
            cpu = result[f"{label}_cpu_ms"] / result[f"{target}_cpu_ms_short"]
            result[f"{target}_cpu_ratio_to_{label}"] = round(cpu, 3)
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
