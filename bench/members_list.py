"""Members list of one company with 50,000 members (issue 3): time and query count of the
page and the API, first page, a search, a role filter and a deep page.

    DATABASE_URL=postgres://... .venv/bin/python bench/members_list.py [--members 50000]

Runs with production settings (DEBUG=0, passing `check --deploy`; keys generated if unset).

Seeds with bulk inserts (a benchmark fixture, not application code), prints figures, the
last line one JSON object, and removes what it seeded.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")
from production import use_production_settings

# Production settings (issue 9): DEBUG off, and what `check --deploy` asks for, from generated
# values unless the environment gives them (bench/production.py). Django's test clients call
# "testserver", over HTTPS (the proxy header production trusts), so that no request is a
# redirect.
use_production_settings()
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from accounts.models import User  # noqa: E402
from companies.models import Company, Role, RoleAssignment  # noqa: E402
from companies.services import company_create  # noqa: E402

NAME = "Bench Members Co"


def seed(n: int) -> tuple[Company, User]:
    company = company_create(name=NAME, region="EMEA", actor=None)
    password = User(email="x@x").password  # unusable; logins are forced
    batch = []
    for i in range(n):
        batch.append(
            User(
                email=f"member{i:06d}@bench-members.test",
                first_name=f"First{i % 997}",
                last_name=f"Last{i % 1009}",
                company=company,
                password=password or "!",
                is_active=i % 50 != 0,
            )
        )
        if len(batch) == 5000:
            User.objects.bulk_create(batch)
            batch = []
    User.objects.bulk_create(batch)
    admins = User.objects.filter(company=company, is_active=True).order_by("pk")[: max(1, n // 100)]
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=u, role=Role.COMPANY_ADMIN) for u in admins]
    )
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: fresh planner statistics.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE accounts_user; ANALYZE companies_roleassignment")
    return company, admins[0]


def measure(fn, runs=7):
    fn()  # warm
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            status = fn()
            times.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
        queries = len(ctx.captured_queries)
    return {"median_ms": round(statistics.median(times), 1), "queries": queries}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=50_000)
    args = parser.parse_args()
    assert not settings.DEBUG
    call_command("check", deploy=True, fail_level="WARNING")  # raises on any warning
    # Production serves hashed static files from a manifest, as a deployment would build it.
    call_command("collectstatic", interactive=False, verbosity=0)
    Company.objects.filter(name=NAME).exists() and cleanup()
    t0 = time.perf_counter()
    company, admin = seed(args.members)
    seeded_s = round(time.perf_counter() - t0, 1)
    try:
        page = Client(**HTTPS)
        page.force_login(admin)
        api = APIClient(**HTTPS)
        api.force_authenticate(admin)
        base = f"/companies/{company.slug}/members/"
        api_base = f"/api/v1/companies/{company.slug}/members/"
        cases = {
            "page_first": lambda: page.get(base).status_code,
            "page_search": lambda: page.get(base, {"q": "First42"}).status_code,
            "page_role_filter": lambda: page.get(base, {"role": "company_admin"}).status_code,
            "page_inactive": lambda: page.get(base, {"status": "inactive"}).status_code,
            "page_deep": lambda: page.get(base, {"page": 900}).status_code,
            "api_first": lambda: api.get(api_base).status_code,
            "api_search": lambda: api.get(api_base, {"q": "member04"}).status_code,
        }
        results = {name: measure(fn) for name, fn in cases.items()}
    finally:
        cleanup()
    print(
        f"load average: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores, DEBUG={settings.DEBUG}"
    )
    for name, figures in results.items():
        print(f"{name:<18} {figures['median_ms']:>8} ms  {figures['queries']} queries")
    print(
        json.dumps(
            {
                "bench": "members_list",
                "members": args.members,
                "vendor": connection.vendor,
                "seed_s": seeded_s,
                **results,
            }
        )
    )


def cleanup():
    company = Company.objects.filter(name=NAME).first()
    if company is None:
        return
    RoleAssignment.objects.filter(user__company=company).delete()
    User.objects.filter(company=company).delete()
    from activity.models import ActivityRecord

    ActivityRecord.objects.filter(company_id=company.pk).delete()
    company.delete()


if __name__ == "__main__":
    main()
