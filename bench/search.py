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

from accounts.models import User  # noqa: E402
from companies.visibility.search import directory_search  # noqa: E402

SCHEMA = "bench_search"
TABLES = [
    "companies_organization",
    "companies_company",
    "accounts_user",
    "accounts_contact",
    "companies_visibilitygrant",
]
TAG = "bench-search"
EMAIL_DOMAIN = "bench-search.invalid"
N_COMPANIES = 20_000
N_ORGS = 600
UNVERIFIED_SHARE = 0.02
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "ca",
    "ce",
    "co",
    "da",
    "de",
    "di",
    "do",
    "el",
    "en",
    "fa",
    "fe",
    "fi",
    "ga",
    "go",
    "ha",
    "he",
    "hi",
    "ja",
    "jo",
    "ka",
    "ke",
    "ki",
    "ko",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "ol",
    "pa",
    "pe",
    "pi",
    "po",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "wa",
    "ya",
    "yo",
    "za",
    "ze",
    "zi",
    "zo",
    "an",
    "ar",
    "er",
    "in",
    "is",
    "on",
    "or",
    "us",
]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def name(rng, parts):
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def company_rows(rng):
    """(name, slug, region, visibility, org index or None)."""
    rows = []
    for i in range(N_COMPANIES):
        org = i % N_ORGS if i < N_ORGS * 8 else None  # 8 companies per organization
        region = "China" if rng.random() < 0.05 else rng.choice(["EMEA", "NA", "APAC", "Germany"])
        if org is not None:
            mode = rng.choices(
                ["organization", "public", "private", "closed", "isolated"], [45, 20, 15, 10, 10]
            )[0]
        else:
            mode = rng.choices(["public", "private", "closed", "isolated"], [50, 25, 15, 10])[0]
        rows.append((f"{TAG} co {i}", f"{TAG}-co-{i}", region, mode, org))
    return rows


TYPE_DEFAULTS = {
    "boolean": "false",
    "text": "''",
    "character varying": "''",
    "integer": "0",
    "bigint": "0",
    "smallint": "0",
    "jsonb": "'{}'",
    "timestamp with time zone": "now()",
    "date": "now()",
}


def fill_defaults(tables: list[str], schema: str = "public") -> None:
    """Column defaults in `schema` for NOT NULL columns that seed()'s COPY does not list
    (columns added after it was written, with a Django-side default only).

    The model field's own default wins: a blanket `false` once made every seeded user
    unverified (`visibility_verified`), so every search walked its whole prefix and found
    nobody, and the search figures measured an empty directory."""
    from django.apps import apps
    from psycopg import sql

    fields = {
        (model._meta.db_table, field.column): field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
    }
    with connection.cursor() as cur:
        cur.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = %s AND table_name = ANY(%s) AND is_nullable = 'NO'"
            " AND column_default IS NULL AND is_generated = 'NEVER'"
            " AND column_name <> 'id'",
            [schema, tables],
        )
        for table, column, kind in cur.fetchall():
            field = fields.get((table, column))
            default = field.get_default() if field is not None and field.has_default() else None
            if isinstance(default, bool | int | str):
                value = sql.Literal(default)
            elif kind in TYPE_DEFAULTS:
                value = sql.SQL(TYPE_DEFAULTS[kind])
            else:
                continue
            cur.execute(
                sql.SQL("ALTER TABLE {}.{} ALTER COLUMN {} SET DEFAULT {}").format(
                    sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column), value
                )
            )


def create_schema():
    """The seeded rows live in a schema of their own, in tables made LIKE the real ones
    (columns, generated columns, defaults, indexes; no foreign keys), found first on the
    search path. The project's code runs unchanged against them, and removing them is one
    DROP SCHEMA instead of minutes of foreign-key checks over a million deleted rows."""
    with connection.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cur.execute(f"CREATE SCHEMA {SCHEMA}")
        for table in TABLES:
            cur.execute(f"CREATE TABLE {SCHEMA}.{table} (LIKE public.{table} INCLUDING ALL)")
    fill_defaults(TABLES, SCHEMA)
    with connection.cursor() as cur:
        cur.execute(f"SET search_path TO {SCHEMA}, public")


