"""Directory search at scale (issue 4): `python bench/search.py --users N`.

Uses the (migrated) PostgreSQL database of DATABASE_URL. Seeds N users in 20,000 companies
(every visibility mode, organizations, overrides, grants, contacts, a China share) with COPY,
times directory searches through the project's own code (`directory_search`) for a sample of
viewers of every mode and queries of every kind (2-, 3-, 5-letter prefixes, full names), at
pages 1, 10 and 50, each search timed on its first run (cold) and its second (warm), against
the same search as one hand-written statement (the floor), comparing every answer with the
floor's; removes what it seeded, and prints one JSON object as its last line (issue 9).
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")

import django
import psycopg

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from search_data import cleanup, log, sample_searches, seed  # noqa: E402

from companies.visibility.search import directory_search  # noqa: E402

FLOOR_SQL = """
SELECT u.id, u.first_name, u.last_name, u.title, u.company_id, co.name, co.slug
FROM (
  SELECT uid, min(k) AS k FROM (
    (SELECT id, name_key COLLATE "C" FROM accounts_user
      WHERE company_id = %(co)s AND id <> %(v)s
      AND visibility_verified
      AND name_key COLLATE "C" >= %(lo)s AND name_key COLLATE "C" < %(hi)s
      ORDER BY 2, 1 LIMIT 21)
    UNION ALL
    (SELECT id, last_key COLLATE "C" FROM accounts_user
      WHERE company_id = %(co)s AND id <> %(v)s
      AND visibility_verified
      AND last_key COLLATE "C" >= %(lo)s AND last_key COLLATE "C" < %(hi)s
      ORDER BY 2, 1 LIMIT 21)
    UNION ALL
    (SELECT u.id, u.name_key COLLATE "C" FROM accounts_contact c
      JOIN accounts_user u ON u.id = c.contact_id
      WHERE c.owner_id = %(v)s AND u.visibility_china = %(ch)s AND u.id <> %(v)s
      AND u.visibility_verified
      AND u.name_key COLLATE "C" >= %(lo)s AND u.name_key COLLATE "C" < %(hi)s
      ORDER BY 2, 1 LIMIT 21)
    UNION ALL
    (SELECT u.id, u.last_key COLLATE "C" FROM accounts_contact c
      JOIN accounts_user u ON u.id = c.contact_id
      WHERE c.owner_id = %(v)s AND u.visibility_china = %(ch)s AND u.id <> %(v)s
      AND u.visibility_verified
      AND u.last_key COLLATE "C" >= %(lo)s AND u.last_key COLLATE "C" < %(hi)s
      ORDER BY 2, 1 LIMIT 21)
    UNION ALL
    (SELECT id, name_key COLLATE "C" FROM accounts_user
      WHERE company_id IN (SELECT company_id FROM companies_visibilitygrant
        WHERE visible_by_id = %(co)s) AND visibility_china = %(ch)s AND id <> %(v)s
      AND visibility_verified
      AND name_key COLLATE "C" >= %(lo)s AND name_key COLLATE "C" < %(hi)s
      ORDER BY 2, 1 LIMIT 21)
    UNION ALL
    (SELECT id, last_key COLLATE "C" FROM accounts_user
      WHERE company_id IN (SELECT company_id FROM companies_visibilitygrant
        WHERE visible_by_id = %(co)s) AND visibility_china = %(ch)s AND id <> %(v)s
      AND visibility_verified
      AND last_key COLLATE "C" >= %(lo)s AND last_key COLLATE "C" < %(hi)s
      ORDER BY 2, 1 LIMIT 21)
    UNION ALL
    (SELECT id, name_key COLLATE "C" FROM accounts_user
      WHERE visibility_org_id = %(org)s
      AND visibility_mode <> 'private' AND visibility_china = %(ch)s AND id <> %(v)s
      AND visibility_verified
      AND name_key COLLATE "C" >= %(lo)s AND name_key COLLATE "C" < %(hi)s
      ORDER BY 2, 1 LIMIT 21)
    UNION ALL
    (SELECT id, last_key COLLATE "C" FROM accounts_user
      WHERE visibility_org_id = %(org)s
      AND visibility_mode <> 'private' AND visibility_china = %(ch)s AND id <> %(v)s
      AND visibility_verified
      AND last_key COLLATE "C" >= %(lo)s AND last_key COLLATE "C" < %(hi)s
      ORDER BY 2, 1 LIMIT 21)
    UNION ALL
    (SELECT id, name_key COLLATE "C" FROM accounts_user
      WHERE visibility_mode = 'public' AND visibility_china = %(ch)s AND id <> %(v)s
      AND visibility_verified
      AND name_key COLLATE "C" >= %(lo)s AND name_key COLLATE "C" < %(hi)s
      ORDER BY 2, 1 LIMIT 21)
    UNION ALL
    (SELECT id, last_key COLLATE "C" FROM accounts_user
      WHERE visibility_mode = 'public' AND visibility_china = %(ch)s AND id <> %(v)s
      AND visibility_verified
      AND last_key COLLATE "C" >= %(lo)s AND last_key COLLATE "C" < %(hi)s
      ORDER BY 2, 1 LIMIT 21)
  ) hits (uid, k) GROUP BY uid ORDER BY k, uid LIMIT 21
) h JOIN accounts_user u ON u.id = h.uid JOIN companies_company co ON co.id = u.company_id
ORDER BY h.k, h.uid
"""


def floor_sql(*, org: bool, public: bool, offset: int = 0) -> str:
    """The floor's text for one viewer shape and page: the organization and public branches
    only for viewers they apply to, each branch reading the first offset + 21 rows, as a
    hand-written implementation would."""
    head, rest = FLOOR_SQL.split("(\n", 1)
    body, tail = rest.split("\n  ) hits", 1)
    parts = body.split("\n    UNION ALL\n")
    chosen = parts[:6] + (parts[6:8] if org else []) + (parts[8:10] if public else [])
    body = "\n    UNION ALL\n".join(chosen).replace("LIMIT 21)", f"LIMIT {offset + 21})")
    tail = tail.replace("LIMIT 21\n)", f"LIMIT 21 OFFSET {offset}\n)")
    return head + "(\n" + body + "\n  ) hits" + tail


def floor_search(pg, viewer, query, page=1):
    """The floor: a plain psycopg cursor (server-side binding; Django's connection defaults
    to client-side binding cursors, which cannot prepare), prepared once per statement."""
    lo, hi = query, query[:-1] + chr(ord(query[-1]) + 1)
    pg.execute(
        floor_sql(
            org=viewer.visibility_org_id is not None,
            public=viewer.visibility_mode not in ("closed", "isolated"),
            offset=(page - 1) * 20,
        ),
        {
            "co": viewer.company_id,
            "v": viewer.pk,
            "ch": viewer.visibility_china,
            "org": viewer.visibility_org_id,
            "lo": lo,
            "hi": hi,
        },
        prepare=True,
    )
    return pg.fetchall()


PAGES = (1, 10, 50)


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200_000)
    parser.add_argument("--viewers-per-mode", type=int, default=40)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument(
        "--keep", action="store_true", help="Leave the seeded rows (to study plans); rerun removes"
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench/search.py needs PostgreSQL: set DATABASE_URL.")
    rng = random.Random(args.seed)
    cleanup()  # a previous run that was killed may have left rows behind
    try:
        seed(args.users, rng)
        searches = sample_searches(rng, args.viewers_per_mode)
        log(f"{len(searches)} searches")
        # Django turns psycopg's prepared statements off (prepare_threshold=None); the floor
        # turns them on for its own cursor only.
        connection.connection.prepare_threshold = 0
        pg = psycopg.Cursor(connection.connection)
        with CaptureQueriesContext(connection) as ctx:
            for viewer, query in searches[:50]:
                directory_search(viewer=viewer, query=query, page=10)
        queries_per_search = len(ctx.captured_queries) / 50
        # Every search at pages 1, 10 and 50, timed twice: "cold" is its first run (this
        # viewer and text never searched before; the statement's shape may be new to the
        # connection, the rows not yet read), "warm" the second. Ours and the floor
        # alternate which goes first, so that neither always inherits a warmer cache.
        # Every answer of ours is compared with the floor's: it is only a floor if right.
        timed = [(viewer, query, page) for viewer, query in searches[50:] for page in PAGES]
        rng.shuffle(timed)
        timings = {(phase, page): [] for phase in ("cold", "warm") for page in PAGES}
        floor = {(phase, page): [] for phase in ("cold", "warm") for page in PAGES}
        by_kind = {}
        empty = 0
        for phase in ("cold", "warm"):
            for i, (viewer, query, page) in enumerate(timed):
                got = {}
                for which in ("ours", "floor") if i % 2 else ("floor", "ours"):
                    t = time.perf_counter()
                    if which == "ours":
                        got[which] = [
                            h.id
                            for h in directory_search(viewer=viewer, query=query, page=page).hits
                        ]
                    else:
                        got[which] = [row[0] for row in floor_search(pg, viewer, query, page)][:20]
                    ms = (time.perf_counter() - t) * 1000
                    (timings if which == "ours" else floor)[phase, page].append(ms)
                if got["ours"] != got["floor"]:
                    log(f"MISMATCH viewer {viewer.pk} {query!r} page {page}: {got}")
                    sys.exit(1)
                if phase == "warm":
                    empty += not got["ours"]
                    kind = "full" if " " in query else f"{len(query)}-letter"
                    by_kind.setdefault(f"{kind} page {page}", []).append(ms)
        pg.close()
        log(f"{len(timed)} searches × 2 runs compared with the floor; {empty} empty pages")
        for kind, values in sorted(by_kind.items()):
            p50, p95 = statistics.median(values), pct(values, 95)
            log(f"  {kind:>20}: p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    finally:
        if not args.keep:
            cleanup()
    result = {"users": args.users, "searches": len(timed), "queries_per_search": queries_per_search}
    for phase, page in timings:
        ours, theirs = timings[phase, page], floor[phase, page]
        result[f"{phase}_p{page}"] = {
            "p50_ms": round(statistics.median(ours), 2),
            "p95_ms": round(pct(ours, 95), 2),
            "p99_ms": round(pct(ours, 99), 2),
            "floor_p95_ms": round(pct(theirs, 95), 2),
            "ratio": round(pct(ours, 95) / pct(theirs, 95), 2),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
