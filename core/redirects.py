"""Where to go after a form: the one place a `next` value from a request is read (issue 10).

Only a path on this site is followed: never a URL name (Django's `redirect("foo")` would try
to reverse it, and an unknown name was a 500), never another host or scheme
(`//evil.test`, `/\\evil.test`, `javascript:`), never a control character or an absurdly long
value. Anything else falls back to the caller's default.
"""

from urllib.parse import quote, urlsplit

from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

MAX_NEXT_LENGTH = 1000


def next_path(value) -> str:
    """`value` if it is a safe path on this site, else ""."""
    if not isinstance(value, str) or not value or len(value) > MAX_NEXT_LENGTH:
        return ""
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return ""
    if any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value):
        return ""
    # allowed_hosts=None: a value naming any host at all is refused; only paths pass.
    if not url_has_allowed_host_and_scheme(value, allowed_hosts=None):
        return ""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return ""
    return value


def requested_next(request) -> str:
    """The request's safe `next` (POST first, then the query string), or ""."""
    return next_path(request.POST.get("next") or request.GET.get("next") or "")


def safe_next(request, default: str = "core:dashboard") -> str:
    """The request's safe `next`, else the URL of the view named `default` (our own name)."""
    return requested_next(request) or reverse(default)


def with_next(url: str, target: str) -> str:
    """`url?next=<target>`, the target encoded (a path with its own query string stays whole)."""
    target = next_path(target)
    return f"{url}?next={quote(target, safe='/')}" if target else url
