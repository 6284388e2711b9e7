"""Start-up configuration: bad settings stop start-up with a message naming the setting, and
production settings pass Django's deploy check (issue #2)."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path, **overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE", "CELERY", "EMAIL", "DKIM", "SECRET", "DEBUG"))
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"  # set by the browser tests for their own process
    }
    env.update(
        PORTAL_VAR_DIR=str(tmp_path),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATA_MASTER_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        ACTIVITY_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        DIGEST_KEY=base64.b64encode(secrets.token_bytes(32)).decode(),
        ALLOWED_HOSTS="portal.example.com",
        EMAIL_HOST="smtp.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # Never connected to by `check`: a port nothing listens on.
        REDIS_URL="redis://127.0.0.1:1/0",
        INVOICE_ISSUER_NAME="Example SAS",
        INVOICE_ISSUER_ADDRESS="1 rue Exemple|75001 Paris|France",
        INVOICE_ISSUER_VAT_NUMBER="FR00123456789",
    )
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    result = run_manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "mysql://db/portal"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://"}, "DATABASE_URL"),
        ({"CELERY_BROKER_URL": "kafka://x"}, "CELERY_BROKER_URL"),
        ({"DATA_MASTER_KEY": "not-base64!"}, "DATA_MASTER_KEY"),
        ({"ACTIVITY_KEY": base64.b64encode(b"short").decode()}, "ACTIVITY_KEY"),
        ({"DIGEST_KEY": None}, "DIGEST_KEY"),
        ({"DIGEST_KEY": "not-base64!"}, "DIGEST_KEY"),
        ({"DIGEST_LEGACY_UNTIL": "next spring"}, "DIGEST_LEGACY_UNTIL"),
        ({"DATA_MASTER_KEY_ID": "0"}, "DATA_MASTER_KEY_ID"),
        ({"DATA_MASTER_KEY_RETIRED": "one:abc"}, "DATA_MASTER_KEY_RETIRED"),
        # The old name of the rotation list (D11c.3): refused, naming the one to use.
        (
            {"DATA_MASTER_KEY_PREVIOUS": base64.b64encode(b"o" * 32).decode()},
            "DATA_MASTER_KEY_RETIRED",
        ),
        (
            {"ACTIVITY_KEY_RETIRED": "1:" + base64.b64encode(b"x" * 32).decode()},
            "ACTIVITY_KEY_RETIRED",
        ),
        ({"EMAIL_HOST": None}, "EMAIL_HOST"),
        ({"EMAIL_PORT": "twenty-five"}, "EMAIL_PORT"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"PORTAL_REGION": "Mars"}, "PORTAL_REGION"),
        ({"DKIM_DOMAIN": "portal.test"}, "DKIM_DOMAIN"),
        # Limits and lockouts counted per process would differ per worker (SPEC §7.3, §7.9).
        ({"REDIS_URL": None}, "REDIS_URL"),
        ({"REDIS_URL": "memcached://cache:11211"}, "REDIS_URL"),
        ({"API_THROTTLE_USER": "lots"}, "API_THROTTLE_USER"),
        # Emails' links must be https in production; invoices must name the real issuer.
        ({"PORTAL_BASE_URL": "http://portal.example.com"}, "PORTAL_BASE_URL"),
        ({"INVOICE_ISSUER_VAT_NUMBER": None}, "INVOICE_ISSUER_VAT_NUMBER"),
        ({"INVOICE_ISSUER_NAME": None}, "INVOICE_ISSUER_NAME"),
        ({"INVOICE_VAT_RATE": "twenty"}, "INVOICE_VAT_RATE"),
        ({"INVOICE_VAT_RATE": "19.999"}, "INVOICE_VAT_RATE"),
    ],
)
def test_bad_setting_stops_startup_naming_it(tmp_path, override, named):
    result = run_manage(production_env(tmp_path, **override), "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.splitlines()[-1]


def test_email_links_default_to_https_on_the_first_host_in_production(tmp_path):
    code = "from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    result = run_manage(production_env(tmp_path), "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "https://portal.example.com", result.stderr


def test_the_base_url_follows_the_dev_servers_address_in_development(tmp_path):
    env = {k: v for k, v in production_env(tmp_path).items() if k != "PORTAL_BASE_URL"}
    env.update(DEBUG="1", PORTAL_ADDR="127.0.0.1:8171")
    code = "from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    result = run_manage(env, "shell", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == "http://127.0.0.1:8171", result.stderr


def test_development_keys_are_generated_once_into_an_ignored_file(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "DATA_MASTER_KEY",
            "ACTIVITY_KEY",
            "DIGEST_KEY",
            "DEBUG",
            "DATABASE_URL",
        }
    }
    env["PORTAL_VAR_DIR"] = str(tmp_path)
    assert run_manage(env, "check").returncode == 0
    first = (tmp_path / ".env").read_text()
    assert "SECRET_KEY=" in first and "DATA_MASTER_KEY=" in first and "ACTIVITY_KEY=" in first
    assert "DIGEST_KEY=" in first
    assert oct((tmp_path / ".env").stat().st_mode & 0o777) == "0o600"
    assert run_manage(env, "check").returncode == 0
    assert (tmp_path / ".env").read_text() == first  # stable across restarts
    ignored = subprocess.run(["git", "check-ignore", "var/.env"], cwd=ROOT, capture_output=True)
    assert ignored.returncode == 0


def test_production_trusts_proxy_headers_only_from_trusted_proxies(tmp_path):
    """Django's SECURE_PROXY_SSL_HEADER believes X-Forwarded-Proto from any client; production
    leaves it unset and lets TrustedProxyMiddleware decide (TRUSTED_PROXIES, none by default)."""
    code = (
        "from django.conf import settings as s; "
        "print(getattr(s, 'SECURE_PROXY_SSL_HEADER', None), s.TRUSTED_PROXIES, s.MIDDLEWARE[0])"
    )
    result = run_manage(production_env(tmp_path), "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "None",
        "[]",
        "rainbow_portal.middleware.TrustedProxyMiddleware",
    ]
    result = run_manage(
        production_env(tmp_path, TRUSTED_PROXIES="10.0.0.5, 10.1.0.0/16"), "shell", "-c", code
    )
    assert "['10.0.0.5/32', '10.1.0.0/16']" in result.stdout


def test_the_vault_on_s3_is_configured_by_the_environment_alone(tmp_path):
    """docs/deploy.md's S3 example: the options as JSON, the credentials left to boto3's own
    reading of the environment, and no local-folder default leaking in as a key prefix."""
    code = (
        "import json; from django.conf import settings; from vault.files import vault_storage; "
        "s = vault_storage(); "
        "print(json.dumps([settings.STORAGES['vault'], type(s).__name__, s.bucket_name, "
        "s.location, s.access_key, s.secret_key]))"
    )
    options = '{"bucket_name": "rainbow-vault-emea", "region_name": "eu-west-3"}'
    s3 = production_env(
        tmp_path,
        VAULT_STORAGE_BACKEND="storages.backends.s3.S3Storage",
        AWS_ACCESS_KEY_ID="AKIAEXAMPLE",
        AWS_SECRET_ACCESS_KEY="example-secret",
    )
    result = run_manage(s3, "shell", "-c", code)
    assert result.returncode == 0, result.stderr
    storage, kind, bucket, location, key, secret = json.loads(result.stdout.splitlines()[-1])
    assert storage == {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {}}
    assert (kind, bucket, location) == ("S3Storage", None, "")
    # The credentials reach the storage from the environment, not through any setting.
    assert (key, secret) == ("AKIAEXAMPLE", "example-secret")
    result = run_manage({**s3, "VAULT_STORAGE_OPTIONS": options}, "shell", "-c", code)
    storage, kind, bucket, location, key, secret = json.loads(result.stdout.splitlines()[-1])
    assert (kind, bucket, location) == ("S3Storage", "rainbow-vault-emea", ""), result.stderr
    check = run_manage(
        {**s3, "VAULT_STORAGE_OPTIONS": options}, "check", "--deploy", "--fail-level", "WARNING"
    )
    assert check.returncode == 0, check.stdout + check.stderr
    # The local backend keeps its folder under the var directory.
    local = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES))"
    result = run_manage(production_env(tmp_path), "shell", "-c", local)
    assert json.loads(result.stdout.splitlines()[-1])["vault"]["OPTIONS"] == {
        "location": str(tmp_path / "vault")
    }
