"""A scratch PostgreSQL database next to DATABASE_URL's, for benchmarks that load millions
of rows: created empty, migrated by the bench, dropped at the end."""

from urllib.parse import urlsplit, urlunsplit


def scratch_url(url: str, suffix: str = "_bench") -> tuple[str, str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + suffix
    admin = urlunsplit(parts._replace(path="/postgres"))
    return urlunsplit(parts._replace(path="/" + name)), admin, name


def recreate(admin_url: str, name: str, *, drop_only=False) -> None:
    import psycopg

    with psycopg.connect(admin_url.replace("postgres://", "postgresql://"), autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            c.execute(f'CREATE DATABASE "{name}"')
