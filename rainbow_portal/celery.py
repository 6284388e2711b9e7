"""The Celery app. Periodic jobs are declared here, in code, so they are reviewed like code."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rainbow_portal.settings")

app = Celery("rainbow_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Beat schedule: each entry names a task that reloads its rows and is idempotent.
app.conf.beat_schedule = {}
