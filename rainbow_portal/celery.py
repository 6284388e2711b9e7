"""The Celery app. Periodic jobs are declared here, in code, so they are reviewed like code."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_failure

from rainbow_portal.metrics import record_task_failure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")

app = Celery("rainbow_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Failed tasks are counted for /metrics (rainbow_portal.metrics), whichever machine ran them.
task_failure.connect(record_task_failure, weak=False)

# Beat schedule: each entry names a task that reloads its rows and is idempotent.
app.conf.beat_schedule = {
    # Queued emails that are due (a retry with backoff, or a send lost with the broker).
    "email-sweep": {"task": "core.email_sweep", "schedule": 60.0},
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
    # SPEC §8.5: the closure pipeline, daily (UTC), one beat only (a lock, retention.tasks).
    "retention-daily": {
        "task": "retention.daily",
        "schedule": crontab(minute=15, hour=3),
    },
    # The file outbox retries what a drain could not delete yet (SPEC §8.4).
    "retention-outbox": {"task": "retention.outbox_drain", "schedule": crontab(minute=45)},
    # SPEC §10.3: activity records older than twelve months, daily.
    # Queued request records into the activity log (D15c.1); a missed run only delays them.
    "activity-drain": {"task": "activity.drain", "schedule": 5.0},
    "activity-purge": {"task": "retention.activity_purge", "schedule": crontab(minute=0, hour=4)},
}
