import ipaddress

from django.conf import settings


class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set itself: Content-Security-Policy, Permissions-Policy,
    and Cache-Control: no-store on the API's answers.

    The CSP allows no inline script or style anywhere (the admin and the API docs included),
    so every page must load its scripts and styles from /static/.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path_info.startswith("/api/"):
            # An API answer is one caller's (a token's or a session's), and a cache keyed on
            # the URL alone would hand it to the next caller: none keeps it.
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _ip(address: str):
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


class TrustedProxyMiddleware:
    """Honour X-Forwarded-Proto and X-Forwarded-For only from the reverse proxies listed in
    TRUSTED_PROXIES (addresses or networks). From anyone else the headers are dropped, so a
    client on plain HTTP cannot claim HTTPS and skip the redirect, nor pick its own address.

    Replaces SECURE_PROXY_SSL_HEADER, which Django trusts from every peer. Must come first."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = [ipaddress.ip_network(n, strict=False) for n in settings.TRUSTED_PROXIES]

    def _trusted(self, address: str) -> bool:
        ip = _ip(address)
        return ip is not None and any(ip in network for network in self.networks)

    def __call__(self, request):
        meta = request.META
        if self.networks and self._trusted(meta.get("REMOTE_ADDR", "")):
            proto = meta.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if proto in {"http", "https"}:
                meta["wsgi.url_scheme"] = proto
            hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            # The nearest hop that is not one of our proxies is the client; what lies
            # beyond it was written by the client and is not believed.
            for hop in reversed(hops):
                if not self._trusted(hop):
                    if _ip(hop) is not None:
                        meta["REMOTE_ADDR"] = str(_ip(hop))
                    break
        else:
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
            meta.pop("HTTP_X_FORWARDED_FOR", None)
        return self.get_response(request)
