"""The SQL face of SPEC §4: the directory search as one statement.

One UNION ALL branch per way of being found (SPEC §4.2–4.5): same company, contacts, grants,
same organization, public. Each branch reads the visibility copies on the user row
(`inputs.py`) and, on PostgreSQL, walks an index already in result order, taking only the
rows the requested page can need. A person found by several branches, or by both the
"first last" and the last-name key, is kept once, under their smallest matching key.

Pages are cut only from rows the viewer may find, and no total is computed, so neither
counts nor pagination can reveal a hidden user.
"""

import functools
from dataclasses import dataclass

from django.db import connection

from core.prepared import execute_prepared
from rainbow_portal.replicas import read_connection, replica_read

from .rules import SEARCH_ONLY_INSIDE

PAGE_SIZE = 20
MAX_PAGE = 50
MIN_QUERY = 2
MAX_QUERY = 100


class QueryError(ValueError):
    """A search the portal refuses, with a message for the user."""


@dataclass(frozen=True)
class Search:
    kind: str  # "all", "prefix" or "email"
    text: str = ""


def parse_query(raw: str | None) -> Search:
    """Turn user input into a search, or raise QueryError with a clear message."""
    raw = str(raw or "")
    # Checked on the input as given, as the API schema states it (issue 10).
    if len(raw) > MAX_QUERY:
        raise QueryError(f"Search for at most {MAX_QUERY} characters.")
    if any(ord(ch) < 32 or 127 <= ord(ch) <= 159 for ch in raw):
        # NUL cannot even reach PostgreSQL; no name or address holds control characters.
        raise QueryError("The search contains characters that no name or address holds.")
    text = " ".join(raw.split()).lower()
    if "@" in text:
        if " " in text or text.count("@") != 1 or text.startswith("@") or text.endswith("@"):
            raise QueryError("To search by email, type one complete address.")
        return Search("email", text)
    if len(text) < MIN_QUERY:
        raise QueryError(f"Type at least {MIN_QUERY} characters of a name.")
    return Search("prefix", text)


