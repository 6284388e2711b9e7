"""The production settings the benchmarks run with (issue 9): DEBUG off and what
`check --deploy` asks for, from generated values unless the environment gives them. Keys are
fresh per run: a bench never reads data another run sealed."""

import base64
import os
import secrets
import tempfile


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def production_env(base: dict | None = None, **overrides: str) -> dict:
    env = dict(os.environ if base is None else base)
    env["DEBUG"] = "0"
    for name, make in (
        ("SECRET_KEY", lambda: secrets.token_urlsafe(50)),
        ("DATA_MASTER_KEY", _key),
        ("ACTIVITY_KEY", _key),
        ("DIGEST_KEY", _key),
        ("ALLOWED_HOSTS", lambda: "testserver"),
        # The load generator and Django's test clients call from loopback, like nginx does.
        ("TRUSTED_PROXIES", lambda: "127.0.0.1"),
        ("EMAIL_HOST", lambda: "smtp.bench.invalid"),  # nothing a bench does sends mail
        # Production needs a shared cache (rate limits, lockouts): this machine's Redis.
        ("REDIS_URL", lambda: "redis://127.0.0.1:6379/13"),
        ("PORTAL_VAR_DIR", lambda: tempfile.mkdtemp(prefix="bench-var-")),
        ("INVOICE_ISSUER_NAME", lambda: "Rainbow Portal (test)"),
        ("INVOICE_ISSUER_ADDRESS", lambda: "1 Test Street|Test City"),
        ("INVOICE_ISSUER_VAT_NUMBER", lambda: "FR00000000000"),
    ):
        if not env.get(name):
            env[name] = make()
    env.update(overrides)
    return env


def use_production_settings(**overrides: str) -> None:
    """For an in-process bench: call before django.setup()."""
    os.environ.update(production_env(**overrides))
