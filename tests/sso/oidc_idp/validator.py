from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    """Releases the email (DOT gives only `sub` by default)."""

    def get_additional_claims(self, request):
        user = request.user
        verified = not user.username.startswith("unverified")
        if user.username.startswith("text-"):  # some providers send the claim as a string
            verified = user.username.removeprefix("text-")
        return {
            "email": user.email,
            "email_verified": verified,
            "given_name": user.first_name,
            "family_name": user.last_name,
        }
