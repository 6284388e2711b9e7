import email
import sys
from email import policy
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu.exceptions import OperationalError as BrokerUnavailable
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from rainbow_portal.exceptions import error_body

from . import health
from .dashboard import HOME, OPERATIONS, panels_for


@login_required
@require_GET
def dashboard(request):
    """The page a person opens first: panels by role (core.dashboard)."""
    return render(
        request, "core/dashboard.html", {"panels": panels_for(request.user, HOME), "page": HOME}
    )


@login_required
@require_GET
def operations(request):
    """The operations staff's page: sign-in failures and locks, activity volume (SPEC §10.4)."""
    if not getattr(request.user, "is_operations", False):
        raise PermissionDenied(_("Only operations staff open this page."))
    return render(
        request,
        "core/operations.html",
        {"panels": panels_for(request.user, OPERATIONS), "page": OPERATIONS},
    )


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says. Resolved per request: under the
    production manifest storage the hashed name exists only after collectstatic."""
    return redirect(static("favicon.svg"), permanent=True)


@require_GET
@never_cache
def healthz(request):
    """Liveness: the process answers. No dependency is asked, so a database outage does not
    make an orchestrator restart every web node (readiness is /readyz)."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request):
    """Readiness, for load balancers: 503 naming each dependency this node cannot reach."""
    checks = health.readiness()
    failing = [name for name, ok in checks.items() if not ok]
    body = {"status": "error" if failing else "ok", "failing": failing}
    body.update({name: "ok" if ok else "error" for name, ok in checks.items()})
    return JsonResponse(body, status=503 if failing else 200)


def _outbox_files() -> list[Path]:
    folder = Path(settings.EMAIL_FILE_PATH)
    if not settings.DEBUG or not folder.is_dir():
        return []
    return sorted(folder.glob("*.eml"), reverse=True)[:100]


LOOPBACK = {"127.0.0.1", "::1"}


@require_GET
def dev_outbox(request):
    # Development only, and only to the machine itself: a server left with DEBUG on by
    # mistake must not hand reset codes and invitation links to the network (D8).
    if not settings.DEBUG or request.META.get("REMOTE_ADDR") not in LOOPBACK:
        raise Http404
    messages = []
    for path in _outbox_files():
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = msg.get_body(preferencelist=("plain",))
        messages.append(
            {
                "name": path.name,
                "to": msg["To"],
                "subject": msg["Subject"],
                "date": msg["Date"],
                "text": body.get_content() if body else "",
            }
        )
    return render(request, "core/outbox.html", {"messages_out": messages})


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def error_400(request, exception=None):
    if _wants_json(request):
        return JsonResponse(
            error_body("bad_request", _("The request could not be understood.")), status=400
        )
    return render(request, "400.html", status=400)


def error_403(request, exception=None):
    message = (
        str(exception) if exception and str(exception) else _("You do not have access to this.")
    )
    if _wants_json(request):
        return JsonResponse(error_body("permission_denied", message), status=403)
    return render(request, "403.html", {"reason": message}, status=403)


def api_not_found(request, *args, **kwargs):
    """The last route under /api/v1/: an unknown API path answers in the API's error format
    whatever DEBUG says (Django's debug 404 page is HTML)."""
    message = "Not found."
    if not request.path.endswith("/"):
        message = "Not found. API paths end with a slash."
    return JsonResponse(error_body("not_found", message), status=404)


def error_404(request, exception=None):
    if _wants_json(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return render(request, "404.html", status=404)


# A dependency that is down, not a bug: PostgreSQL restarting, a connection lost. The page
# says so and asks to retry; the process reconnects by itself (CONN_HEALTH_CHECKS).
UNAVAILABLE = (
    OperationalError,
    InterfaceError,
    RedisConnectionError,
    RedisTimeoutError,
    BrokerUnavailable,
)
RETRY_AFTER_SECONDS = 5


def error_500(request):
    exc = sys.exc_info()[1]
    if isinstance(exc, UNAVAILABLE):
        return _unavailable(request)
    if _wants_json(request):
        return JsonResponse(
            error_body("server_error", _("Something went wrong on our side.")), status=500
        )
    # No context processors: the failure may come from the database they would query.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def _unavailable(request):
    message = _("The portal is briefly unavailable. Please try again in a moment.")
    if _wants_json(request):
        response = JsonResponse(error_body("unavailable", message), status=503)
    else:
        # No context processors, no database: a static page.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request, reason=""):
    if _wants_json(request):
        return JsonResponse(
            error_body(
                "csrf_failed", _("The form expired or came from elsewhere. Reload and try again.")
            ),
            status=403,
        )
    return render(
        request,
        "403.html",
        {
            "reason": _(
                "This form expired or came from another site. Reload the page and try again."
            )
        },
        status=403,
    )
