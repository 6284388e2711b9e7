"""SPEC §2.2: the default company "Rainbow" (region EMEA) exists from the first migration."""

from django.db import migrations


def create_default_company(apps, schema_editor):
    Company = apps.get_model("companies", "Company")
    Company.objects.get_or_create(
        is_default=True,
        defaults={
            "name": "Rainbow",
            "slug": "rainbow",
            "kind": "end_customer",
            "region": "EMEA",
            "is_hds": False,
            "visibility": "public",
            "status": "active",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]

    operations = [migrations.RunPython(create_default_company, migrations.RunPython.noop)]
