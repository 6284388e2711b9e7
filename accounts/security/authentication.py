"""DRF authentication by personal token (SPEC §7.8), replacing DRF's authtoken.

`Authorization: Bearer rbp_…` (or `Token rbp_…`). A token never bypasses SPEC §7.5: a user
who must use two-factor and has not enrolled is refused, as the session would be. A `read`
token is refused any unsafe method."""

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS

KEYWORDS = {b"bearer", b"token"}
INVALID = "This API token is not valid: it may be mistyped, expired or revoked."
NEEDS_TWO_FACTOR = (
    "Your account must use two-factor authentication: set it up in the portal (Security "
    "page) before using an API token."
)
READ_ONLY = "This API token is read-only: use a read-write token to change anything."


class PersonalTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as “Authorization: Bearer <token>”, with no spaces in it."
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        # Imported here, not above: DRF imports this class while rest_framework.views itself
        # loads, before rainbow_portal.exceptions (which imports that module) is complete.
        from .selectors import has_two_factor, two_factor_required
        from .services.tokens import token_for_secret, token_touch

        token = token_for_secret(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(INVALID)
        user = token.user
        if two_factor_required(user=user) and not has_two_factor(user=user):
            raise exceptions.PermissionDenied(NEEDS_TWO_FACTOR)
        if token.scope == token.Scope.READ and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(READ_ONLY)
        token_touch(token=token)
        return user, token

    def authenticate_header(self, request):
        # Makes an anonymous call a 401 (not a 403), naming the scheme to use.
        return 'Bearer realm="api"'
