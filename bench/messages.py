"""The message page of a bubble with 100,000 messages (issue 11): p95 time and query count of
the bubble page (first page and a deep keyset page) and of the API's list, compared with the
same pages of a bubble with 100 messages. Target: p95 ≤ 30 ms, same query count at both sizes.

    DATABASE_URL=postgres://... .venv/bin/python bench/messages.py [--messages 100000] [--runs 200]

Seeds with bulk inserts (a benchmark fixture, not application code: bodies are sealed by the
vault exactly as the service does, then inserted in batches), prints figures, the last line
one JSON object, and removes what it seeded.
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from production import use_production_settings

# What users get: production settings (DEBUG off, cached templates, hashed static files).
use_production_settings()
# Django's clients call "testserver" over plain HTTP: the proxy header production trusts
# makes them HTTPS, so that no request is a redirect.
HTTPS = {"HTTP_X_FORWARDED_PROTO": "https"}

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from activity.models import ActivityRecord  # noqa: E402
from bubbles import selectors, services  # noqa: E402
from bubbles.models import Bubble, BubbleMember, Message  # noqa: E402
from bubbles.sealing import seal_body  # noqa: E402
from companies.services import company_create, user_create  # noqa: E402
from vault.models import CompanyKey  # noqa: E402

NAME = "Bench Messages Co"


def seed(company, owner, n: int, label: str) -> Bubble:
    bubble = services.bubble_create(name=f"{label} ({n})", actor=owner)
    author = BubbleMember.objects.get(bubble=bubble, user=owner)
    start = timezone.now() - timedelta(days=60)
    batch = []
    for i in range(n):
        message = Message(
            id=uuid.uuid4(), bubble=bubble, author=author, created_at=start + timedelta(seconds=i)
        )
        message.body_sealed = seal_body(message=message, body=f"Message number {i} of the bench.")
        batch.append(message)
        if len(batch) == 5000:
            Message.objects.bulk_create(batch)
            batch = []
    Message.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE bubbles_message")
    return bubble


def measure(fn, runs: int) -> dict:
    for _ in range(5):
        fn()  # warm
    # Queries counted on a request of their own: capturing them (a debug cursor that logs each
    # query) is the bench's cost, not the page's.
    with CaptureQueriesContext(connection) as ctx:
        assert fn() == 200
    queries = len(ctx.captured_queries)
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        status = fn()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert status == 200, status
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        # This process's CPU per request (Python, template, driver; not PostgreSQL's): what
        # the page itself costs, much less moved by the other loads on the machine than time.
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "queries": queries,
    }


def pages(bubble, owner, runs: int) -> dict:
    client = Client(**HTTPS)
    client.force_login(owner)
    api = APIClient(**HTTPS)
    api.force_authenticate(owner)
    url = reverse("bubbles:detail", args=[bubble.pk])
    api_url = reverse("api:bubble-messages", args=[bubble.pk])
    # A cursor in the middle of the conversation: a deep page costs what the first one does.
    count = bubble.messages.count()
    middle = bubble.messages.order_by("-created_at", "-id")[count // 2]
    cursor = selectors.encode_cursor(middle)
    return {
        "page_first": measure(lambda: client.get(url).status_code, runs),
        "page_deep": measure(lambda: client.get(url, {"before": cursor}).status_code, runs),
        "api_first": measure(lambda: api.get(api_url).status_code, runs),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    assert not settings.DEBUG
    call_command("check", deploy=True, fail_level="WARNING")  # raises on any warning
    # Production serves hashed static files from a manifest, as a deployment would build it.
    call_command("collectstatic", interactive=False, verbosity=0)
    company = company_create(name=NAME, region="EMEA", actor=None)
    owner = user_create(email="owner@bench-messages.test", company=company, actor=None)
    load_before = os.getloadavg()
    try:
        t0 = time.perf_counter()
        small = seed(company, owner, 100, "small")
        large = seed(company, owner, args.messages, "large")
        seeded_s = round(time.perf_counter() - t0, 1)
        result = {"messages": args.messages, "runs": args.runs, "seed_s": seeded_s}
        result["small"] = pages(small, owner, args.runs)
        result["large"] = pages(large, owner, args.runs)
        result["same_queries"] = all(
            result["small"][k]["queries"] == result["large"][k]["queries"] for k in result["small"]
        )
        result["p95_max_ms"] = max(v["p95_ms"] for v in result["large"].values())
        # Under load the absolute figures move with the machine: the page against the API's
        # list of the same messages, measured in the same run, moves much less.
        result["page_over_api_p95"] = round(
            max(result["large"]["page_first"]["p95_ms"], result["large"]["page_deep"]["p95_ms"])
            / result["large"]["api_first"]["p95_ms"],
            2,
        )
        result["load_average"] = {
            "before": round(load_before[0], 1),
            "after": round(os.getloadavg()[0], 1),
        }
        for size in ("small", "large"):
            for key, value in result[size].items():
                print(
                    f"{size:5} {key:10} p50 {value['p50_ms']:6} ms  p95 {value['p95_ms']:6} ms"
                    f"  cpu {value['cpu_p50_ms']:6} ms  queries {value['queries']}"
                )
        print(json.dumps(result))
    finally:
        Message.objects.filter(bubble__company=company).delete()
        BubbleMember.objects.filter(bubble__company=company).delete()
        ActivityRecord.objects.filter(company_id=company.pk).delete()
        Bubble.objects.filter(company=company).delete()
        CompanyKey.objects.filter(company=company).delete()
        owner.delete()
        company.delete()


if __name__ == "__main__":
    main()
