"""Fill the visibility copies of existing users and, on PostgreSQL, add the directory-search
indexes (decision D4.2): one btree per UNION branch and search key, in byte order (COLLATE
"C") so that LIKE 'prefix%' and ORDER BY walk the same index. SQLite needs neither."""

from django.db import migrations

INDEXES = [
    ("accounts_user_co_name", '(company_id, (name_key COLLATE "C"))', ""),
    ("accounts_user_co_last", '(company_id, (last_key COLLATE "C"))', ""),
    (
        "accounts_user_org_name",
        '(visibility_org_id, (name_key COLLATE "C"))',
        "WHERE visibility_mode <> 'private'",
    ),
    (
        "accounts_user_org_last",
        '(visibility_org_id, (last_key COLLATE "C"))',
        "WHERE visibility_mode <> 'private'",
    ),
    (
        "accounts_user_pub_name",
        '(visibility_china, (name_key COLLATE "C"))',
        "WHERE visibility_mode = 'public'",
    ),
    (
        "accounts_user_pub_last",
        '(visibility_china, (last_key COLLATE "C"))',
        "WHERE visibility_mode = 'public'",
    ),
]


def backfill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Company = apps.get_model("companies", "Company")
    for company in Company.objects.all():
        User.objects.filter(company=company).update(
            visibility_mode=company.visibility,
            visibility_org_id=company.organization_id,
            visibility_china=company.region == "China",
        )


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns, where in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON accounts_user {columns} {where}"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _columns, _where in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_visibility_inputs_and_network"),
        ("companies", "0005_visibility_grants_and_requests"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
