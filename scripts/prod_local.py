#!/usr/bin/env python3
"""The production profile on this machine: nginx (TLS, self-signed) in front of gunicorn.

    scripts/prod_local.py start [--with-celery]   # make prod-local
    scripts/prod_local.py stop                    # make prod-local-stop
    scripts/prod_local.py status

Everything lives under PROD_LOCAL_DIR (default var/prod-local/): the certificate (openssl), the
rendered nginx configuration (deploy/render_nginx.py), nginx's pid, temp folders and logs, the
generated keys, PORTAL_VAR_DIR. Django runs with DEBUG=0 and the deploy settings, behind nginx
at https://127.0.0.1:$PROD_LOCAL_HTTPS_PORT/ (default 8143; http on 8140 redirects, gunicorn
on 127.0.0.1:8141). nginx talks to gunicorn from 127.0.0.2, the only TRUSTED_PROXIES address,
so a client reaching gunicorn itself (from 127.0.0.1) is not believed about X-Forwarded-*.

The database, Redis, broker and clamd come from the environment (DATABASE_URL, REDIS_URL — a
must with DEBUG=0 —, CELERY_BROKER_URL, CLAMD_SOCKET), as for `make run`.
"""

import argparse
import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import ssl
import subprocess  # nosec B404 - fixed commands of this script, never a shell
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
from render_nginx import DHPARAM, render  # noqa: E402

PYTHON = sys.executable
PROXY_ADDRESS = "127.0.0.2"


def config() -> dict:
    folder = Path(os.environ.get("PROD_LOCAL_DIR") or ROOT / "var" / "prod-local").resolve()
    return {
        "dir": folder,
        "http_port": int(os.environ.get("PROD_LOCAL_HTTP_PORT") or 8140),
        "https_port": int(os.environ.get("PROD_LOCAL_HTTPS_PORT") or 8143),
        "gunicorn_port": int(os.environ.get("PROD_LOCAL_GUNICORN_PORT") or 8141),
        "workers": os.environ.get("GUNICORN_WORKERS") or str(os.cpu_count() or 1),
    }


def keys(folder: Path) -> dict:
    """Production-shaped keys for this local stack, generated once (mode 0600)."""
    path = folder / "keys.env"
    if not path.exists():
        key = lambda: base64.b64encode(os.urandom(32)).decode()  # noqa: E731
        lines = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DATA_MASTER_KEY": key(),
            "ACTIVITY_KEY": key(),
            "DIGEST_KEY": key(),
            "METRICS_TOKEN": secrets.token_urlsafe(32),
        }
        path.write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
        path.chmod(0o600)
    return dict(line.split("=", 1) for line in path.read_text().split())


