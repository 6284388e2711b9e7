"""Python calls and CPU per API request, in-process (issue 15): `python bench/calls.py`.

Usage: DATABASE_URL=postgres://... REDIS_URL=redis://... python bench/calls.py [--requests 2000]

Counts the Python function calls one request makes through the portal's WSGI application
(rainbow_portal.handlers: API calls with a token take the short chain, D16c.1) and through
Django's own WSGIHandler (the whole middleware chain), for `/api/v1/me/` and a directory
search, with production settings. A call count does not move with the machine's load, unlike
requests per second: it is the deterministic half of bench/http.py's figures. CPU time per
request (`time.process_time`, the two handlers interleaved) is printed beside it.

Works in a scratch database next to DATABASE_URL's (`<name>_bench_calls`: created, migrated,
a few hundred users, dropped at the end). Prints, last, one JSON line.
"""

import argparse
import json
import os
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
    args = parser.parse_args()

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
        connections.close_all()
    finally:
        recreate(admin, name, drop_only=True)
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
