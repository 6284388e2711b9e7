"""Outbound HTTP to identity providers, guarded against server-side request forgery.

An admin types the metadata or discovery URL, so the portal must not become a way to reach
its own network: https only, every address the name resolves to must be public, no
redirects followed, a size and time limit. Tests run their IdPs on loopback over http and
turn that on with `SSO_ALLOW_LOOPBACK_FETCH`, a setting only they use.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings

MAX_BYTES = 1024 * 1024
TIMEOUT_SECONDS = 5


class FetchError(Exception):
    """A URL the portal refuses to fetch, or a fetch that failed; the message says which."""


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "SSO_ALLOW_LOOPBACK_FETCH", False))


def url_refusal(url: str) -> str | None:
    """Why the portal will not fetch this URL, or None. Checked when an admin saves a URL
    and again before every fetch (a name may resolve elsewhere later)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "This is not a valid URL."
    allow_loopback = _loopback_allowed()
    if parts.scheme != "https" and not (allow_loopback and parts.scheme == "http"):
        return "The URL must start with https://."
    if not parts.hostname:
        return "The URL has no host name."
    if parts.username or parts.password:
        return "The URL must not contain a user name or password."
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return f"The host name {parts.hostname} could not be resolved."
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if allow_loopback and address.is_loopback:
            continue
        if not address.is_global or address.is_multicast:
            return (
                f"The host name {parts.hostname} points at a private or local address; "
                "the portal only fetches from public addresses."
            )
        if not getattr(settings, "SSO_FETCH_PUBLIC", True):
            # The test suite: nothing it does may reach a public address.
            return "Fetching from the internet is switched off on this installation."
    return None


def _checked(url: str) -> str:
    refusal = url_refusal(url)
    if refusal:
        raise FetchError(refusal)
    return url


def _read(response: requests.Response) -> bytes:
    if response.is_redirect:
        raise FetchError("The server answered with a redirect; give the final URL instead.")
    chunks, size = [], 0
    for chunk in response.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError("The server's answer is larger than 1 MB.")
        chunks.append(chunk)
    return b"".join(chunks)


def get(url: str, *, headers: dict | None = None) -> tuple[int, bytes, str]:
    """GET a URL: (status, body, content type). Raises FetchError with a clear reason."""
    try:
        with requests.get(
            _checked(url),
            headers=headers or {},
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        ) as response:
            body = _read(response)
            return response.status_code, body, response.headers.get("content-type", "")
    except requests.RequestException as exc:
        raise FetchError(f"The server could not be reached ({type(exc).__name__}).") from None


def post_form(url: str, *, data: dict, auth: tuple[str, str] | None = None) -> tuple[int, bytes]:
    try:
        with requests.post(
            _checked(url),
            data=data,
            auth=auth,
            timeout=TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        ) as response:
            return response.status_code, _read(response)
    except requests.RequestException as exc:
        raise FetchError(f"The server could not be reached ({type(exc).__name__}).") from None