def seed(n_users: int, rng) -> dict:
    t0 = time.perf_counter()
    create_schema()
    raw = connection.connection
    with connection.cursor() as cur:
        for i in range(N_ORGS):
            cur.execute(
                "INSERT INTO companies_organization (name, created_at) VALUES (%s, now())",
                [f"{TAG} org {i}"],
            )
        cur.execute(
            "SELECT id FROM companies_organization WHERE name LIKE %s ORDER BY id", [f"{TAG} org %"]
        )
        org_ids = [r[0] for r in cur.fetchall()]
    companies = company_rows(rng)
    with (
        raw.cursor() as pg,
        pg.copy(
            "COPY companies_company (name, slug, kind, region, is_hds, visibility, status, "
            "is_default, created_at, organization_id, subscription_delegation) FROM STDIN"
        ) as copy,
    ):
        for nm, slug, region, mode, org in companies:
            copy.write_row(
                (
                    nm,
                    slug,
                    "end_customer",
                    region,
                    False,
                    mode,
                    "active",
                    False,
                    "now()",
                    org_ids[org] if org is not None else None,
                    "none",
                )
            )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id, visibility, organization_id, region = 'China' FROM companies_company"
            " WHERE slug LIKE %s ORDER BY id",
            [f"{TAG}-co-%"],
        )
        cos = cur.fetchall()
    allowed = {
        "public": ["private"],
        "private": ["public"],
        "closed": ["public", "private"],
        "isolated": ["public", "private"],
        "organization": ["public", "private"],
    }
    with (
        raw.cursor() as pg,
        pg.copy(
            "COPY accounts_user (password, is_superuser, email, first_name, last_name, title, "
            "is_active, is_staff, date_joined, company_id, visibility_override, visibility_mode, "
            "visibility_org_id, visibility_china, visibility_verified) FROM STDIN"
        ) as copy,
    ):
        for i in range(n_users):
            co_id, mode, org, china = cos[rng.randrange(len(cos))]
            override = rng.choice(allowed[mode]) if rng.random() < 0.05 else ""
            copy.write_row(
                (
                    "!",
                    False,
                    f"u{i}@{EMAIL_DOMAIN}",
                    name(rng, 2),
                    name(rng, 3),
                    "",
                    True,
                    False,
                    "now()",
                    co_id,
                    override,
                    override or mode,
                    org,
                    china,
                    # SPEC §7.1: an account not yet verified is found by nobody; a few are.
                    rng.random() >= UNVERIFIED_SHARE,
                )
            )
    with connection.cursor() as cur:
        cur.execute(
            "SELECT id FROM accounts_user WHERE email LIKE %s ORDER BY id", [f"%@{EMAIL_DOMAIN}"]
        )
        user_ids = [r[0] for r in cur.fetchall()]
    co_ids = [c[0] for c in cos]
    grants = set()
    while len(grants) < 2_000:
        a, b = rng.sample(co_ids, 2)
        grants.add((a, b))
    with (
        raw.cursor() as pg,
        pg.copy(
            "COPY companies_visibilitygrant (company_id, visible_by_id, created_at) FROM STDIN"
        ) as copy,
    ):
        for a, b in grants:
            copy.write_row((a, b, "now()"))
    pairs = set()
    while len(pairs) < n_users // 2:  # one contact per user on average
        a, b = rng.sample(user_ids, 2)
        pairs.add((min(a, b), max(a, b)))
    with (
        raw.cursor() as pg,
        pg.copy(
            "COPY accounts_contact (owner_id, contact_id, is_favorite, created_at) FROM STDIN"
        ) as copy,
    ):
        for a, b in pairs:
            copy.write_row((a, b, False, "now()"))
            copy.write_row((b, a, False, "now()"))
    with connection.cursor() as cur:
        for table in (
            "accounts_user",
            "companies_company",
            "accounts_contact",
            "companies_visibilitygrant",
        ):
            cur.execute(f"ANALYZE {table}")
    log(f"seeded {n_users} users in {time.perf_counter() - t0:.1f}s")
    return {"user_ids": user_ids}


def cleanup():
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET search_path TO public")
        cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    log(f"removed the seeded rows in {time.perf_counter() - t0:.1f}s")


def sample_searches(rng, n_viewers_per_mode: int):
    """[(viewer, query)]: viewers of every effective mode, queries of every kind."""
    viewers = []
    for mode in ("public", "private", "closed", "isolated", "organization"):
        ids = list(
            User.objects.filter(email__endswith=EMAIL_DOMAIN, visibility_mode=mode)
            .order_by("?")
            .values_list("id", flat=True)[:n_viewers_per_mode]
        )
        viewers += list(User.objects.filter(pk__in=ids))
    people = list(
        User.objects.filter(email__endswith=EMAIL_DOMAIN)
        .order_by("?")
        .values_list("first_name", "last_name")[:2000]
    )
    out = []
    for viewer in viewers:
        for kind in ("2", "3", "5", "full"):
            for _ in range(2):
                first, last = rng.choice(people)
                source = rng.choice([first, last])
                query = f"{first} {last}" if kind == "full" else source[: int(kind)]
                out.append((viewer, query.lower()))
    rng.shuffle(out)
    return out


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
