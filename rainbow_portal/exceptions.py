"""One error vocabulary for pages and the API.

Services raise ApplicationError for a broken business rule; views turn it into a form error or
a message, the API into a 400 in the shared format:
    {"error": {"code": ..., "message": ..., "fields": {...}}}
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions as drf_exceptions
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A business rule said no. `message` is shown to a person as it is."""

    def __init__(self, message: str, *, code: str = "invalid", fields: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail) -> dict:
    """DRF's nested ValidationError detail -> {field: [messages]}."""
    if isinstance(detail, dict):
        return {key: _messages(value) for key, value in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value) -> list[str]:
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(_messages(item))
        return out
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    return [str(value)]


class ServiceUnavailable(ApplicationError):
    """A dependency the action needs is down (the cache that counts sign-in failures): the
    action is refused, not done unprotected. The API answers 503 with Retry-After."""

    def __init__(self, message: str, *, retry_after: int = 60):
        super().__init__(message, code="unavailable")
        self.unavailable_retry_after = retry_after


def api_exception_handler(exc, context):
    if isinstance(exc, ServiceUnavailable):
        response = Response(error_body(exc.code, exc.message), status=503)
        response["Retry-After"] = str(exc.unavailable_retry_after)
        return response
    if getattr(exc, "retry_after", None) and isinstance(exc, ApplicationError):
        # SPEC §7.9: a limit answers 429 with when to retry.
        response = Response(error_body(exc.code, exc.message), status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    if isinstance(exc, ApplicationError):
        return Response(
            error_body(exc.code, exc.message, {k: _messages(v) for k, v in exc.fields.items()}),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages)
        exc = drf_exceptions.ValidationError(fields or {"non_field_errors": exc.messages})
        response = exception_handler(exc, context)
        response.data = error_body("invalid", message, _flatten(fields or {}))
        return response
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = drf_exceptions.PermissionDenied(str(exc) or None)

    response = exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling (and logging) takes over
    if isinstance(exc, drf_exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next((m for msgs in fields.values() for m in msgs), "Invalid input.")
        response.data = error_body("invalid", first, fields)
    else:
        detail = exc.detail if isinstance(exc, drf_exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, drf_exceptions.APIException) else "error"
        response.data = error_body(code if isinstance(code, str) else "error", str(detail))
    return response
