"""The production rendering of the nginx site (ports 80/443, OCSP stapling on) is a valid nginx
configuration, and its limits and headers follow the settings (docs/deploy.md)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT, _need

sys.path.insert(0, str(ROOT / "deploy"))
from render_nginx import MULTIPART_MARGIN, render


@pytest.fixture
def production_site(tmp_path):
    _need(bool(shutil.which("openssl")), "openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=portal.example.com", "-keyout", str(key),
         "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    text = render(
        server_name="portal.example.com",
        certificate=str(cert),
        certificate_key=str(key),
        static_root="/srv/rainbow-portal/var/staticfiles/",
        upstream="10.0.0.11:8000",
        upload_max_bytes=50 * 1024 * 1024,
    )
    return tmp_path, text


def test_the_production_rendering_passes_nginx_t(production_site):
    _need(bool(shutil.which("nginx")), "nginx is not installed")
    folder, text = production_site
    (folder / "portal.conf").write_text(text)
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {folder}/portal.conf; }}\n"
    )
    done = subprocess.run(
        ["nginx", "-t", "-p", str(folder), "-e", str(folder / "error.log"), "-c",
         str(folder / "nginx.conf")],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "syntax is ok" in done.stderr


def test_limits_and_headers_follow_the_settings(production_site):
    _, text = production_site
    assert f"client_max_body_size {50 * 1024 * 1024 + MULTIPART_MARGIN};" in text
    assert "listen 443 ssl http2;" in text and "listen 80;" in text
    assert "return 301 https://$host$request_uri;" in text
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in text and "ssl_stapling on;" in text
    assert "alias /srv/rainbow-portal/var/staticfiles/;" in text
    # Set, never appended from what the client sent.
    assert "$proxy_add_x_forwarded_for" not in text
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert not re.search(r"\{\{\w+\}\}", text)


def test_the_renderer_default_cap_is_the_settings_default():
    from render_nginx import DEFAULT_UPLOAD_MAX_BYTES

    import rainbow_portal.settings.storage as module

    # The settings' default (no UPLOAD_MAX_BYTES in the environment) and the renderer's agree.
    source = Path(module.__file__).read_text()
    default = re.search(r'env\.get_int\("UPLOAD_MAX_BYTES", ([^)]+)\)', source).group(1)
    assert eval(default, {}) == DEFAULT_UPLOAD_MAX_BYTES  # a constant expression
