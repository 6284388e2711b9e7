"""Logs and metrics."""

import os

from django.core.exceptions import ImproperlyConfigured

from .. import envconfig as env
from .. import logjson
from .base import DEBUG

# Logs (docs/deploy.md): JSON lines in production, personal data redacted (rainbow_portal.logjson);
# ACCESS_LOG writes one line per request with the route pattern, never the path or address.
LOGGING = logjson.logging_config(
    os.environ.get("LOG_LEVEL", "INFO"),
    env.get_choice("LOG_FORMAT", "text" if DEBUG else "json", {"text", "json"}),
)
ACCESS_LOG = env.get_bool("ACCESS_LOG", not DEBUG)
# /metrics (Prometheus): denied unless the caller is in METRICS_ALLOWED_NETWORKS or sends
# "Authorization: Bearer <METRICS_TOKEN>"; queue depth is read for METRICS_CELERY_QUEUES.
METRICS_ALLOWED_NETWORKS = env.get_networks("METRICS_ALLOWED_NETWORKS")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters (or unset).")
METRICS_CELERY_QUEUES = env.get_list("METRICS_CELERY_QUEUES", ["celery"])
