"""Sign-in, self-registration, password reset and change: thin views that shape-check input
with a form, call a service and show its message."""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from activity.middleware import client_ip
from core.forms import apply_error
from core.redirects import requested_next, safe_next
from rainbow_portal.exceptions import ApplicationError

from .. import forms
from ..security import external, services

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
