"""The seam between password sign-in (here) and external sign-in (the `sso` app above).

Accounts sits below sso in the layers, so it never imports it: sso registers a router at
start-up, and the sign-in pages ask the router. With no router registered, every address
signs in with its password.
"""

from typing import Protocol


class SignInRouter(Protocol):
    def start_url(self, *, email: str, next_url: str) -> str | None:
        """Where email-first sign-in sends this address (its domain's identity provider),
        or None for the password step. Decided by the domain alone (SPEC §7.6)."""

    def password_refusal(self, *, user) -> str | None:
        """Why this user may not sign in with a password (their company requires SSO and
        they are not its break-glass admin), or None."""

    def logout_url(self, *, request) -> str | None:
        """Where signing out continues (the IdP's single logout for a session it signed
        in), asked before the portal's session ends; or None."""


_router: SignInRouter | None = None


def register(router: SignInRouter) -> None:
    global _router
    _router = router


def start_url(*, email: str, next_url: str = "") -> str | None:
    return _router.start_url(email=email, next_url=next_url) if _router else None


def password_refusal(*, user) -> str | None:
    return _router.password_refusal(user=user) if _router else None


def logout_url(*, request) -> str | None:
    return _router.logout_url(request=request) if _router else None
