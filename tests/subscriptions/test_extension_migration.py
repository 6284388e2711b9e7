"""Migration subscriptions.0003 frees a member's extra extensions on one system before the
one-per-member constraint (SPEC §3.8, D10b.7)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_extra_extensions_are_freed_lowest_number_kept():
    before = [("subscriptions", "0002_default_offers")]
    after = [("subscriptions", "0003_extension_one_per_member")]
    executor = MigrationExecutor(connection)
    try:
        executor.migrate(before)
        # Every other app at its latest state, subscriptions just before 0003.
        others = [n for n in executor.loader.graph.leaf_nodes() if n[0] != "subscriptions"]
        apps = executor.loader.project_state(before + others).apps
        Company = apps.get_model("companies", "Company")
        User = apps.get_model("accounts", "User")
        Site = apps.get_model("subscriptions", "Site")
        System = apps.get_model("subscriptions", "System")
        Extension = apps.get_model("subscriptions", "Extension")
        company = Company.objects.create(name="Legacy", slug="legacy")
        user = User.objects.create(email="a@legacy.test", company=company)
        site = Site.objects.create(company=company, name="S")
        system = System.objects.create(site=site, name="P", kind="oxe", activation_code="1234")
        for number in ("203", "201", "202"):
            Extension.objects.create(system=system, number=number, user=user)
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        Extension = executor.loader.project_state(after).apps.get_model(
            "subscriptions", "Extension"
        )
        assert list(
            Extension.objects.filter(user__isnull=False).values_list("number", flat=True)
        ) == ["201"]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
