"""Named prepared statements for the hand-written queries run on every request (decision
D4.2; issue 15): planning those joins costs PostgreSQL several times their execution (the
directory search's UNION; the API token lookup: ~1.5 ms to plan, 0.03 ms to run), and a
prepared statement is planned once per connection. The PREPARE travels with the first
EXECUTE, so each query stays one round trip. Elsewhere (SQLite) the statement runs as is.

SQL uses named placeholders (`%(name)s`)."""

import functools
import hashlib
import re
import weakref

from django.db import connections

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Per connection: the primary's and the replica's each prepare their own.
_prepared: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


@functools.lru_cache(maxsize=512)
def prepared_form(sql: str, prefix: str) -> tuple[str, str, str]:
    """(statement name, text with $n placeholders, EXECUTE with named placeholders)."""
    names = list(dict.fromkeys(_PLACEHOLDER.findall(sql)))
    positional = _PLACEHOLDER.sub(lambda m: f"${names.index(m.group(1)) + 1}", sql)
    digest = hashlib.sha1(positional.encode(), usedforsecurity=False).hexdigest()[:16]
    name = f"{prefix}_{digest}"
    return name, positional, f"EXECUTE {name}(" + ", ".join(f"%({n})s" for n in names) + ")"


def execute_prepared(cursor, sql: str, params: dict, *, prefix: str) -> None:
    """Run `sql` on `cursor` (a Django cursor), prepared on PostgreSQL."""
    if cursor.db.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    name, positional, execute = prepared_form(sql, prefix)
    done = _prepared.setdefault(cursor.db.connection, set())
    if name in done:
        cursor.execute(execute, params)
        return
    # These statements are index walks whatever the values, so the generic plan is the
    # right one from the first run; left to itself PostgreSQL re-plans each call whenever
    # its cost guesses favour custom plans (measured at 200k users: 4 ms instead of 1.5 for
    # the search). Only prepared statements are concerned, and Django prepares none itself.
    setup = "" if done else "SET plan_cache_mode = force_generic_plan; "
    # PREPARE is not transactional: it outlives a rollback, like the set that remembers it.
    cursor.execute(f"{setup}PREPARE {name} AS {positional}; {execute}", params)
    if setup:
        cursor.nextset()
    cursor.nextset()
    done.add(name)


def fetch_prepared(sql: str, params: dict, *, prefix: str, using: str = "default") -> list:
    """The rows of `sql` run as a prepared statement on the `using` connection."""
    with connections[using].cursor() as cursor:
        execute_prepared(cursor, sql, params, prefix=prefix)
        return cursor.fetchall()
