from django.db import migrations, models


def backfill(apps, schema_editor):
    """SPEC §7.1: accounts not yet verified become unfindable at once (decision D10b.6)."""
    User = apps.get_model("accounts", "User")
    UserSecurity = apps.get_model("accounts", "UserSecurity")
    unverified = UserSecurity.objects.filter(email_verified=False).values("user_id")
    User.objects.filter(pk__in=unverified).update(visibility_verified=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_merge_20261129_1633"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="visibility_verified",
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
