"""Activity log figures (issue 12, SPEC §10.1, §10.3).

Usage: DATABASE_URL=postgres://... python bench/activity.py [--requests 2000] [--rows 2000000]
       [--no-partitions]     (the issue's size: --requests 0 --rows 10000000, ~13 min to fill)

Works in a scratch database next to DATABASE_URL's (`<name>_bench_activity`, created and
dropped).

1. Request-logging overhead: the same view (the API's JSON 404, the cheapest routed view)
   through two Django test clients, one whose middleware chain has the activity middleware
   and one without, requests interleaved one by one; median and mean difference per request.
   The record takes the production path: appended to this process's spool file (`--write
   spool`, the default: a temporary ACTIVITY_SPOOL_DIR, D16sp.1), or queued on Redis (`--write
   queue`: ACTIVITY_QUEUE_URL, default the Redis of CELERY_BROKER_URL or REDIS_URL, D15c.1),
   and drained after the timing; with `--write direct` (or `--direct`), inserted into the
   table on every request as before the queue. The result names the write used.
2. The 12-month purge: a log of `--rows` records spread evenly over 13 months (INSERT …
   SELECT generate_series), then `activity_purge` (batched deletes through the occurred_at
   index) removes the month older than twelve; rows per second, and the time extrapolated
   to a 10-million-row log (its oldest month: ~760,000 rows; measured when --rows is 10 M).
   For comparison (unless --no-partitions) the same log in a table partitioned by month,
   where the purge is DETACH + DROP of the old partition.
Last line: JSON.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")

from scratch_db import recreate, scratch_url  # noqa: E402


def overhead(requests: int) -> dict:
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings

    on = Client(HTTP_HOST="localhost")
    on.get("/api/v1/bench-nothing/")
    without = [
        m for m in settings.MIDDLEWARE if m != "activity.middleware.RequestActivityMiddleware"
    ]
    with override_settings(MIDDLEWARE=without):
        off = Client(HTTP_HOST="localhost")
        off.get("/api/v1/bench-nothing/")
    on_times, off_times = [], []
    for _ in range(requests):
        for client, times in ((on, on_times), (off, off_times)):
            t = time.perf_counter()
            response = client.get("/api/v1/bench-nothing/")
            times.append(time.perf_counter() - t)
            assert response.status_code == 404
    drained = 0
    if settings.ACTIVITY_SPOOL_DIR or settings.ACTIVITY_QUEUE_URL:
        from activity import spool_services as spool
        from activity.queue_services import activity_drain_all

        spool._writer.close()  # the open file to the drain, as at a worker's exit
        t = time.perf_counter()
        drained = activity_drain_all()
        drain_ms = (time.perf_counter() - t) * 1000
    write = "direct"
    if settings.ACTIVITY_SPOOL_DIR:
        write = "spool"
    elif settings.ACTIVITY_QUEUE_URL:
        write = "queue"
    return {
        "requests_each": requests,
        "write": write,
        "load_average_1m": round(os.getloadavg()[0], 1),
        "drained": drained,
        "drain_ms_per_record": round(drain_ms / drained, 3) if drained else None,
        "median_on_ms": round(statistics.median(on_times) * 1000, 3),
        "median_off_ms": round(statistics.median(off_times) * 1000, 3),
        "overhead_median_ms": round(
            (statistics.median(on_times) - statistics.median(off_times)) * 1000, 3
        ),
        "overhead_mean_ms": round(
            (statistics.mean(on_times) - statistics.mean(off_times)) * 1000, 3
        ),
    }


def fill(table: str, rows: int, now) -> None:
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            f"INSERT INTO {table} (occurred_at, kind, event, method, route, status_code, "
            "duration_ms, actor_pseudonym, ip_encrypted, ip_binding, company_id, region, "
            "target_type, target_ref, data) "
            "SELECT %s - (g * (395.0 / %s)) * interval '1 day', 'request', "
            "'request', 'GET', 'core:dashboard', 200, 3, md5(g::text), "
            "'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefgh', md5((-g)::text), g %% 500, "
            "'EMEA', '', '', '{}' "
            "FROM generate_series(1, %s) g",
            [now, rows, rows],
        )
        c.execute(f"ANALYZE {table}")


def purge(rows: int, partitions: bool = True) -> dict:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from activity.models import ActivityRecord
    from retention.services.activity_ops import activity_purge

    now = timezone.now()
    table = ActivityRecord._meta.db_table
    t = time.monotonic()
    fill(table, rows, now)
    filled = time.monotonic() - t
    old = ActivityRecord.objects.filter(occurred_at__lt=now - timedelta(days=365)).count()
    load_before = os.getloadavg()[0]
    t = time.monotonic()
    deleted = activity_purge(now=now)
    seconds = time.monotonic() - t
    load_after = os.getloadavg()[0]
    assert deleted == old, (deleted, old)
    per_s = deleted / seconds
    ten_million_old = round(10_000_000 * 30 / 395)

    result = {
        "rows": rows,
        "fill_seconds": round(filled, 1),
        "deleted": deleted,
        "delete_seconds": round(seconds, 2),
        "deleted_per_s": round(per_s),
        "load_average_1m": [round(load_before, 1), round(load_after, 1)],
        "extrapolated_10m_log_old_rows": ten_million_old,
        "extrapolated_10m_seconds": round(ten_million_old / per_s, 1),
    }
    if not partitions:
        return result

    # The alternative: monthly partitions (range on occurred_at), purge = detach + drop.
    with connection.cursor() as c:
        c.execute(
            "CREATE TABLE bench_part (LIKE activity_activityrecord"
            " INCLUDING DEFAULTS INCLUDING IDENTITY) "
            "PARTITION BY RANGE (occurred_at)"
        )
        start = (now - timedelta(days=400)).replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        bounds = []
        cursor = start
        while cursor < now + timedelta(days=32):
            nxt = (cursor + timedelta(days=32)).replace(day=1)
            bounds.append((cursor, nxt))
            cursor = nxt
        for i, (a, b) in enumerate(bounds):
            c.execute(
                f"CREATE TABLE bench_part_{i} PARTITION OF bench_part FOR VALUES FROM (%s) TO (%s)",
                [a, b],
            )
        c.execute("CREATE INDEX ON bench_part (occurred_at)")
    fill("bench_part", rows, now)
    cutoff = now - timedelta(days=365)
    t = time.monotonic()
    dropped = 0
    with connection.cursor() as c:
        for i, (_a, b) in enumerate(bounds):
            if b <= cutoff:  # whole partitions only: a partial month waits for next month
                c.execute(f"ALTER TABLE bench_part DETACH PARTITION bench_part_{i}")
                c.execute(f"DROP TABLE bench_part_{i}")
                dropped += 1
    part_seconds = time.monotonic() - t
    return {
        **result,
        "partitions_dropped": dropped,
        "partition_drop_seconds": round(part_seconds, 3),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument(
        "--write",
        choices=["spool", "queue", "direct"],
        default="spool",
        help="the request record's write (default: the spool, production's default)",
    )
    parser.add_argument("--direct", action="store_true", help="= --write direct")
    parser.add_argument(
        "--no-partitions",
        action="store_true",
        help="skip the partitioned comparison (halves a 10-million-row run)",
    )
    args = parser.parse_args()
    queue = os.environ.get("CELERY_BROKER_URL", "")
    if not queue.startswith("redis"):
        queue = os.environ.get("REDIS_URL", "")
    write = "direct" if args.direct else args.write
    os.environ["ACTIVITY_QUEUE_URL"] = (
        os.environ.get("ACTIVITY_QUEUE_URL", queue or "off") if write == "queue" else "off"
    )
    os.environ.setdefault("ACTIVITY_QUEUE_KEY", "rainbow:bench-activity:queue")
    spool_dir = tempfile.mkdtemp(prefix="bench-activity-spool-")
    os.environ["ACTIVITY_SPOOL_DIR"] = spool_dir if write == "spool" else "off"
    url, admin, name = scratch_url(os.environ["DATABASE_URL"], "_bench_activity")
    recreate(admin, name)
    os.environ["DATABASE_URL"] = url
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        result = {"middleware": overhead(args.requests)} if args.requests else {}
        print(result, flush=True)
        result["purge"] = purge(args.rows, partitions=not args.no_partitions)
        connection.close()
    finally:
        recreate(admin, name, drop_only=True)
        shutil.rmtree(spool_dir, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
