"""The sign-in router sso registers with accounts (accounts/security/external.py)."""

from urllib.parse import urlencode

from django.urls import reverse

from .policies import BREAK_GLASS_ROLES, may_use_password
from .selectors import provider_for_email, sso_settings_for_user
from .services.saml_signin import saml_logout_start

# nosec B105 - a message shown to the person, not a password
PASSWORD_REFUSED = (  # nosec B105
    "Your company signs you in through its identity provider. Use “Continue” with your "
    "email address instead of a password."
)


class Router:
    def start_url(self, *, email: str, next_url: str) -> str | None:
        email = email.strip().lower()
        provider = provider_for_email(email=email)
        if provider is None:
            return None
        query = urlencode({"next": next_url, "login_hint": email})
        return reverse("sso:start", args=[provider.pk]) + "?" + query

    def password_refusal(self, *, user) -> str | None:
        row = sso_settings_for_user(user=user, roles=BREAK_GLASS_ROLES)
        if may_use_password(user=user, settings_row=row):
            return None
        return PASSWORD_REFUSED

    def logout_url(self, *, request) -> str | None:
        return saml_logout_start(request=request)


ROUTER = Router()
