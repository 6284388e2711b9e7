"""Migration 0006 hashes the join-link tokens already in the database, so links that were
shared before the change keep working (D3.12)."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone


@pytest.mark.django_db(transaction=True)
def test_existing_join_link_tokens_are_hashed_in_place():
    before = [("companies", "0005_membership_and_file_sharing")]
    after = [("companies", "0006_joinlink_token_hashed")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        old_apps = executor.loader.project_state(before).apps
        Company = old_apps.get_model("companies", "Company")
        JoinLink = old_apps.get_model("companies", "JoinLink")
        company = Company.objects.create(name="Legacy", slug="legacy")
        JoinLink.objects.create(
            company=company, token="shared-before", max_uses=3, expires_at=timezone.now()
        )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        new_apps = executor.loader.project_state(after).apps
        link = new_apps.get_model("companies", "JoinLink").objects.get()
        assert link.token_hash == hashlib.sha256(b"shared-before").hexdigest()
    finally:
        # Going back to 0005 also unapplied whatever else depends on it (merge migrations,
        # other apps): leave the schema complete for the tests that follow.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    from companies.membership.selectors import join_link_for_token

    assert join_link_for_token(token="shared-before").token_hash == link.token_hash
