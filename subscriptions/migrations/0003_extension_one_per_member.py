from django.conf import settings
from django.db import migrations, models


def free_extra_extensions(apps, schema_editor):
    """Before the constraint: where a member holds several extensions on one system, they
    keep the lowest number and the others are freed (decision D10b.7)."""
    Extension = apps.get_model("subscriptions", "Extension")
    kept: set[tuple[int, int]] = set()
    extra = []
    for ext in Extension.objects.filter(user__isnull=False).order_by("system_id", "number", "pk"):
        key = (ext.system_id, ext.user_id)
        if key in kept:
            extra.append(ext.pk)
        else:
            kept.add(key)
    Extension.objects.filter(pk__in=extra).update(user=None)


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0002_default_offers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(free_extra_extensions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="extension",
            constraint=models.UniqueConstraint(
                condition=models.Q(user__isnull=False),
                fields=("system", "user"),
                name="subscriptions_extension_one_per_member",
            ),
        ),
    ]
