"""Read replicas on a real streaming replica of the test cluster (issue 15): reads go to it,
writes and a writer's next reads stay on the primary, and the portal keeps answering when
it stops (the circuit breaker skips it without waiting on every request)."""

import time

import pytest
from django.core.signals import request_started
from django.db import connection, connections, transaction
from django.urls import reverse

from accounts.models import User
from rainbow_portal import replicas
from tests.factories import UserFactory
from tests.pgtools import on_postgresql, replica_from_env_or_start, replica_script

pytestmark = [
    pytest.mark.skipif(not on_postgresql(), reason="streaming replicas are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def replica_server():
    server, started = replica_from_env_or_start()
    yield server
    if started:
        replica_script("destroy", started)


def _replica_request_started(**kwargs):
    connections[replicas.REPLICA].close_if_unusable_or_obsolete()


@pytest.fixture
def replica(replica_server, settings, transactional_db):
    """The router's "replica" alias pointed at the replica's copy of the test database."""
    primary = connections["default"].settings_dict
    conf = {
        **primary,
        "HOST": replica_server.host,
        "PORT": replica_server.port,
        "USER": replica_server.user,
        "TEST": {**primary["TEST"], "MIRROR": None},
    }
    saved_settings = connections.settings.get(replicas.REPLICA)
    saved_conn = getattr(connections._connections, replicas.REPLICA, None)
    connections.settings[replicas.REPLICA] = conf
    connections[replicas.REPLICA] = connections.create_connection(replicas.REPLICA)
    settings.DATABASE_REPLICA_ALIAS = replicas.REPLICA
    replicas.breaker.reset()
    # What Django does for every alias at each request (the test client turns it off): a
    # reused connection gets its health check, an old one is closed.
    request_started.connect(_replica_request_started)
    yield replica_server
    request_started.disconnect(_replica_request_started)
    connections[replicas.REPLICA].close()
    if saved_settings is None:
        del connections.settings[replicas.REPLICA]
        delattr(connections._connections, replicas.REPLICA)
    else:
        connections.settings[replicas.REPLICA] = saved_settings
        if saved_conn is not None:
            connections[replicas.REPLICA] = saved_conn
    replicas.breaker.reset()


def _company():
    from companies.services import company_create, company_visibility_set

    company = company_create(name="Streaming Co", region="EMEA", actor=None)
    company_visibility_set(company=company, visibility="public", actor=None)
    return company


def _primary_lsn() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def _people(client, email) -> str:
    response = client.get(reverse("companies:directory"), {"q": email})
    assert response.status_code == 200
    return response.content.decode()


def test_searches_and_profiles_read_the_replica_writers_read_the_primary(replica, client):
    company = _company()
    viewer = UserFactory(company=company)
    target = UserFactory(company=company, first_name="Zoe", last_name="Streamed")
    replica.wait_replayed(_primary_lsn())
    replica.pause()
    try:
        # A change the replica has not replayed: only the primary knows the new name.
        User.objects.filter(pk=target.pk).update(last_name="Primaryonly")
        client.force_login(viewer)

        page = _people(client, target.email)
        assert "Streamed" in page and "Primaryonly" not in page  # served by the replica
        profile = client.get(reverse("companies:person", args=[target.pk])).content.decode()
        assert "Streamed" in profile and "Primaryonly" not in profile

        # A write request pins the client to the primary for its next reads.
        response = client.post(reverse("accounts:profile"), {})
        assert replicas.STICKY_COOKIE in response.cookies
        assert response.cookies[replicas.STICKY_COOKIE]["max-age"] > 0
        page = _people(client, target.email)
        assert "Primaryonly" in page and "Streamed" not in page
    finally:
        replica.resume()


def test_transactions_and_write_requests_read_the_primary(replica, client):
    token = replicas._allowed.set(True)
    try:
        chosen = replicas.replica_read(replicas.read_alias)
        assert chosen() == replicas.REPLICA
        with transaction.atomic():
            assert chosen() == "default"
    finally:
        replicas._allowed.reset(token)
    seen = []
    original = replicas._choose

    def spy():
        seen.append(original())
        return seen[-1]

    replicas._choose = spy
    try:
        viewer = UserFactory(company=_company())
        client.force_login(viewer)
        client.get(reverse("companies:directory"), {"q": viewer.email})
        # A write request (here refused, 405) reads nothing; the next read is pinned.
        client.post(reverse("companies:directory"), {"q": viewer.email})
        client.get(reverse("companies:directory"), {"q": viewer.email})
    finally:
        replicas._choose = original
    assert seen == [replicas.REPLICA, "default"]
    # Outside a request (tasks, commands): the primary.
    assert replicas.replica_read(replicas.read_alias)() == "default"


def test_the_portal_keeps_answering_when_the_replica_stops(replica, client, settings):
    settings.REPLICA_RETRY_SECONDS = 2
    company = _company()
    viewer = UserFactory(company=company)
    target = UserFactory(company=company, last_name="Findme")
    replica.wait_replayed(_primary_lsn())
    client.force_login(viewer)
    assert "Findme" in _people(client, target.email)
    assert replicas.breaker.failures == 0

    data_dir, port = replica.data_dir, replica.port
    replica_script("stop", data_dir)
    try:
        started = time.monotonic()
        assert "Findme" in _people(client, target.email)  # from the primary
        assert replicas.breaker.failures == 1
        probes = replicas.breaker.probes
        for _ in range(5):
            assert "Findme" in _people(client, target.email)
        # The breaker is open: no request tried the stopped replica again.
        assert replicas.breaker.probes == probes and replicas.breaker.failures == 1
        assert time.monotonic() - started < 5  # six pages, no timeout waited for
    finally:
        replica_script("start", data_dir, str(port))
    time.sleep(settings.REPLICA_RETRY_SECONDS)
    assert "Findme" in _people(client, target.email)
    assert replicas.breaker.failures == 1 and replicas.breaker.probes > probes
    with connections[replicas.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # reads are back on the replica
