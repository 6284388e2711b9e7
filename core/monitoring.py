"""/metrics for Prometheus, denied by default.

Allowed when the peer address (after TrustedProxyMiddleware) is in METRICS_ALLOWED_NETWORKS, or
when the request carries `Authorization: Bearer <METRICS_TOKEN>`. With neither configured,
nobody gets in. The nginx front also refuses /metrics: scrapers ask each web node directly.
"""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from rainbow_portal import metrics
from rainbow_portal.celery import app


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if (
        token
        and header.startswith("Bearer ")
        and hmac.compare_digest(header[len("Bearer ") :].encode(), token.encode())
    ):
        return True
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        peer in ipaddress.ip_network(network) for network in settings.METRICS_ALLOWED_NETWORKS
    )


@require_GET
@never_cache
def metrics_view(request):
    if not metrics_allowed(request):
        return HttpResponse("Not allowed.\n", status=403, content_type="text/plain")
    body, content_type = metrics.exposition(app, settings.METRICS_CELERY_QUEUES)
    return HttpResponse(body, content_type=content_type)
