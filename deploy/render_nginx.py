#!/usr/bin/env python3
"""Render deploy/nginx/portal.conf.template into an nginx site configuration.

    python deploy/render_nginx.py --server-name portal.example.com \
        --certificate /etc/letsencrypt/live/portal.example.com/fullchain.pem \
        --certificate-key /etc/letsencrypt/live/portal.example.com/privkey.pem \
        --static-root /srv/rainbow-portal/var/staticfiles --upstream 10.0.0.11:8000 \
        > /etc/nginx/sites-available/rainbow-portal

The body limit follows UPLOAD_MAX_BYTES (the same variable Django reads; --upload-max-bytes
overrides it). Standard library only: it runs where the portal is not installed.
"""

import argparse
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "nginx" / "portal.conf.template"
DHPARAM = HERE / "nginx" / "ffdhe2048.pem"
DEFAULT_UPLOAD_MAX_BYTES = 100 * 1024 * 1024  # rainbow_portal/settings/storage.py's default
MULTIPART_MARGIN = 1024 * 1024  # boundaries and part headers around the file


def client_max_body_size(upload_max_bytes: int) -> int:
    return upload_max_bytes + MULTIPART_MARGIN


def render(
    *,
    server_name: str,
    certificate: str,
    certificate_key: str,
    static_root: str,
    upstream: str = "127.0.0.1:8000",
    http_port: int = 80,
    https_port: int = 443,
    listen: str = "",
    dhparam: str = str(DHPARAM),
    upload_max_bytes: int = DEFAULT_UPLOAD_MAX_BYTES,
    proxy_bind: str = "",
    ocsp_stapling: bool = True,
) -> str:
    values = {
        "SERVER_NAME": server_name,
        "CERTIFICATE": certificate,
        "CERTIFICATE_KEY": certificate_key,
        "STATIC_ROOT": static_root.rstrip("/"),
        "UPSTREAM": upstream,
        "HTTP_PORT": str(http_port),
        "HTTPS_PORT": str(https_port),
        "HTTPS_PORT_SUFFIX": "" if https_port == 443 else f":{https_port}",
        "LISTEN": f"{listen}:" if listen else "",
        "DHPARAM": dhparam,
        "CLIENT_MAX_BODY_SIZE": str(client_max_body_size(upload_max_bytes)),
        "PROXY_BIND": f"        proxy_bind {proxy_bind};" if proxy_bind else "",
        # A certificate from a public CA: stapled OCSP answers (a self-signed one has none).
        "OCSP_STAPLING": "    ssl_stapling on;\n    ssl_stapling_verify on;\n"
        if ocsp_stapling
        else "",
    }
    text = TEMPLATE.read_text()
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    if "{{" in text:
        raise ValueError("a template field was left unfilled: " + text.split("{{")[1][:30])
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-name", required=True, help="host names, space-separated")
    parser.add_argument("--certificate", required=True)
    parser.add_argument("--certificate-key", required=True)
    parser.add_argument("--static-root", required=True, help="STATIC_ROOT (collectstatic)")
    parser.add_argument("--upstream", default="127.0.0.1:8000", help="gunicorn's address")
    parser.add_argument("--http-port", type=int, default=80)
    parser.add_argument("--https-port", type=int, default=443)
    parser.add_argument("--listen", default="", help="an address to listen on (default: all)")
    parser.add_argument("--dhparam", default=str(DHPARAM))
    parser.add_argument(
        "--upload-max-bytes",
        type=int,
        default=int(os.environ.get("UPLOAD_MAX_BYTES") or DEFAULT_UPLOAD_MAX_BYTES),
    )
    parser.add_argument("--proxy-bind", default="", help="source address towards gunicorn")
    parser.add_argument("--no-ocsp-stapling", action="store_true")
    args = parser.parse_args(argv)
    sys.stdout.write(
        render(
            server_name=args.server_name,
            certificate=args.certificate,
            certificate_key=args.certificate_key,
            static_root=args.static_root,
            upstream=args.upstream,
            http_port=args.http_port,
            https_port=args.https_port,
            listen=args.listen,
            dhparam=args.dhparam,
            upload_max_bytes=args.upload_max_bytes,
            proxy_bind=args.proxy_bind,
            ocsp_stapling=not args.no_ocsp_stapling,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
