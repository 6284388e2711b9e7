"""Thin views: shape-check input with a form, call a service, show its message."""

import base64

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from activity.middleware import client_ip
from core.confirm import confirm_page
from core.forms import apply_error
from core.redirects import requested_next, safe_next, with_next
from rainbow_portal.exceptions import ApplicationError

from . import forms
from .security import external, selectors, services
from .security.qr import qr_data_uri
from .security.services import tokens
from .services import user_profile_update

# --- Sign-in ---------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request):
    """Email first (SPEC §7.6): an address whose domain belongs to a company with an enabled
    identity provider goes there; any other address (known or not, the same answer) gets the
    password step. `?with=password` asks for the password at once (the break-glass way)."""
    if request.user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request))
    form = forms.EmailLoginForm(request.POST or None)
    password_step = request.GET.get("with") == "password" or request.POST.get("step") == "password"
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["username"], form.cleaned_data["password"]
        if not password and not password_step:
            target = external.start_url(email=email, next_url=safe_next(request))
            if target:
                return render(
                    request,
                    "core/onward.html",
                    {
                        "url": target,
                        "title": "Signing you in",
                        "message": "Your company signs you in through its identity provider.",
                    },
                )
            password_step = True
            form = forms.EmailLoginForm(initial={"username": email})
        elif not password:
            form.add_error("password", _("Enter your password."))
        else:
            password_step = True
            try:
                user = services.login_attempt(email=email, password=password, ip=client_ip(request))
                refusal = external.password_refusal(user=user)
                if refusal:
                    raise ApplicationError(refusal, code="sso_required")
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                services.session_start(request=request, user=user, ip=client_ip(request))
                return HttpResponseRedirect(safe_next(request))
    if not password_step:
        form.fields["password"].widget = django_forms.HiddenInput()
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": requested_next(request), "password_step": password_step},
    )


@require_POST
def logout_view(request):
    # SPEC §7.6: a session an IdP signed in ends at the IdP too (SAML single logout).
    onward = external.logout_url(request=request)
    services.session_end(request=request)
    if onward:
        return render(
            request,
            "core/onward.html",
            {
                "url": onward,
                "title": "Signing you out",
                "message": "You are signed out here; your company's sign-in ends too.",
            },
        )
    # A page may send the person back to itself once signed out (a guest link: issue 11).
    return redirect(requested_next(request) or "accounts:login")


# --- Self-registration -----------------------------------------------------------------------


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def verify_email_view(request, token: str):
    """GET only shows the form: links are fetched by mail scanners, and a fetch must not
    confirm an account. The POST confirms with the password chosen at sign-up."""
    refusal = services.email_verification_refusal(token=token)
    if refusal:
        return render(request, "accounts/verify_failed.html", {"message": refusal}, status=400)
    form = forms.PasswordConfirmForm(request.POST or None)
    form.fields["password"].label = "Password chosen at sign-up"
    if request.method == "POST" and form.is_valid():
        try:
            services.email_verify(
                token=token, password=form.cleaned_data["password"], ip=client_ip(request)
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your email address is confirmed. You can sign in now."))
            return redirect("accounts:login")
    return render(request, "accounts/verify_email.html", {"form": form})


# --- Password reset and change ---------------------------------------------------------------


@never_cache
def password_reset_view(request):
    form = forms.ResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(email=form.cleaned_data["email"], ip=client_ip(request))
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.info(
                request,
                _(
                    "If an account uses this address, we emailed it a 6-digit "
                    "code, valid for 15 minutes. Enter it below with your new "
                    "password."
                ),
            )
            # Kept in the session, not the URL, so the address stays out of logs and referrers.
            request.session["reset_email"] = form.cleaned_data["email"]
            return redirect("accounts:password-update")
    return render(request, "accounts/password_reset.html", {"form": form})


@sensitive_post_parameters("code", "new_password1", "new_password2")
@never_cache
def password_update_view(request):
    form = forms.ResetConfirmForm(
        request.POST or None, initial={"email": request.session.get("reset_email", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.password_reset_confirm(
                email=data["email"],
                code=data["code"],
                new_password=data["new_password1"],
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(
                request,
                _("Your password is changed and your other sessions are signed out. Sign in."),
            )
            return redirect("accounts:login")
    return render(request, "accounts/password_update.html", {"form": form})


@login_required
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
def password_change_view(request):
    form = forms.PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.password_change(
                request=request,
                user=request.user,
                old_password=data["old_password"],
                new_password=data["new_password1"],
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Password changed. Your other sessions are signed out."))
            return redirect("accounts:security")
    return render(request, "accounts/password_change.html", {"form": form})


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


# --- Profile (SPEC §7.7) ---------------------------------------------------------------------


@login_required
def profile_view(request):
    user = request.user
    locked = selectors.profile_locked_fields(user=user)
    initial = {"first_name": user.first_name, "last_name": user.last_name, "title": user.title}
    form = forms.ProfileForm(request.POST or None, initial=initial, locked=locked)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k not in locked}
        try:
            user_profile_update(user=user, actor=user, **changes)
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "locked": bool(locked),
            # SPEC §2.2: a standalone user chooses their own mode (the form posts to the
            # network pages, beside the visibility rules).
            "visibility_form": forms.OwnVisibilityForm(
                initial={"visibility": user.visibility_override or "public"}
            )
            if user.company.is_default
            else None,
        },
    )
