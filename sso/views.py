"""Thin views for external sign-in: the protocol endpoints the IdPs reach, and the company
admin's identity-provider pages."""

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from accounts.security import services as security_services
from activity.middleware import client_ip
from companies.models import ADMIN_ROLES
from companies.scoping import company_page, public_page, viewer_page
from core.forms import apply_error
from core.redirects import next_path, with_next
from rainbow_portal.exceptions import ApplicationError

from . import oidc, saml, selectors
from .forms import FORMS, SsoSettingsForm
from .models import IdentityProvider
from .policies import can_manage_identity_providers
from .services import config, oidc_signin, saml_signin, signin


def _finish(request, outcome: signin.Outcome):
    """Start the session for a successful SSO sign-in, or show the generic refusal."""
    if outcome.test is not None:
        return redirect("sso:test-result", test_id=outcome.test.pk)
    if outcome.user is None:
        return render(request, "sso/refused.html", {"message": outcome.message}, status=400)
    pending = security_services.session_start(
        request=request,
        user=outcome.user,
        ip=client_ip(request),
        second_factor_satisfied=outcome.second_factor_satisfied,
        identity_provider=outcome.provider_id,
    )
    if outcome.saml_session:
        request.session[saml_signin.SAML_SESSION_KEY] = outcome.saml_session
    target = next_path(outcome.next_url) or reverse("core:dashboard")
    if pending:
        return HttpResponseRedirect(with_next(reverse("accounts:two-factor-verify"), target))
    return HttpResponseRedirect(target)


# --- Protocol endpoints -----------------------------------------------------------------------


ENABLED_PROVIDER = {"provider": ("provider_id", selectors.provider_by_id)}


def _saml_redirect(response_class, provider, **kwargs):
    """Start a SAML sign-in and bind it to this browser: a random key in a cookie sent back
    only to this provider's ACS, by the IdP's cross-site POST (SameSite=None, which browsers
    accept only with Secure), never readable by scripts; the request keeps its digest."""
    key = saml_signin.new_browser_key()
    started = saml_signin.saml_start(provider=provider, browser_key=key, **kwargs)
    response = response_class(started.url)
    response.set_cookie(
        started.cookie_name,
        key,
        max_age=int(signin.REQUEST_LIFETIME.total_seconds()),
        path=reverse("sso:saml-acs", args=[provider.pk]),
        secure=True,
        httponly=True,
        samesite="None",
    )
    return response


@public_page(objects=ENABLED_PROVIDER)
@never_cache
def start(request, provider):
    """Email-first sign-in lands here for an address whose domain has an enabled IdP."""
    next_url = request.GET.get("next", "")[:500]
    hint = request.GET.get("login_hint", "")[:254]
    if provider.kind == IdentityProvider.Kind.SAML:
        return _saml_redirect(HttpResponseRedirect, provider, next_url=next_url, login_hint=hint)
    return HttpResponseRedirect(
        oidc_signin.oidc_start(
            provider=provider, request=request, next_url=next_url, login_hint=hint
        )
    )


# The IdP's cross-site POST carries no CSRF token: the signed, once-only assertion is the
# proof, and for a sign-in started here the binding cookie ties it to this browser.
@csrf_exempt
@public_page(methods=("POST",), objects=ENABLED_PROVIDER)
@never_cache
def saml_acs(request, provider):
    outcome = saml_signin.saml_acs(
        provider=provider, request=request, path=request.path, ip=client_ip(request)
    )
    return _finish(request, outcome)


@public_page(objects={"provider": ("provider_id", selectors.provider_any_by_id)})
def saml_metadata(request, provider):
    """The service provider's metadata, for the admin to give to their IdP (before the
    provider is enabled too)."""
    return HttpResponse(saml.sp_metadata(provider), content_type="application/samlmetadata+xml")


@public_page(objects=ENABLED_PROVIDER)
@never_cache
def saml_sls(request, provider):
    """Single logout from the IdP: a LogoutRequest naming this browser's SAML session ends
    it; then back to the IdP (its answer) or to sign-in."""
    if "SAMLRequest" not in request.GET and "SAMLResponse" not in request.GET:
        message = "This address is for your identity provider's sign-out messages."
        return render(request, "sso/refused.html", {"message": message}, status=400)
    url = saml_signin.saml_logout(
        provider=provider,
        request=request,
        path=request.path,
        end_session=lambda: security_services.session_end(request=request, reason="saml_slo"),
    )
    return HttpResponseRedirect(url or reverse("accounts:login"))


@require_GET
@never_cache
def oidc_callback(request):
    return _finish(request, oidc_signin.oidc_callback(request=request, ip=client_ip(request)))


# --- The admin's connection test ---------------------------------------------------------------


MANAGE = can_manage_identity_providers
PROVIDER = {"provider": ("provider_id", selectors.provider_get)}


