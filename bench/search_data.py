"""The directory benchmarks' data (issues 4, 15): N users in 20,000 companies, every
visibility mode, organizations, overrides, grants, contacts and a China share, written with
COPY. bench/search.py seeds them in a schema of its own; bench/http.py in the scratch
database's own tables. Import after django.setup() (bench/search.py does it on import)."""

import sys
import time

from django.db import connection

from accounts.models import User

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


def seed(n_users: int, rng, *, own_schema: bool = True) -> dict:
    """Seeds in a schema of its own (create_schema), or with `own_schema=False` in the
    database's own tables, which must then be empty of other rows' names (bench/http.py's
    scratch database): a web server reads those with no search_path of its own."""
    t0 = time.perf_counter()
    if own_schema:
        create_schema()
    else:
        fill_defaults(TABLES)
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