def prefix_range(text: str) -> tuple[str, str]:
    """[low, high) holding exactly the strings that start with `text`, in byte order (which
    UTF-8 shares with code-point order). A range, unlike LIKE, has no wildcards to escape
    and lets a prepared statement's generic plan walk the index."""
    last = ord(text[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates are not characters: skip to the next one
        last = 0xE000
    if last > 0x10FFFF:
        return text, text + "\U0010ffff"
    return text, text[:-1] + chr(last)


def _key(column: str, vendor: str) -> str:
    # PostgreSQL: byte order, so that the prefix range and ORDER BY use the same btree index
    # (migration accounts.0004); SQLite compares bytes already.
    if vendor == "postgresql":
        return f'u.{column} COLLATE "C"'
    return f"u.{column}"


# SPEC §2.2: the default company is not a circle, so "same company" never holds for a
# standalone viewer. Uncorrelated: PostgreSQL evaluates it once per statement (a one-time
# filter), and the index walk is unchanged.
SAME_COMPANY = (
    "(u.company_id = %(company)s AND NOT EXISTS (SELECT 1 FROM companies_company d"
    " WHERE d.id = %(company)s AND d.is_default))"
)


def _branches(*, has_org: bool, searches_public: bool) -> list[tuple[str, str]]:
    """(join, condition) for each way the viewer may find someone (SPEC §4.2–4.5)."""
    out = [
        ("", SAME_COMPANY),
        (
            "JOIN accounts_contact c ON c.contact_id = u.id AND c.owner_id = %(viewer)s",
            "u.visibility_china = %(china)s",
        ),
        (
            "",
            "u.company_id IN (SELECT g.company_id FROM companies_visibilitygrant g"
            " WHERE g.visible_by_id = %(company)s) AND u.visibility_china = %(china)s",
        ),
    ]
    if has_org:
        out.append(
            (
                "",
                "u.visibility_org_id = %(org)s AND u.visibility_mode <> 'private'"
                " AND u.visibility_china = %(china)s",
            )
        )
    if searches_public:
        out.append(("", "u.visibility_mode = 'public' AND u.visibility_china = %(china)s"))
    return out


def build_sql(
    viewer, search: Search, *, limit: int | None, offset: int = 0, company_id: int | None = None
):
    """The statement and its parameters. `limit=None` returns every row (the matrix, tests);
    `company_id` keeps only that company's members (the company page)."""
    params = {
        "viewer": viewer.pk,
        "company": viewer.company_id,
        "org": viewer.visibility_org_id,
        "china": viewer.visibility_china,
        "mode": viewer.visibility_mode,
    }
    if search.kind == "prefix":
        params["low"], params["high"] = prefix_range(search.text)
    elif search.kind == "email":
        params["email"] = search.text
    if company_id is not None:
        params["within"] = company_id
    sql = _statement(
        vendor=connection.vendor,
        has_org=viewer.visibility_org_id is not None,
        searches_public=viewer.visibility_mode not in SEARCH_ONLY_INSIDE,
        kind=search.kind,
        limit=limit,
        offset=offset,
        within=company_id is not None,
    )
    return sql, params


@functools.lru_cache(maxsize=512)
def _statement(
    *,
    vendor: str,
    has_org: bool,
    searches_public: bool,
    kind: str,
    limit: int | None,
    offset: int,
    within: bool,
) -> str:
    """The text for one shape of search; a few dozen shapes exist, each built once."""
    if kind == "prefix":
        keyed = [
            (key, f"{key} >= %(low)s AND {key} < %(high)s")
            for key in (_key("name_key", vendor), _key("last_key", vendor))
        ]
    elif kind == "email":
        keyed = [(_key("name_key", vendor), "u.email = %(email)s")]
    else:
        keyed = [(_key("name_key", vendor), "1 = 1")]
    if within:
        keyed = [(key, f"{match} AND u.company_id = %(within)s") for key, match in keyed]
    cap = ""
    if limit is not None:
        # Each branch holds a person at most once, so the page's rows are among its first
        # offset + limit + 1 (one more tells whether a next page exists).
        # Literal, not a parameter: a generic plan guesses 10 % of the rows for LIMIT $n and
        # then prefers sorting to walking the index (measured at 1M users).
        cap = f" LIMIT {int(offset + limit + 1)}"
    # Only fragments written in this module are joined into the text; whatever the user
    # typed travels as a parameter.
    parts = []
    for join, condition in _branches(has_org=has_org, searches_public=searches_public):
        for key, match in keyed:
            parts.append(
                # bandit B608 accepted: module fragments only, input is a parameter.
                f"SELECT * FROM (SELECT u.id AS uid, {key} AS k FROM accounts_user u {join}"  # noqa: S608  # nosec B608
                # SPEC §7.1: an account not yet verified is found by nobody.
                f" WHERE {condition} AND u.id <> %(viewer)s AND u.visibility_verified AND {match}"
                f" ORDER BY k, uid{cap}) b"
            )
    page = ""
    if limit is not None:
        page = f" LIMIT {int(limit + 1)} OFFSET {int(offset)}"
    return (
        "SELECT u.id, u.first_name, u.last_name, u.title, u.company_id,"  # noqa: S608  # nosec B608
        " co.name AS company_name, co.slug AS company_slug,"
        # SPEC §4.4: what is found may be invited in-app unless the isolated row forbids it.
        " CASE WHEN " + SAME_COMPANY + " OR u.visibility_org_id = %(org)s"
        " OR (u.visibility_mode <> 'isolated' AND %(mode)s <> 'isolated')"
        " THEN 1 ELSE 0 END AS invite_in_app, u.is_active"
        " FROM (SELECT uid, MIN(k) AS k FROM (" + " UNION ALL ".join(parts) + ") hits"
        " GROUP BY uid ORDER BY k, uid" + page + ") h"
        " JOIN accounts_user u ON u.id = h.uid"
        " JOIN companies_company co ON co.id = u.company_id"
        " ORDER BY h.k, h.uid"
    )


@dataclass(frozen=True)
class Hit:
    id: int
    first_name: str
    last_name: str
    title: str
    company_id: int
    company_name: str
    company_slug: str
    invite_in_app: bool
    # False for a closed account (SPEC §4.8: still found, marked closed, until anonymized).
    is_active: bool = True

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Page:
    hits: list[Hit]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _execute(cursor, sql: str, params: dict) -> None:
    """Run the search as a named prepared statement on PostgreSQL (decision D4.2)."""
    execute_prepared(cursor, sql, params, prefix="rp_directory")


def run(
    viewer, search: Search, *, limit: int | None, offset: int = 0, company_id: int | None = None
) -> list[Hit]:
    sql, params = build_sql(viewer, search, limit=limit, offset=offset, company_id=company_id)
    # The replica's connection inside a @replica_read caller (directory_search), else the
    # primary's.
    with read_connection().cursor() as cursor:
        _execute(cursor, sql, params)
        return [
            Hit(*row[:7], invite_in_app=bool(row[7]), is_active=bool(row[8]))
            for row in cursor.fetchall()
        ]


def parse_page(raw) -> int:
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        raise QueryError("The page must be a number.") from None
    if not 1 <= number <= MAX_PAGE:
        raise QueryError(f"Pages run from 1 to {MAX_PAGE}: refine the search instead.")
    return number


@replica_read
def directory_search(
    *, viewer, query: str | None, page=1, page_size: int = PAGE_SIZE, company_id=None
) -> Page:
    """One page of the people `viewer` finds for `query` (SPEC §4.3). One SQL statement.
    With `company_id` and no query: that company's members the viewer finds."""
    search = Search("all") if company_id is not None and not query else parse_query(query)
    number = parse_page(page)
    hits = run(
        viewer, search, limit=page_size, offset=(number - 1) * page_size, company_id=company_id
    )
    return Page(hits=hits[:page_size], number=number, has_next=len(hits) > page_size)


def findable_ids(viewer) -> list[tuple[int, bool]]:
    """Every person the viewer finds, with the in-app verdict (the matrix, tests)."""
    return [(h.id, h.invite_in_app) for h in run(viewer, Search("all"), limit=None)]


def email_invitable_ids(viewer) -> set[int]:
    """SPEC §4.4 by email, as SQL: same region side of the China barrier, and the isolated
    row (which spares the same company and the same organization)."""
    sql = (
        # bandit B608 accepted: module constants only, every input is a parameter.
        "SELECT u.id FROM accounts_user u WHERE u.id <> %(viewer)s"  # noqa: S608  # nosec B608
        " AND u.visibility_china = %(china)s"
        " AND (" + SAME_COMPANY + " OR u.visibility_org_id = %(org)s"
        " OR (u.visibility_mode <> 'isolated' AND %(mode)s <> 'isolated'))"
    )
    params = {
        "viewer": viewer.pk,
        "company": viewer.company_id,
        "org": viewer.visibility_org_id,
        "china": viewer.visibility_china,
        "mode": viewer.visibility_mode,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}
