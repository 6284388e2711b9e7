"""Pages of the retention app. Thin: resolve (404), check (policy), validate (form), call a
service, answer."""

import logging
from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from companies.policies import can_manage_company
from companies.scoping import viewer_page
from rainbow_portal.crypto import DecryptionError
from rainbow_portal.exceptions import ApplicationError

from . import forms, policies, selectors, services
from .services import activity_ops, exports

logger = logging.getLogger(__name__)


def _apply_error(form, exc: ApplicationError) -> None:
    placed = False
    for field, errors in exc.fields.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


# --- Closing one's own account (standalone users) --------------------------------------------


@sensitive_post_parameters("password", "otp")
@login_required
def self_close(request):
    user = request.user
    refusal = policies.closure_refusal(actor=user, user=user)
    form = forms.SelfCloseForm(request.POST or None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            services.account_close(
                user=user,
                actor=user,
                password=form.cleaned_data["password"],
                otp=form.cleaned_data["otp"],
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
        else:
            logout(request)
            return redirect("retention:closed-done")
    return render(request, "retention/self_close.html", {"form": form, "refusal": refusal})


def closed_done(request):
    return render(request, "retention/closed_done.html")


def restore_by_link(request, token):
    if request.method == "POST":
        try:
            services.account_restore_by_token(token=token)
        except ApplicationError as exc:
            return render(request, "retention/restore.html", {"error": exc.message}, status=400)
        messages.success(request, _("Your account is restored: sign in again."))
        return redirect("accounts:login")
    return render(request, "retention/restore.html", {"token": token})


# --- Admins and partners close or restore a member -------------------------------------------


def _after_admin_action(request, target) -> str:
    """Back to the members page the action started from, where the row now shows the new
    state; the confirmation page again for an account without one (a standalone user)."""
    company = target.company
    if not company.is_default and can_manage_company(actor=request.user, company=company):
        return reverse("companies:members", args=[company.slug])
    return request.path


def _admin_action(request, target, action):
    closure = selectors.closure_open_for(user=target)
    if request.method == "POST":
        try:
            if action == "close":
                services.account_close(user=target, actor=request.user)
                messages.success(
                    request, _("The account of %(target)s is closed.") % {"target": target}
                )
            else:
                services.account_restore(user=target, actor=request.user)
                messages.success(
                    request, _("The account of %(target)s is restored.") % {"target": target}
                )
        except PermissionDenied as exc:
            return render(
                request,
                "retention/admin_action.html",
                {"target": target, "action": action, "error": str(exc), "closure": closure},
                status=403,
            )
        except ApplicationError as exc:
            return render(
                request,
                "retention/admin_action.html",
                {"target": target, "action": action, "error": exc.message, "closure": closure},
                status=400,
            )
        return redirect(_after_admin_action(request, target))
    refusal = policies.closure_refusal(actor=request.user, user=target)
    return render(
        request,
        "retention/admin_action.html",
        {
            "target": target,
            "action": action,
            "closure": closure,
            "refusal": refusal,
            "restorable": selectors.closure_restorable(closure),
        },
    )


ACCOUNT = {"target": ("user_id", selectors.account_get_for_viewer)}


@viewer_page(methods=("GET", "POST"), objects=ACCOUNT)
def admin_close(request, target):
    return _admin_action(request, target, "close")


@viewer_page(methods=("GET", "POST"), objects=ACCOUNT)
def admin_restore(request, target):
    return _admin_action(request, target, "restore")


# --- Data export (GDPR Art. 20) ------------------------------------------------------------


@login_required
def export_page(request):
    if request.method == "POST":
        try:
            _export, token = exports.data_export_request(user=request.user, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            request.session["retention_export_token"] = token
            messages.success(request, _("Your export is being prepared."))
        return redirect("retention:export")
    return render(
        request,
        "retention/export.html",
        {
            "exports": selectors.data_export_list(user=request.user),
            "token": request.session.get("retention_export_token", ""),
        },
    )


@login_required
def export_download(request, token):
    try:
        export = exports.data_export_download(token=token, actor=request.user)
    except ApplicationError as exc:
        if exc.code == "not_found":
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect("retention:export")
    try:
        chunks = selectors.data_export_chunks(export=export)
    except DecryptionError:
        logger.error("Data export %s does not open (altered, moved or its key is gone).", export.pk)
        messages.error(request, _("This export cannot be opened: ask for a new export."))
        return redirect("retention:export")
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename="rainbow-portal-export.zip"
    )
    return response


# --- Operators: retention dashboard and holds ------------------------------------------------


@login_required
def dashboard(request):
    context = selectors.dashboard(viewer=request.user)
    context["hold_form"] = forms.HoldForm()
    return render(request, "retention/dashboard.html", context)


@login_required
@require_POST
def hold_create(request):
    policies.require_can_run_retention(request.user)
    form = forms.HoldForm(request.POST)
    if form.is_valid():
        email = form.cleaned_data["email"]
        user, company = selectors.hold_subject_get(
            email=email, company_slug="" if email else form.cleaned_data["company"]
        )
        if user is None and company is None:
            messages.error(request, _("No account or company has that name."))
        else:
            try:
                services.legal_hold_place(
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    user=user,
                    company=company,
                )
                messages.success(request, _("The hold is in place."))
            except ApplicationError as exc:
                messages.error(request, exc.message)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("retention:dashboard")


@viewer_page(methods=("POST",), objects={"hold": ("hold_id", selectors.legal_hold_get_for_viewer)})
def hold_release(request, hold):
    try:
        services.legal_hold_release(hold=hold, actor=request.user)
        messages.success(request, _("The hold is released."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("retention:dashboard")


# --- Operations staff: the activity log ----------------------------------------------------


def _aware(value):
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@login_required
def activity_search_page(request):
    policies.require_operations(request.user)
    form = forms.ActivityFilterForm(request.GET or None)
    result = None
    if request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            result = activity_ops.activity_search(
                actor=request.user,
                filters=activity_ops.ActivityFilter(
                    email=data["email"],
                    company=data["company"],
                    ip=data["ip"] or "",
                    since=_aware(data["since"]),
                    until=_aware(data["until"]),
                    request_type=data["request_type"],
                ),
            )
        except ApplicationError as exc:
            _apply_error(form, exc)
    return render(request, "retention/activity_search.html", {"form": form, "result": result})


@login_required
def activity_extract_page(request):
    policies.require_operations(request.user)
    form = forms.ExtractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        company = form.cleaned_data["company"]
        since = datetime.combine(form.cleaned_data["since"], datetime.min.time(), tzinfo=UTC)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="activity-{company.slug}-{since:%Y%m%d}.csv"'
        )
        activity_ops.activity_extract(
            actor=request.user, company=company, since=since, out=response
        )
        return response
    return render(request, "retention/activity_extract.html", {"form": form})
