"""The OpenAPI schema tells the truth (issue 10): every operation documents the answers in the
project's error format that the API really gives, not only its success, and a session write
documents the CSRF pair it needs."""

ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error format of the API.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string", "description": "A sentence for a person."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

ERRORS = {
    "400": "The input is not valid, or a business rule refused it (the message says why).",
    "401": "Not signed in.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object, or not one you may see.",
    "405": "This method is not allowed here.",
    "415": "The body is not JSON.",
    "429": "Too many requests: wait the number of seconds in Retry-After.",
}

RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds to wait before trying again.",
    }
}


UNSAFE = {"post", "put", "patch", "delete"}


def _csrf_schemes() -> dict:
    from django.conf import settings

    return {
        "csrfCookie": {"type": "apiKey", "in": "cookie", "name": settings.CSRF_COOKIE_NAME},
        "csrfHeader": {
            "type": "apiKey",
            "in": "header",
            "name": settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-").title(),
            "description": "The CSRF cookie's value, required with a session for writes.",
        },
    }


def _with_csrf(security: list[dict]) -> list[dict]:
    # A session authenticates a write only with the CSRF pair (DRF's SessionAuthentication).
    return [
        {**req, "csrfCookie": [], "csrfHeader": []} if "cookieAuth" in req else req
        for req in security
    ]


def add_error_responses(result, generator, request, public):
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    components.setdefault("securitySchemes", {}).update(_csrf_schemes())
    ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            if method in UNSAFE and operation.get("security"):
                operation["security"] = _with_csrf(operation["security"])
            responses = operation.setdefault("responses", {})
            for code, text in ERRORS.items():
                if code == "415" and method in {"get", "delete"}:
                    continue
                entry = responses.setdefault(code, {"description": text, "content": ref})
                if code == "429":
                    entry.setdefault("headers", RETRY_AFTER)
    return result
