import logging
import time

from django.conf import settings

from .models import ActivityRecord
from .queue_services import activity_request_record

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    # Behind the reverse proxy, REMOTE_ADDR is set by it (gunicorn --forwarded-allow-ips);
    # X-Forwarded-For is not trusted here because a client can forge it.
    return request.META.get("REMOTE_ADDR", "")


class RequestActivityMiddleware:
    """Records every request (SPEC §10.1): method, route name, status, duration, pseudonymized
    user, encrypted source IP, company, region. Never the body, headers, cookies or query
    string: those may hold passwords and tokens (SPEC §10.2). The record is appended to this
    worker's spool file (activity.spool_services, D16sp.1) or queued on Redis
    (activity.queue_services, D15c.1) before the response leaves, or written directly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(settings.ACTIVITY_SKIP_PATHS):
            return self.get_response(request)
        started = time.monotonic()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        try:
            activity_request_record(
                event="request",
                kind=ActivityRecord.Kind.REQUEST,
                actor=user,
                ip=client_ip(request),
                method=request.method[:10],
                route=(match.view_name if match and match.view_name else "(unresolved)"),
                status_code=response.status_code,
                duration_ms=int((time.monotonic() - started) * 1000),
            )
        except Exception:  # the log must never turn a served request into a 500
            logger.exception("Could not record the request in the activity log.")
        return response