@company_page(right=MANAGE, methods=("POST",), objects=PROVIDER)
def test_start(request, company, provider):
    test = signin.connection_test_start(provider=provider, actor=request.user)

    def onward(url):
        return render(
            request,
            "core/onward.html",
            {
                "url": url,
                "title": f"Testing {provider.name}",
                "message": "Sign in at the provider; nobody is signed in to the portal by a test.",
            },
        )

    if provider.kind == IdentityProvider.Kind.SAML:
        return _saml_redirect(onward, provider, test=test)
    return onward(oidc_signin.oidc_start(provider=provider, request=request, test=test))


@viewer_page(objects={"test": ("test_id", selectors.connection_test_get)})
def test_result(request, test):
    return render(request, "sso/test_result.html", {"test": test})


# --- Company admin pages ---------------------------------------------------------------------


@company_page(right=MANAGE, methods=("GET", "POST"))
def provider_list(request, company):
    row = selectors.sso_settings(company=company)
    admins = company.members.filter(roles__role__in=ADMIN_ROLES).distinct().order_by("email")
    initial = {
        "require_sso": bool(row and row.require_sso),
        "jit_provisioning": bool(row and row.jit_provisioning),
        "break_glass_users": list(row.break_glass_users.all()) if row else [],
    }
    form = SsoSettingsForm(request.POST or None, initial=initial, admins=admins)
    if request.method == "POST" and form.is_valid():
        try:
            config.company_sso_settings_set(
                company=company, actor=request.user, **form.cleaned_data
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Sign-in settings saved."))
            return redirect("sso:providers", slug=company.slug)
    providers = selectors.provider_list(company=company)
    return render(
        request,
        "sso/provider_list.html",
        {
            "company": company,
            "providers": [(p, saml.sp_urls(p) if p.kind == "saml" else None) for p in providers],
            "form": form,
            "oidc_callback": oidc.callback_url(),
        },
    )


def _provider_fields(kind, data) -> tuple[dict, str, str]:
    fields = {k: v for k, v in data.items() if k in config.EDITABLE[kind]}
    return fields, data.get("saml_metadata_xml", ""), data.get("client_secret", "")


@company_page(right=MANAGE, methods=("GET", "POST"))
def provider_add(request, company, kind):
    if kind not in FORMS:
        return redirect("sso:providers", slug=company.slug)
    form = FORMS[kind](request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields, metadata_xml, secret = _provider_fields(kind, form.cleaned_data)
        try:
            config.identity_provider_create(
                company=company,
                kind=kind,
                actor=request.user,
                metadata_xml=metadata_xml,
                client_secret=secret,
                **fields,
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Identity provider added."))
            return redirect("sso:providers", slug=company.slug)
    return render(
        request, "sso/provider_form.html", {"company": company, "form": form, "kind": kind}
    )


@company_page(right=MANAGE, methods=("GET", "POST"), objects=PROVIDER)
def provider_edit(request, company, provider):
    form_class = FORMS[provider.kind]
    initial = {name: getattr(provider, name, "") for name in form_class.base_fields}
    initial.pop("client_secret", None)
    form = form_class(request.POST or None, initial=initial)
    if provider.kind == IdentityProvider.Kind.OIDC:
        form.fields["client_secret"].required = False
    if request.method == "POST" and form.is_valid():
        fields, metadata_xml, secret = _provider_fields(provider.kind, form.cleaned_data)
        try:
            config.identity_provider_update(
                provider=provider,
                actor=request.user,
                metadata_xml=metadata_xml,
                client_secret=secret,
                **fields,
            )
        except ApplicationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Identity provider saved."))
            return redirect("sso:providers", slug=company.slug)
    return render(
        request,
        "sso/provider_form.html",
        {"company": company, "form": form, "kind": provider.kind, "provider": provider},
    )


@company_page(right=MANAGE, methods=("GET", "POST"), objects=PROVIDER)
def provider_delete(request, company, provider):
    if request.method == "POST":
        config.identity_provider_delete(provider=provider, actor=request.user)
        messages.success(request, _("%(name)s was removed.") % {"name": provider.name})
        return redirect("sso:providers", slug=company.slug)
    return render(request, "sso/provider_delete.html", {"company": company, "provider": provider})


@company_page(right=MANAGE, methods=("POST",), objects=PROVIDER)
def provider_default(request, company, provider):
    config.identity_provider_set_default(provider=provider, actor=request.user)
    messages.success(request, _("%(name)s is now the default provider.") % {"name": provider.name})
    return redirect("sso:providers", slug=company.slug)


@company_page(right=MANAGE, methods=("POST",), objects=PROVIDER)
def provider_refresh(request, company, provider):
    fresh = config.identity_provider_refresh(provider_id=provider.pk, actor=request.user)
    messages.info(
        request,
        _("%(name)s: %(metadata_status)s")
        % {"name": provider.name, "metadata_status": fresh.metadata_status},
    )
    return redirect("sso:providers", slug=company.slug)
