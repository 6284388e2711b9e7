"""Time the T+30 anonymization of N closed accounts with one worker and with two (issue 12).

Usage: DATABASE_URL=postgres://... python bench/retention.py [--accounts 100000] [--batch 500]

Works in a scratch database next to DATABASE_URL's (`<name>_bench`, created, migrated and
dropped), so nothing of the developer's data is touched. Each account (half standalone, half
in one company) is closed and due, and is in `--bubbles` bubbles with one message in each;
one in five has an uploaded file row (load, written with bulk_create: not behaviour under
test). A "worker" is a process running exactly the Celery task's body
(`retention.services.step_work`, batches with SELECT … FOR UPDATE SKIP LOCKED); the run with
two workers uses a fresh seed of the same size. The last line printed is JSON:
{"accounts", "one_worker": {"seconds", "accounts_per_s", "load_average_1m" (before, after),
"cpu_seconds" {"python", "postgres"}, "cpu_ms_per_account"}, "two_workers": {...}, "speedup"}.
On a shared machine the wall-clock figures measure the machine; the CPU figures (the worker's
own, and its PostgreSQL backend's read from /proc when the database runs on this machine)
measure the work.
"""

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")

from scratch_db import recreate, scratch_url  # noqa: E402


def setup_django():
    import django

    django.setup()


def seed(n: int, bubbles_per_account: int, now) -> None:
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import User
    from bubbles.models import Bubble, BubbleFile, BubbleMember, Message
    from companies.models import Company
    from companies.selectors import default_company
    from retention.models import AccountClosure

    closed = now - timedelta(days=31)
    password = make_password(None)
    with transaction.atomic():
        company = Company.objects.create(name=f"Bench {now:%H%M%S%f}", slug=f"bench-{now:%H%M%S%f}")
        rainbow = default_company()
        organizer = User.objects.create(email=f"org-{now:%H%M%S%f}@bench.test", company=company)
        users = User.objects.bulk_create(
            [
                User(
                    email=f"a{i}-{now:%H%M%S%f}@bench.test",
                    first_name=f"First{i}",
                    last_name=f"Last{i}",
                    title="Bench",
                    company=rainbow if i % 2 else company,
                    password=password,
                    is_active=False,
                )
                for i in range(n)
            ],
            batch_size=5000,
        )
        rooms = Bubble.objects.bulk_create(
            [
                Bubble(company=company, name=f"Room {j}", created_by=organizer)
                for j in range(max(1, n // 20))
            ],
            batch_size=5000,
        )
        BubbleMember.objects.bulk_create(
            [
                BubbleMember(bubble=r, user=organizer, role="organizer", status="accepted")
                for r in rooms
            ],
            batch_size=5000,
        )
        members = BubbleMember.objects.bulk_create(
            [
                BubbleMember(bubble=rooms[(i * 7 + k) % len(rooms)], user=u, status="accepted")
                for i, u in enumerate(users)
                for k in range(bubbles_per_account)
            ],
            batch_size=5000,
        )
        messages = Message.objects.bulk_create(
            [Message(bubble_id=m.bubble_id, author=m, body_sealed=os.urandom(48)) for m in members],
            batch_size=5000,
        )
        BubbleFile.objects.bulk_create(
            [
                BubbleFile(
                    bubble_id=m.bubble_id,
                    message=msg,
                    uploader=m,
                    storage_name=f"bench/{msg.pk.hex}",
                    sha256="0" * 64,
                    display_name="notes.txt",
                    size=10,
                    content_type="text/plain",
                )
                for idx, (m, msg) in enumerate(zip(members, messages, strict=True))
                if idx % (5 * bubbles_per_account) == 0
            ],
            batch_size=5000,
        )
        AccountClosure.objects.bulk_create(
            [
                AccountClosure(
                    user=u,
                    user_ref=u.pk,
                    company_id=u.company_id,
                    standalone=u.company_id == rainbow.pk,
                    closed_at=closed,
                    anonymize_due_at=closed + timedelta(days=30),
                    delete_due_at=closed + timedelta(days=60),
                    closed_by_kind="command",
                )
                for u in users
            ],
            batch_size=5000,
        )
    # A production database has statistics on these tables (autovacuum analyzes them); just
    # after a bulk load it has none, and the planner guessed one membership for a batch of
    # a thousand accounts, joining them to the bubbles by a nested loop over every bubble
    # (auto_explain: 123 ms for that one SELECT at 20,000 accounts). Left to autovacuum,
    # the analyze ran at some moment of the timed run, which moved its time by ±10 s.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def worker(now_iso: str, batch: int, queue) -> None:
    setup_django()
    from datetime import datetime

    from django.conf import settings

    from retention.services import step_work

    settings.RETENTION_BATCH_SIZE = batch
    backend = backend_pid()
    cpu, db_cpu = time.process_time(), process_cpu(backend)
    done = step_work(step="anonymize", now=datetime.fromisoformat(now_iso))
    queue.put((done, time.process_time() - cpu, process_cpu(backend) - db_cpu))


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as c:
        c.execute("SELECT pg_backend_pid()")
        return c.fetchone()[0]


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process on this machine, from /proc: the worker's
    PostgreSQL backend, when the database runs here (0.0 when it does not)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed_run(workers: int, now, batch: int) -> tuple[float, int, float, float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(now.isoformat(), batch, queue)) for _ in range(workers)
    ]
    started = time.monotonic()
    for p in procs:
        p.start()
    answers = [queue.get() for _ in procs]
    seconds = time.monotonic() - started
    for p in procs:
        p.join()
    return (
        seconds,
        sum(a[0] for a in answers),
        sum(a[1] for a in answers),
        sum(a[2] for a in answers),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--bubbles", type=int, default=2, help="bubbles per account")
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()

    url, admin, name = scratch_url(os.environ["DATABASE_URL"])
    recreate(admin, name)
    os.environ["DATABASE_URL"] = url
    os.environ["RETENTION_ACCOUNT_PAUSE_MS"] = "0"
    try:
        setup_django()
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from retention.models import AccountClosure

        call_command("migrate", verbosity=0)
        result = {"accounts": args.accounts, "bubbles_per_account": args.bubbles}
        for label, workers in (("one_worker", 1), ("two_workers", 2)):
            now = timezone.now()
            t = time.monotonic()
            seed(args.accounts, args.bubbles, now)
            seeded = time.monotonic() - t
            connection.close()  # a spawned worker must not share this connection
            load = os.getloadavg()[0]
            seconds, done, python_cpu, db_cpu = timed_run(workers, now, args.batch)
            assert done == args.accounts, (done, args.accounts)
            assert not AccountClosure.objects.filter(stage="closed").exists()
            AccountClosure.objects.all().delete()
            result[label] = {
                "seconds": round(seconds, 2),
                "accounts_per_s": round(done / seconds, 1),
                "seed_seconds": round(seeded, 1),
                "load_average_1m": [round(load, 1), round(os.getloadavg()[0], 1)],
                # CPU the work itself consumed (the workers and their PostgreSQL backends),
                # whatever else the machine runs: what a quiet machine would need.
                "cpu_seconds": {"python": round(python_cpu, 1), "postgres": round(db_cpu, 1)},
                "cpu_ms_per_account": round((python_cpu + db_cpu) * 1000 / done, 3),
            }
            print(label, result[label], flush=True)
        result["speedup"] = round(
            result["one_worker"]["seconds"] / result["two_workers"]["seconds"], 2
        )
        result["cpus"] = os.cpu_count()
        connection.close()
    finally:
        recreate(admin, name, drop_only=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