def django_env(cfg: dict) -> dict:
    folder = cfg["dir"]
    env = dict(os.environ)
    if not env.get("REDIS_URL"):
        sys.exit("REDIS_URL must be set: with DEBUG=0 the portal needs a shared cache (Redis).")
    env.update(keys(folder))
    env.update(
        {
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "rainbow_portal.settings",
            "PORTAL_VAR_DIR": str(folder / "var"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TRUSTED_PROXIES": PROXY_ADDRESS,
            "PORTAL_BASE_URL": f"https://127.0.0.1:{cfg['https_port']}",
            "PROMETHEUS_MULTIPROC_DIR": str(folder / "prometheus"),
            "GUNICORN_BIND": f"127.0.0.1:{cfg['gunicorn_port']}",
            "GUNICORN_WORKERS": cfg["workers"],
        }
    )
    # Mail goes nowhere unless told: a port in this stack's range where nothing listens keeps
    # messages queued for retry (EMAIL_HOST is required with DEBUG=0).
    env.setdefault("EMAIL_HOST", "127.0.0.1")
    env.setdefault("EMAIL_PORT", "8149")
    # Required with DEBUG=0 (printed on invoices): a local stack prints a sample issuer.
    env.setdefault("INVOICE_ISSUER_NAME", "Rainbow Portal (local stack)")
    env.setdefault("INVOICE_ISSUER_ADDRESS", "127.0.0.1|Local")
    env.setdefault("INVOICE_ISSUER_VAT_NUMBER", "FR00000000000")
    return env


def certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "tls" / "cert.pem", folder / "tls" / "key.pem"
    if not cert.exists():
        cert.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(  # nosec B603 B607 - openssl from PATH, fixed arguments, no shell
            [
                "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
                "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        key.chmod(0o600)
    return cert, key


def nginx_conf(cfg: dict, env: dict, cert: Path, key: Path) -> Path:
    folder = cfg["dir"]
    for sub in ("cache/body", "cache/proxy", "cache/fastcgi", "cache/uwsgi", "cache/scgi", "logs"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    site = render(
        server_name="localhost 127.0.0.1",
        certificate=str(cert),
        certificate_key=str(key),
        static_root=str(folder / "var" / "staticfiles"),
        upstream=f"127.0.0.1:{cfg['gunicorn_port']}",
        http_port=cfg["http_port"],
        https_port=cfg["https_port"],
        listen="127.0.0.1",
        dhparam=str(DHPARAM),
        upload_max_bytes=int(env.get("UPLOAD_MAX_BYTES") or 100 * 1024 * 1024),
        proxy_bind=PROXY_ADDRESS,
        ocsp_stapling=False,
    )
    (folder / "portal.conf").write_text(site)
    main = f"""# Generated by scripts/prod_local.py: nginx's own files under {folder}.
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/logs/nginx-error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log off;
    client_body_temp_path {folder}/cache/body;
    proxy_temp_path {folder}/cache/proxy;
    fastcgi_temp_path {folder}/cache/fastcgi;
    uwsgi_temp_path {folder}/cache/uwsgi;
    scgi_temp_path {folder}/cache/scgi;
    include {folder}/portal.conf;
}}
"""
    path = folder / "nginx.conf"
    path.write_text(main)
    return path


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)  # nosec B603 - manage.py with fixed arguments


def spawn(name: str, argv: list[str], env: dict, folder: Path) -> None:
    log = (folder / "logs" / f"{name}.log").open("ab")
    process = subprocess.Popen(  # nosec B603 - this stack's own programs, no shell
        argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    (folder / f"{name}.pid").write_text(str(process.pid))


def wait_ready(cfg: dict, cert: Path, timeout: float = 60) -> None:
    context = ssl.create_default_context(cafile=str(cert))
    url = f"https://127.0.0.1:{cfg['https_port']}/healthz"
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, context=context, timeout=2) as response:  # nosec B310 - a fixed https URL on loopback
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"the stack did not answer on {url}; see {cfg['dir'] / 'logs'}")
        time.sleep(0.3)


def start(with_celery: bool) -> None:
    cfg = config()
    folder = cfg["dir"]
    if running(folder):
        sys.exit(f"already running (scripts/prod_local.py stop first): {folder}")
    (folder / "logs").mkdir(parents=True, exist_ok=True)
    env = django_env(cfg)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    cert, key = certificate(folder)
    conf = nginx_conf(cfg, env, cert, key)
    gunicorn = str(Path(PYTHON).with_name("gunicorn"))
    spawn(
        "gunicorn",
        [gunicorn, "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "rainbow_portal.wsgi"],
        env,
        folder,
    )
    # The web node's activity drain (deploy/systemd/rainbow-portal-activity-drain.service).
    spawn("drain", [PYTHON, str(ROOT / "manage.py"), "activity_drain", "--loop"], env, folder)
    if with_celery:
        celery = str(Path(PYTHON).with_name("celery"))
        spawn("worker", [celery, "-A", "rainbow_portal", "worker", "-l", "info"], env, folder)
        schedule = str(folder / "var" / "celerybeat-schedule")
        spawn("beat", [celery, "-A", "rainbow_portal", "beat", "-s", schedule], env, folder)
    subprocess.run(  # nosec B603 B607 - nginx from PATH, fixed arguments, no shell
        [
            "nginx",
            "-p",
            str(folder),
            "-e",
            str(folder / "logs" / "nginx-error.log"),
            "-c",
            str(conf),
        ],
        check=True,
    )
    try:
        wait_ready(cfg, cert)
    except SystemExit:
        stop()  # nothing of a failed start is left running
        raise
    state = {
        "https": f"https://127.0.0.1:{cfg['https_port']}",
        "http": f"http://127.0.0.1:{cfg['http_port']}",
        "gunicorn": f"http://127.0.0.1:{cfg['gunicorn_port']}",
        "certificate": str(cert),
        "metrics_token": env["METRICS_TOKEN"],
    }
    (folder / "stack.json").write_text(json.dumps(state, indent=2))
    print(f"Rainbow Portal (production profile) at {state['https']}/ — stop: make prod-local-stop")


def _pid(path: Path) -> int | None:
    try:
        pid = int(path.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        return None


def running(folder: Path) -> list[str]:
    names = ("nginx", "gunicorn", "drain", "worker", "beat")
    return [n for n in names if _pid(folder / f"{n}.pid")]


def stop() -> None:
    folder = config()["dir"]
    # nginx first (no new requests), then the web workers finish theirs; beat before the worker.
    order = ("nginx", "gunicorn", "drain", "beat", "worker")
    for name in order:
        sig = signal.SIGQUIT if name == "nginx" else signal.SIGTERM
        pid = _pid(folder / f"{name}.pid")
        if pid is None:
            continue
        os.kill(pid, sig)
        deadline = time.monotonic() + 30
        while _pid(folder / f"{name}.pid") and time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.1)
        if _pid(folder / f"{name}.pid"):
            os.kill(pid, signal.SIGKILL)
        (folder / f"{name}.pid").unlink(missing_ok=True)
    shutil.rmtree(folder / "prometheus", ignore_errors=True)
    print("stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description="The production profile on 127.0.0.1.")
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--with-celery", action="store_true", help="also a worker and beat")
    args = parser.parse_args()
    if args.action == "start":
        start(args.with_celery)
    elif args.action == "stop":
        stop()
    else:
        names = running(config()["dir"])
        print("running: " + ", ".join(names) if names else "not running")


if __name__ == "__main__":
    main()
