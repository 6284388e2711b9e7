import json
from io import StringIO

import pytest
from django.core.management import call_command

from subscriptions.models import Extension, License, Subscription

pytestmark = pytest.mark.django_db


def test_demo_gives_customers_subscriptions_that_last_months_run_invoices(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent
    subs = Subscription.objects.filter(company__business_partner__name="Bridge Partners")
    assert {s.company.name for s in subs} == {"Cobalt Clinic", "Delta Dental", "Echo Logistics"}
    assert {s.billing for s in subs} >= {"monthly", "prepaid_1y", "prepaid_3y"}
    assert subs.count() == 4
    assert License.objects.filter(released_at__isnull=True).count() == 4
    assert Extension.objects.filter(user__isnull=False).count() == 2
    out = StringIO()
    call_command("invoices_run", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["issued"] == 3
    assert summary["amount_total"] == "4150.80"
