"""The portal's WSGI handler: API calls made with a personal token skip the browser's
middleware (decision D16c.1, issue 15).

A call to /api/ whose Authorization header names the token scheme is authenticated by that
token or refused (accounts.security.authentication raises on any token it does not accept,
so the session is never consulted). Sessions, CSRF, the session user, its language and
second factor, flash messages and htmx serve browser sessions only; for such a call each was
a pass-through that still cost its share of the request. Everything else (proxy trust,
metrics, security headers, replica routing, the activity record, language negotiation,
X-Frame-Options) runs on both chains: a middleware applies to token calls unless
settings.BROWSER_ONLY_MIDDLEWARE names it.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.utils.module_loading import import_string

from accounts.security.authentication import KEYWORDS

API_PREFIX = "/api/"


def token_api_call(environ) -> bool:
    """Whether the request goes to the API with a token (any token: a bad one is refused
    by the API itself, with its own message)."""
    if not environ.get("PATH_INFO", "").startswith(API_PREFIX):
        return False
    scheme = environ.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0]
    return scheme.lower().encode("latin-1", "replace") in KEYWORDS


def token_api_middleware() -> list[str]:
    browser_only = set(settings.BROWSER_ONLY_MIDDLEWARE)
    unknown = browser_only - set(settings.MIDDLEWARE)
    if unknown:
        raise ImproperlyConfigured(f"BROWSER_ONLY_MIDDLEWARE names {sorted(unknown)}")
    return [path for path in settings.MIDDLEWARE if path not in browser_only]


class _ChainHandler(WSGIHandler):
    """A WSGI handler with its own middleware list. The steps of Django's
    BaseHandler.load_middleware for synchronous middleware, which is all the portal has
    (checked); Django's own reads settings.MIDDLEWARE and nothing else."""

    def __init__(self, middleware: list[str]):
        self.middleware = middleware
        super().__init__()

    def load_middleware(self, is_async=False):
        if is_async:
            raise ImproperlyConfigured("The token API chain is served over WSGI only.")
        self._view_middleware = []
        self._template_response_middleware = []
        self._exception_middleware = []
        handler = convert_exception_to_response(self._get_response)
        for path in reversed(self.middleware):
            factory = import_string(path)
            if not getattr(factory, "sync_capable", True):
                raise ImproperlyConfigured(f"{path} cannot serve synchronous requests.")
            try:
                instance = factory(handler)
            except MiddlewareNotUsed:
                continue
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler


class PortalWSGIHandler(WSGIHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.token_api = _ChainHandler(token_api_middleware())

    def __call__(self, environ, start_response):
        if token_api_call(environ):
            return self.token_api(environ, start_response)
        return super().__call__(environ, start_response)
