from decimal import Decimal

from django.db import migrations

# Starting prices; a superadmin edits them afterwards (SPEC §3.7: offers are data).
OFFERS = [
    ("essential", "Essential", Decimal("0.00"), "Free: every company and every member has it."),
    ("business", "Business", Decimal("9.90"), "Telephony and meetings for teams."),
    ("enterprise", "Enterprise", Decimal("19.90"), "Everything, with PBX integration."),
]


def create_offers(apps, schema_editor):
    Offer = apps.get_model("subscriptions", "Offer")
    for code, name, price, description in OFFERS:
        Offer.objects.get_or_create(
            code=code,
            defaults={"name": name, "price_per_seat_month": price, "description": description},
        )


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_offers_subscriptions_invoices_systems")]

    operations = [migrations.RunPython(create_offers, migrations.RunPython.noop)]
