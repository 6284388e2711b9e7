from django.db import migrations, models


def backfill(apps, schema_editor):
    """Invoices issued before the copy existed take the customer as it stands now: the best
    record left of how it was billed (decision D10b.9)."""
    Invoice = apps.get_model("subscriptions", "Invoice")
    for invoice in Invoice.objects.select_related("company__business_partner").iterator():
        company = invoice.company
        partner = company.business_partner
        invoice.customer_name = company.name
        invoice.customer_region = company.region
        invoice.billed_through = partner.name if partner is not None else ""
        invoice.save(update_fields=["customer_name", "customer_region", "billed_through"])


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0004_name_validators"),
    ]

    operations = [
        migrations.AddField(
            model_name="invoice",
            name="billed_through",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                help_text="The partner, if any.",
                max_length=200,
            ),
        ),
        migrations.AddField(
            model_name="invoice",
            name="customer_name",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="invoice",
            name="customer_region",
            field=models.CharField(default="", editable=False, max_length=20),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
