"""The Celery app. Periodic jobs are declared here, in code, so they are reviewed like code."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")

app = Celery("rainbow_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Beat schedule: each entry names a task that reloads its rows and is idempotent.
app.conf.beat_schedule = {
    # SPEC §7.6: IdP metadata and OIDC discovery/keys re-read daily; the replay cache pruned.
    "sso-metadata-refresh": {
        "task": "sso.metadata_refresh_all",
        "schedule": crontab(minute=15, hour=3),
    },
    "sso-expired-purge": {"task": "sso.expired_purge", "schedule": crontab(minute=0)},
    # SPEC §3.7: on the 1st of each month, invoice the month that just ended.
    "invoices-monthly": {
        "task": "subscriptions.invoices_monthly",
        "schedule": crontab(minute=30, hour=2, day_of_month=1),
    },
}
