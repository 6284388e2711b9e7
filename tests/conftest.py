import pytest
from rest_framework.test import APIClient

from rainbow_portal.celery import app as celery_app

# The real ClamAV daemon and a per-test vault storage, for every app's tests.
from .clamav import clamd, clamd_socket, vault_storage  # noqa: F401
from .factories import PASSWORD, UserFactory


@pytest.fixture(scope="session", autouse=True)
def _private_filesystem_queue(tmp_path_factory):
    """With the embedded broker, tests get a queue folder of their own, set before anything
    connects, so they never take messages from (or leave them for) a developer's worker."""
    if celery_app.conf.broker_url.startswith("filesystem://"):
        folder = tmp_path_factory.mktemp("celery-queue")
        control = tmp_path_factory.mktemp("celery-control")
        celery_app.conf.broker_transport_options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(control),
            "store_processed": False,
        }


# Rows that data migrations create and the code relies on: (migration module, function).
DATA_MIGRATIONS = [
    ("companies.migrations.0002_default_company", "create_default_company"),
    ("subscriptions.migrations.0002_default_offers", "create_offers"),
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    """With `--no-migrations` (scripts/mutation.sh, where each mutant builds its own test
    database: migrating cost ~11 of ~12 seconds a mutant) the tables come from the models and
    the data migrations' rows are made here, by the migrations' own functions."""
    if request.config.getoption("nomigrations", False):
        from importlib import import_module

        from django.apps import apps

        with django_db_blocker.unblock():
            for module, function in DATA_MIGRATIONS:
                getattr(import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _data_migrations_after_flush(request):
    """A transactional test flushes every table when it ends, rows made by data migrations
    with them (the default company of SPEC §2.2, the offers of §3.7). Each transactional test
    starts with them again, made by the migrations' own functions (idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    for module, function in DATA_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)


@pytest.fixture(autouse=True)
def _primary_only(settings):
    """Tests read the primary: a replica would not see a test's uncommitted rows. The
    replica tests (tests/resilience/test_replicas.py) turn it on against a real replica."""
    settings.DATABASE_REPLICA_ALIAS = None


@pytest.fixture(autouse=True)
def _no_public_fetches(settings):
    """No test reaches a public address: an identity provider URL that a test (or the API
    fuzzer) types is refused before any connection (sso/fetch.py)."""
    settings.SSO_FETCH_PUBLIC = False


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Unit tests run tasks in-process; tests/core/test_celery_worker.py uses a real worker."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fast_hashing(settings, request):
    # Argon2 costs ~50 ms per hash; tests that are about hashing opt out with a marker-free
    # module-level override. Everything else uses a fast hasher to keep the suite quick.
    if "real_hashers" not in request.keywords:
        settings.PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.MD5PasswordHasher",
            *settings.PASSWORD_HASHERS,
        ]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in lockout and per-IP counters live in the cache (Redis in CI, which outlives a
    run): every test starts from zero, or failures elsewhere would throttle its sign-ins."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def api_client():
    return APIClient()


class _Inbox:
    """Messages received by the test SMTP server, as raw bytes with their envelopes."""

    def __init__(self):
        self.messages: list[dict] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "raw": envelope.original_content,
            }
        )
        return "250 OK"

    def parsed(self, index: int = -1):
        import email
        from email import policy

        return email.message_from_bytes(self.messages[index]["raw"], policy=policy.default)

    def text(self, index: int = -1) -> str:
        return self.parsed(index).get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on loopback; the portal's SMTP backend points at it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "core.mail.DkimSmtpBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()


class _Any:
    def __repr__(self):
        return "any"


ANY = _Any()


class ActivityAssertions:
    """`assert_activity(event, actor=, target=, company=, count=1)`: exactly `count` records
    of `event` (one per state change, SPEC §10.1), each by that actor (a user, or None for
    the system) about that target; returns them, oldest first, for checks on their data.
    `assert_activity.events()` lists the actions recorded so far (requests left out)."""

    def __call__(self, event, *, actor=ANY, target=ANY, company=ANY, count=1):
        from activity.events import check
        from activity.models import ActivityRecord
        from activity.services import actor_pseudonym, target_reference

        check(event)  # a typo in a test must not pass as "no such record"
        records = ActivityRecord.objects.filter(event=event).order_by("pk")
        if actor is not ANY:
            records = records.filter(actor_pseudonym=actor_pseudonym(actor))
        if target is not ANY:
            target_type, target_ref = target_reference(target)
            records = records.filter(target_type=target_type, target_ref=target_ref)
        if company is not ANY:
            records = records.filter(company_id=getattr(company, "pk", company))
        found = list(records)
        assert len(found) == count, (
            f"{event}: {len(found)} records (actor={actor!r}, target={target!r}), "
            f"expected {count}; recorded so far: {self.events()}"
        )
        return found

    def events(self) -> list[str]:
        from activity.models import ActivityRecord

        return list(
            ActivityRecord.objects.exclude(event="request")
            .order_by("pk")
            .values_list("event", flat=True)
        )


@pytest.fixture
def assert_activity(db):
    return ActivityAssertions()
