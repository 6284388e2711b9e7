"""The REST API: DRF, its throttles and the OpenAPI schema."""

from .. import envconfig as env

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous call a 401, not a 403.
        # Personal tokens of SPEC §7.8 (DRF's authtoken is gone: D10a.7).
        "accounts.security.authentication.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "rainbow_portal.negotiation.PortalContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["rainbow_portal.parsers.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rainbow_portal.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # SPEC §7.9: per token and per user, in the shared cache; 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.security.throttles.ApiThrottle",
    ],
    # REMOTE_ADDR only: a client's own X-Forwarded-For never picks a throttle bucket.
    "NUM_PROXIES": 0,
}
API_THROTTLE_RATES = {
    "token": env.get_rate("API_THROTTLE_TOKEN", "300/minute"),
    "user": env.get_rate("API_THROTTLE_USER", "600/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rainbow Portal API",
    "DESCRIPTION": "Administration and security API of Rainbow Portal. Errors share one format: "
    '{"error": {"code": ..., "message": ..., "fields": {...}}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets named explicitly so the schema is stable: a standalone user's own mode
    # (SPEC §2.2) is a subset of the company modes; two choice sets share the name "kind".
    "ENUM_NAME_OVERRIDES": {
        "OwnVisibilityEnum": [("public", "public"), ("private", "private")],
        "SystemKindEnum": "subscriptions.models.System.Kind",
        "IdentityProviderKindEnum": "sso.models.IdentityProvider.Kind",
    },
    # Request and response shapes differ (write-only and read-only fields): two components.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rainbow_portal.openapi.add_error_responses",
    ],
}
