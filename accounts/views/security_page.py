"""The security page: second factor, recovery codes, API tokens and sessions (thin views)."""

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from activity.middleware import client_ip
from core.confirm import confirm_page
from core.forms import apply_error
from core.redirects import requested_next, safe_next, with_next
from rainbow_portal.exceptions import ApplicationError

from .. import forms
from ..security import selectors, services
from ..security.qr import qr_data_uri
from ..security.services import tokens

# --- Two-factor ------------------------------------------------------------------------------


@login_required
@never_cache
def two_factor_setup_view(request):
    if selectors.has_two_factor(user=request.user) and not request.user.is_verified():
        # A password alone must never replace an enrolled authenticator.
        return redirect(with_next(reverse("accounts:two-factor-verify"), safe_next(request)))
    if request.method == "POST":
        form = forms.TokenForm(request.POST)
        if form.is_valid():
            try:
                codes = services.two_factor_setup_confirm(
                    request=request, user=request.user, token=form.cleaned_data["token"]
                )
            except ApplicationError as exc:
                apply_error(form, exc)
            else:
                return render(
                    request,
                    "accounts/recovery_codes.html",
                    {"codes": codes, "next": safe_next(request)},
                )
        device = selectors.totp_device(user=request.user, confirmed=False)
        if device is None:
            return redirect("accounts:two-factor-setup")
    else:
        form = forms.TokenForm()
        device = services.two_factor_setup_start(user=request.user)
    form.fields["token"].help_text = "The 6 digits your authenticator app shows."
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "secret": secret,
            "qr": qr_data_uri(device.config_url),
            "required": selectors.two_factor_required(user=request.user),
            "next": requested_next(request),
        },
    )


@login_required
@never_cache
def two_factor_verify_view(request):
    if not selectors.has_two_factor(user=request.user):
        return redirect(with_next(reverse("accounts:two-factor-setup"), safe_next(request)))
    form = forms.TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_verify(
                request=request,
                user=request.user,
                token=form.cleaned_data["token"],
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            return HttpResponseRedirect(safe_next(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": requested_next(request)},
    )


@login_required
def two_factor_disable_view(request):
    form = forms.PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.two_factor_disable(
                user=request.user, actor=request.user, password=form.cleaned_data["password"]
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Two-factor authentication is off."))
            return redirect("accounts:security")
    return render(request, "accounts/two_factor_disable.html", {"form": form})


@login_required
@require_POST
def recovery_codes_view(request):
    try:
        codes = services.recovery_codes_regenerate(user=request.user, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:security")
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "next": reverse("accounts:security")},
    )


# --- Security page: sessions -----------------------------------------------------------------


def _security_page(request, token_form=None, status=200):
    return render(
        request,
        "accounts/security.html",
        {
            "token_form": token_form or forms.ApiTokenForm(),
            "tokens": tokens.token_list(user=request.user),
            "sessions": selectors.user_session_list(user=request.user),
            "current_key": request.session.session_key,
            "has_two_factor": selectors.has_two_factor(user=request.user),
            "two_factor_required": selectors.two_factor_required(user=request.user),
        },
        status=status,
    )


@login_required
def security_view(request):
    return _security_page(request)


def _second_factor_refusal(request) -> str:
    # The middleware already sends such a user to the second factor first; asked again
    # here because a token outlives the session that made it (SPEC §7.8).
    user = request.user
    if (selectors.two_factor_required(user=user) or selectors.has_two_factor(user=user)) and (
        not getattr(user, "is_verified", lambda: False)()
    ):
        return "Confirm your second factor before creating an API token."
    return ""


@login_required
@require_POST
@never_cache
def api_token_create_view(request):
    form = forms.ApiTokenForm(request.POST)
    refusal = _second_factor_refusal(request)
    if refusal:
        form.is_valid()
        form.add_error(None, refusal)
    elif form.is_valid():
        try:
            token, secret = tokens.token_create(
                user=request.user, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            # Shown once, on this response only; the page is never cached.
            return render(
                request, "accounts/api_token_created.html", {"token": token, "secret": secret}
            )
    return _security_page(request, token_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def api_token_revoke_view(request):
    # The id travels in the body (the query on the GET that asks first): the token is found
    # among the viewer's own only (404).
    data = request.POST if request.method == "POST" else request.GET
    token = tokens.token_get(user=request.user, token_id=data.get("token_id"))
    if request.method == "GET":
        if token.status != "active":
            return redirect("accounts:security")
        return confirm_page(
            request,
            title=_("Revoke the token “%(name)s”?") % {"name": token.name},
            consequences=[_("Scripts that use this token can no longer reach the API as you.")],
            irreversible=_("A revoked token never works again; create a new one if you need it."),
            button=_("Revoke the token"),
            cancel_url=reverse("accounts:security"),
            fields={"token_id": token.pk},
        )
    if tokens.token_revoke(token=token, actor=request.user, reason="user"):
        messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:security")


@login_required
@require_POST
def sessions_end_all_view(request):
    services.sessions_end(user=request.user, actor=request.user)
    services.session_end(request=request, reason="everywhere")
    messages.success(request, _("You are signed out everywhere."))
    return redirect("accounts:login")
