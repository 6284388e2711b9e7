"""Reading the environment: one place that turns env vars into typed values or a clear error.

Every failure raises ImproperlyConfigured naming the variable, so start-up stops with a message
a person can act on (issue #2, "Bad input").
"""

import base64
import binascii
import ipaddress
import json
import os
import secrets
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}

# Keys generated for development on first run, written to an ignored file, never committed.
GENERATED_KEYS = {
    "SECRET_KEY": lambda: secrets.token_urlsafe(50),
    "DATA_MASTER_KEY": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
    "ACTIVITY_KEY": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
    "DIGEST_KEY": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
    "BACKUP_KEY": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
}


def read_env_file(path: Path) -> None:
    """Load KEY=VALUE lines into os.environ without overriding what the environment already says."""
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                os.environ.setdefault(key.strip(), value.strip())


def ensure_dev_keys(path: Path) -> None:
    """Generate missing development keys into `path` (mode 0600) and load them."""
    missing = {k: make() for k, make in GENERATED_KEYS.items() if not os.environ.get(k)}
    if not missing:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text() if path.exists() else ""
    with path.open("a") as fh:
        if not existing:
            fh.write("# Development keys generated on first run. Never commit this file.\n")
        for key, value in missing.items():
            if f"{key}=" not in existing:
                fh.write(f"{key}={value}\n")
    path.chmod(0o600)
    read_env_file(path)


def get_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0/true/false/yes/no/on/off, not {raw!r}.")


def get_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def get_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def get_required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in the environment.")
    return value


def get_key32(name: str) -> bytes:
    """A 256-bit key given as base64."""
    return _decode_key32(name, get_required(name))


def _decode_key32(name: str, raw: str) -> bytes:
    try:
        key = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name} must be base64 of 32 random bytes.") from None
    if len(key) != 32:
        raise ImproperlyConfigured(f"{name} must decode to 32 bytes, not {len(key)}.")
    return key


def get_key_id(name: str, default: int = 1) -> int:
    value = get_int(name, default)
    if not 1 <= value <= 255:
        raise ImproperlyConfigured(f"{name} must be a key id from 1 to 255, not {value}.")
    return value


def get_retired_keys(name: str, current_id: int) -> dict[int, bytes]:
    """Keys kept only to open older values after a rotation: `id:base64,id:base64`."""
    keys: dict[int, bytes] = {}
    for item in get_list(name, []):
        kid, sep, raw = item.partition(":")
        if not sep or not kid.strip().isdigit() or not 1 <= int(kid) <= 255:
            raise ImproperlyConfigured(
                f"{name} must be a comma-separated list of id:base64-key (ids 1-255)."
            )
        if int(kid) == current_id:
            raise ImproperlyConfigured(f"{name} lists key id {kid}, which is the current key.")
        keys[int(kid)] = _decode_key32(name, raw.strip())
    return keys


def get_date(name: str, default: date | None) -> date | None:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip().lower() in {"", "none", "never"}:
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date (YYYY-MM-DD) or 'never'.") from None


def get_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    scheme = urlparse(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name} must be a sqlite:/// or postgres:// URL, not one with scheme {scheme!r}."
        )
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:  # django-environ raises several types for malformed URLs
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database.")
    return config


def get_url(name: str, default: str, schemes: set[str]) -> str:
    raw = os.environ.get(name) or default
    scheme = urlparse(raw).scheme
    if scheme not in schemes:
        allowed = ", ".join(sorted(schemes))
        raise ImproperlyConfigured(f"{name} must use one of: {allowed} (got {raw!r}).")
    return raw


def get_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        allowed = ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name} must be one of: {allowed} (got {value!r}).")
    return value


def refuse_renamed(old: str, new: str, shape: str) -> None:
    """A variable that was renamed: set, it stops the start with what to write instead (a
    silently ignored key would leave data unreadable after a rotation)."""
    if os.environ.get(old, "").strip():
        raise ImproperlyConfigured(
            f"{old} is no longer read: list those keys in {new} instead, as {shape} items "
            f"(the id each key had as its _ID), then remove {old}."
        )


def get_json(name: str, default):
    """A JSON value (an object of storage options, say)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} must be JSON: {exc}") from None


def get_rate(name: str, default: str) -> str:
    """A DRF throttle rate: "<requests>/<second|minute|hour|day>"."""
    raw = (os.environ.get(name) or default).strip()
    count, _, period = raw.partition("/")
    if not count.isdigit() or int(count) < 1 or period[:1] not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(
            f"{name} must look like 600/minute (requests per second, minute, hour or day), "
            f"not {raw!r}."
        )
    return raw


def get_decimal(name: str, default: str) -> Decimal:
    """A non-negative decimal number with at most two places, e.g. a VAT rate in percent."""
    raw = os.environ.get(name, "").strip() or default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if (
        value is None
        or not value.is_finite()
        or value < 0
        or value > 100
        or -value.as_tuple().exponent > 2
    ):
        raise ImproperlyConfigured(
            f"{name} must be a number from 0 to 100 with at most two decimals."
        )
    return value.quantize(Decimal("0.01"))


def get_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or networks (CIDR)."""
    out = []
    for item in get_list(name, []):
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks (e.g. 10.0.0.5,10.1.0.0/16), "
                f"not {item!r}."
            ) from None
    return out
