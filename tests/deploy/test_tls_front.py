"""The TLS front of the production profile, checked from outside (SPEC §9.3).

testssl.sh (Debian) scans the running nginx: TLS 1.2 and 1.3 only, no weak cipher class, only
Mozilla-intermediate ciphers, HSTS for a year. Plain HTTP redirects. The main pages carry the
security headers and safe cookies through nginx. A request sent to gunicorn itself with forged
X-Forwarded-* headers is not believed; nginx replaces what a client sends in them.
"""

import http.client
import json
import re
import socket
import ssl
import subprocess

import pytest

from tests.deploy.conftest import UPLOAD_MAX_BYTES

pytestmark = pytest.mark.timeout(900)

# Mozilla's intermediate list (deploy/nginx/portal.conf.template) and TLS 1.3's suites.
ALLOWED_CIPHERS = {
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "DHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES256-GCM-SHA384",
    "DHE-RSA-CHACHA20-POLY1305",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
}
HSTS = "max-age=31536000; includeSubDomains; preload"


@pytest.fixture(scope="module")
def scan(stack):
    report = stack["dir"] / "testssl.json"
    done = subprocess.run(
        [
            "testssl", "--quiet", "--color", "0", "--warnings", "off", "--ip", "one",
            "--jsonfile", str(report), "-p", "-s", "-E", "-h", stack["https"] + "/",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert report.exists(), done.stdout[-2000:] + done.stderr[-2000:]
    return {entry["id"]: entry for entry in json.loads(report.read_text())}


def _https(stack, method, path, headers=None, body=None):
    context = ssl.create_default_context(cafile=stack["certificate"])
    conn = http.client.HTTPSConnection("127.0.0.1", stack["https_port"], context=context)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        response.body = response.read()
        return response
    finally:
        conn.close()


def _plain(port, path, headers=None, source="127.0.0.1"):
    conn = http.client.HTTPConnection("127.0.0.1", port, source_address=(source, 0))
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.body = response.read()
        return response
    finally:
        conn.close()


def test_only_tls_1_2_and_1_3_are_offered(scan):
    for old in ("SSLv2", "SSLv3", "TLS1", "TLS1_1"):
        assert scan[old]["finding"] == "not offered", scan[old]
    assert scan["TLS1_2"]["finding"] == "offered"
    assert scan["TLS1_3"]["finding"].startswith("offered")


def test_no_weak_cipher_is_offered(scan):
    for weak in ("NULL", "aNULL", "EXPORT", "LOW", "3DES_IDEA", "AVERAGE"):
        assert scan[f"cipherlist_{weak}"]["finding"] == "not offered", weak
    offered = [
        entry["finding"].split()[3] for key, entry in scan.items() if key.startswith("cipher-tls")
    ]
    assert offered, "testssl listed no cipher at all"
    assert set(offered) <= ALLOWED_CIPHERS, set(offered) - ALLOWED_CIPHERS


def test_hsts_is_sent_for_a_year_with_subdomains(scan, stack):
    assert scan["HSTS_time"]["severity"] == "OK" and "31536000" in scan["HSTS_time"]["finding"]
    assert scan["HSTS_subdomains"]["finding"] == "includes subdomains"
    # Once, on the app's answers, the static files and nginx's own error pages alike.
    for path in ("/accounts/login/", "/no/such/page/", "/favicon.ico"):
        assert _https(stack, "GET", path).headers.get_all("Strict-Transport-Security") == [HSTS]


def _handshake(stack, version):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    # Security level 0 lets this client offer the old versions at all (OpenSSL 3 would refuse
    # TLS 1.1 on its own side otherwise, and the test would prove nothing about the server).
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.minimum_version = context.maximum_version = version
    with (
        socket.create_connection(("127.0.0.1", stack["https_port"]), timeout=5) as sock,
        context.wrap_socket(sock) as tls,
    ):
        return tls.version()


def test_a_client_offering_only_tls_1_1_is_refused_by_the_server(stack):
    assert _handshake(stack, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"  # the client itself works
    with pytest.raises(ssl.SSLError) as refused:
        _handshake(stack, ssl.TLSVersion.TLSv1_1)
    # The server's alert, not a refusal of the client's own library.
    assert "alert protocol version" in str(refused.value).lower(), refused.value


def test_port_80_redirects_every_path_to_https(stack):
    response = _plain(stack["http_port"], "/accounts/login/?next=/x/")
    assert response.status == 301
    expected = f"https://127.0.0.1:{stack['https_port']}/accounts/login/?next=/x/"
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/", "/api/v1/docs/"])
def test_main_pages_carry_the_security_headers_through_nginx(stack, path):
    response = _https(stack, "GET", path)
    assert response.status == 200, (path, response.status)
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Server"] == "nginx"  # no version


def test_static_files_come_from_nginx_with_headers(stack):
    redirect = _https(stack, "GET", "/favicon.ico")
    location = redirect.headers["Location"]
    assert re.fullmatch(r"/static/favicon\.[0-9a-f]{12}\.svg", location), location
    response = _https(stack, "GET", location)
    assert response.status == 200 and b"<svg" in response.body
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "max-age=" in response.headers["Cache-Control"]


def _cookies(response) -> dict[str, str]:
    return {c.split("=", 1)[0]: c for c in response.headers.get_all("Set-Cookie") or []}


def test_cookies_are_secure_httponly_and_samesite(stack):
    page = _https(stack, "GET", "/accounts/password/reset/")
    csrf = _cookies(page)["csrftoken"]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body).group(1)
    cookie = csrf.split(";", 1)[0]
    posted = _https(
        stack,
        "POST",
        "/accounts/password/reset/",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Origin": stack["https"],
            "Referer": stack["https"] + "/accounts/password/reset/",
        },
        body=b"csrfmiddlewaretoken=" + token + b"&email=nobody%40example.test",
    )
    assert posted.status == 302, posted.body[:500]
    cookies = {"csrftoken": csrf, **_cookies(posted)}
    assert "sessionid" in cookies, cookies
    for name in ("csrftoken", "sessionid"):
        attributes = [a.strip().lower() for a in cookies[name].split(";")[1:]]
        assert "secure" in attributes and "httponly" in attributes, cookies[name]
        assert "samesite=lax" in attributes, cookies[name]


def test_bodies_over_the_upload_cap_are_refused_by_nginx(stack):
    too_big = b"x" * (UPLOAD_MAX_BYTES + 2 * 1024 * 1024)
    response = _https(
        stack,
        "POST",
        "/api/v1/me/",
        headers={"Content-Type": "application/octet-stream"},
        body=too_big,
    )
    assert response.status == 413
    # Under the cap, a body larger than nginx's memory buffer (spooled to its temp folder)
    # reaches Django, which answers for itself (no session, no token: 401).
    under = _https(
        stack,
        "POST",
        "/api/v1/me/",
        headers={"Content-Type": "application/json"},
        body=b"[" + b"0," * (UPLOAD_MAX_BYTES // 4) + b"0]",
    )
    assert under.status in {401, 403}, (under.status, under.body[:300])


def test_a_forged_x_forwarded_proto_straight_to_gunicorn_is_not_https(stack):
    forged = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    response = _plain(stack["gunicorn_port"], "/accounts/login/", headers=forged)
    # Not believed: Django still sees plain HTTP and sends the client to HTTPS.
    assert response.status == 301
    assert response.headers["Location"].startswith("https://")
    assert "Set-Cookie" not in response.headers
    # The same header from the configured proxy address is believed.
    trusted = _plain(stack["gunicorn_port"], "/accounts/login/", forged, source="127.0.0.2")
    assert trusted.status == 200


def test_nginx_replaces_the_client_s_x_forwarded_proto(stack):
    # Appended, "http, https" would make Django see plain HTTP (the first hop) and redirect.
    response = _https(stack, "GET", "/accounts/login/", headers={"X-Forwarded-Proto": "http"})
    assert response.status == 200


def test_a_forged_x_forwarded_for_is_believed_only_from_the_proxy(stack):
    # /metrics admits the 10.9.9.9 network (METRICS_ALLOWED_NETWORKS of the stack).
    forged = {"X-Forwarded-For": "10.9.9.9", "Host": "127.0.0.1"}
    assert _plain(stack["gunicorn_port"], "/metrics", forged).status == 403
    assert _plain(stack["gunicorn_port"], "/metrics", forged, source="127.0.0.2").status == 200
    # Through the public front, /metrics does not exist.
    assert _https(stack, "GET", "/metrics", headers={"X-Forwarded-For": "10.9.9.9"}).status == 404


def test_probes_and_metrics_add_up_across_gunicorn_workers(stack):
    host = {"Host": "127.0.0.1"}
    assert _plain(stack["gunicorn_port"], "/healthz", host).status == 200
    ready = _plain(stack["gunicorn_port"], "/readyz", host)
    assert json.loads(ready.body)["database"] == "ok"
    auth = {"Host": "127.0.0.1", "Authorization": "Bearer " + stack["metrics_token"]}

    def count():
        text = _plain(stack["gunicorn_port"], "/metrics", auth).body.decode()
        pattern = r'portal_http_requests_total\{method="GET",route="healthz",status="2xx"\} (\S+)'
        match = re.search(pattern, text)
        return float(match.group(1)) if match else 0.0

    before = count()
    for _ in range(20):
        _https(stack, "GET", "/healthz")
    # Each request may have gone to either worker; the scrape adds both workers' files.
    assert count() - before == 20


def test_logs_are_json_lines_without_addresses_or_query_strings(stack):
    _https(stack, "GET", "/accounts/login/?next=/private-token-123/")
    lines = (stack["dir"] / "logs" / "gunicorn.log").read_text().splitlines()
    # Every line, gunicorn's own included (boot, workers), is one JSON object.
    entries = [json.loads(line) for line in lines if line.strip()]
    assert any(e["logger"] == "gunicorn.error" for e in entries)
    access = [e for e in entries if e["logger"] == "rainbow_portal.access"]
    assert any(e["route"] == "accounts/login/" for e in access)
    text = "\n".join(lines)
    assert "private-token-123" not in text
    assert "127.0.0.1" not in "\n".join(json.dumps(e) for e in entries)


def test_gunicorn_keeps_nginx_s_upstream_connection_open(stack):
    """nginx's upstream keep-alive (`keepalive 16`) needs a worker that keeps connections: the
    sync worker answers `Connection: close` and hangs up after each answer (D17g.1)."""
    headers = {"Host": "127.0.0.1", "X-Forwarded-Proto": "https"}
    conn = http.client.HTTPConnection(
        "127.0.0.1", stack["gunicorn_port"], source_address=("127.0.0.2", 0)
    )
    answers = []
    try:
        for _ in range(3):
            conn.request("GET", "/healthz", headers=headers)
            local = conn.sock.getsockname()  # http.client reopens a socket the server closed
            response = conn.getresponse()
            response.read()
            answers.append((response.status, response.headers.get("Connection", ""), local))
    finally:
        conn.close()
    assert [a[0] for a in answers] == [200, 200, 200], answers
    assert all(a[1].lower() != "close" for a in answers), answers
    assert len({a[2] for a in answers}) == 1, answers
