"""How the OpenAPI schema names the personal-token scheme (SPEC §7.8). Imported by
AccountsConfig.ready(): drf-spectacular finds extensions by their import."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class PersonalTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.security.authentication.PersonalTokenAuthentication"
    name = "personalToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token from the Security page: "
            "`Authorization: Bearer rbp_…`. Read-only tokens are refused unsafe methods.",
        }
