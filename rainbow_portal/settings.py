"""Settings for Rainbow Portal: one module, driven by the environment (12-factor).

Development needs nothing set: SQLite under var/, Celery's filesystem broker under var/celery/,
email to a file outbox, and keys generated into var/.env on first run. Production (DEBUG=0)
refuses to start without SECRET_KEY, ALLOWED_HOSTS and the data keys.
"""

import os
from datetime import date
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from . import envconfig as env
from . import logjson

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR") or BASE_DIR / "var")

env.read_env_file(VAR_DIR / ".env")
DEBUG = env.get_bool("DEBUG", True)
if DEBUG:
    env.ensure_dev_keys(VAR_DIR / ".env")

SECRET_KEY = env.get_required("SECRET_KEY")
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters.")
# Master key wrapping the per-company data keys (SPEC §9.1) and the activity-log key (SPEC §10.2).
DATA_MASTER_KEY = env.get_key32("DATA_MASTER_KEY")
ACTIVITY_KEY = env.get_key32("ACTIVITY_KEY")
# Rotation (ASVS V11.2.2): a new key gets a new id; the retired ones (`id:base64,...`) open
# older values only: sealed secrets by their id, company keys (the vault) until
# `manage.py rotate_keys` has re-wrapped them under the current one. docs/architecture.md
DATA_MASTER_KEY_ID = env.get_key_id("DATA_MASTER_KEY_ID")
env.refuse_renamed("DATA_MASTER_KEY_PREVIOUS", "DATA_MASTER_KEY_RETIRED", "id:base64")
DATA_MASTER_KEY_RETIRED = env.get_retired_keys("DATA_MASTER_KEY_RETIRED", DATA_MASTER_KEY_ID)
ACTIVITY_KEY_ID = env.get_key_id("ACTIVITY_KEY_ID")
ACTIVITY_KEY_RETIRED = env.get_retired_keys("ACTIVITY_KEY_RETIRED", ACTIVITY_KEY_ID)
# Database backups (docs/backups.md): sealed with their own key, optional until a backup runs.
BACKUP_KEY = env.get_key32("BACKUP_KEY") if os.environ.get("BACKUP_KEY") else None
BACKUP_KEY_ID = env.get_key_id("BACKUP_KEY_ID")
BACKUP_KEY_RETIRED = env.get_retired_keys("BACKUP_KEY_RETIRED", BACKUP_KEY_ID)
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR") or VAR_DIR / "backups")
BACKUP_KEEP_DAYS = env.get_int("BACKUP_KEEP_DAYS", 14)
# Keyed digests of codes, links and rate-limit keys (D10c.1): their own key, not SECRET_KEY.
DIGEST_KEY = env.get_key32("DIGEST_KEY")
# Digests made before DIGEST_KEY (keyed by SECRET_KEY) verify until this date, then no more.
DIGEST_LEGACY_UNTIL = env.get_date("DIGEST_LEGACY_UNTIL", date(2027, 3, 1))

ALLOWED_HOSTS = env.get_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the portal's host names when DEBUG=0.")
CSRF_TRUSTED_ORIGINS = env.get_list("CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies whose X-Forwarded-Proto/-For are believed (addresses or CIDR networks);
# none by default (rainbow_portal.middleware.TrustedProxyMiddleware).
TRUSTED_PROXIES = env.get_networks("TRUSTED_PROXIES")

PORTAL_REGION = env.get_choice(
    "PORTAL_REGION", "EMEA", {"EMEA", "Germany", "NA", "CALA", "APAC", "China"}
)
# The portal's public address: every link in an email is built on it. In development it
# follows PORTAL_ADDR, the address scripts/dev.py serves on (default 127.0.0.1:8000); in
# production it defaults to https:// on the first ALLOWED_HOSTS name and must be https.
PORTAL_BASE_URL = os.environ.get(
    "PORTAL_BASE_URL",
    f"http://{os.environ.get('PORTAL_ADDR', '127.0.0.1:8000')}"
    if DEBUG
    else f"https://{ALLOWED_HOSTS[0].lstrip('.')}",
).rstrip("/")
if not DEBUG and not PORTAL_BASE_URL.startswith("https://"):
    raise ImproperlyConfigured("PORTAL_BASE_URL must be an https:// address when DEBUG=0.")
# The product's one name, in every email subject and page title.
PORTAL_NAME = "Rainbow Portal"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "activity",
    "companies",
    "accounts",
    "bubbles",
    "retention",
    "subscriptions",
    "vault",
    "sso",
]

# Number inputs render as text with a numeric keyboard (issue 14, core/forms.py).
FORM_RENDERER = "core.forms.PortalFormRenderer"

MIDDLEWARE = [
    "rainbow_portal.middleware.TrustedProxyMiddleware",
    "rainbow_portal.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "rainbow_portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rainbow_portal.replicas.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before CommonMiddleware (Django's documented place): the language
    # cookie, then Accept-Language; a signed-in user's own choice wins (UserLanguageMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "activity.middleware.RequestActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AccountSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
# Skipped by API calls made with a personal token (rainbow_portal.handlers, D16c.1): each
# serves browser sessions only, and such a call never reads the session. A middleware not
# named here runs on those calls too.
BROWSER_ONLY_MIDDLEWARE = [
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.language.UserLanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.AccountSecurityMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "rainbow_portal.urls"
WSGI_APPLICATION = "rainbow_portal.wsgi.application"
ASGI_APPLICATION = "rainbow_portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": env.get_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded default serves a web server, a worker and beat at once: writers wait for
    # each other (IMMEDIATE transactions, a busy timeout) instead of failing with "database is
    # locked", and WAL lets readers go on while one writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.get_int("DATABASE_CONN_MAX_AGE", 0 if DEBUG else 60)
# A persistent connection is checked before a new request reuses it: after a PostgreSQL
# restart the first request reconnects instead of failing (issue 15, faults).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Django's backend with a health check at most once a second per connection, not one
# round trip per request (rainbow_portal/postgresql/base.py).
_PG_ENGINE = "rainbow_portal.postgresql"
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["ENGINE"] = _PG_ENGINE
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.get_int("DATABASE_CONNECT_TIMEOUT", 5)
    )
# Read replica (docs/replicas.md): the directory search, profile and list selectors read
# from it; writes, transactions and a client's reads just after a write stay on the primary.
DATABASE_REPLICA_ALIAS = None
if os.environ.get("DATABASE_REPLICA_URL"):
    _replica = env.get_database("DATABASE_REPLICA_URL", "")
    if not _replica["ENGINE"].endswith("postgresql"):
        raise ImproperlyConfigured("DATABASE_REPLICA_URL must be a postgres:// URL.")
    _replica.setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.get_int("DATABASE_REPLICA_CONNECT_TIMEOUT", 2)
    )
    _replica.update(
        ENGINE=_PG_ENGINE,
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        # Tests never build a database on the replica: it streams the primary's.
        TEST={"MIRROR": "default"},
    )
    DATABASES["replica"] = _replica
    DATABASE_REPLICA_ALIAS = "replica"
DATABASE_ROUTERS = ["rainbow_portal.replicas.ReplicaRouter"]
# A failed replica is skipped for this long (seconds); a client that wrote reads the
# primary for this long (its next pages show its change even if the replica lags).
REPLICA_RETRY_SECONDS = env.get_int("REPLICA_RETRY_SECONDS", 30)
REPLICA_STICKY_SECONDS = env.get_int("REPLICA_STICKY_SECONDS", 10)
DATABASES["default"].setdefault("TEST", {})
if os.environ.get("DATABASE_TEST_NAME"):
    DATABASES["default"]["TEST"]["NAME"] = os.environ["DATABASE_TEST_NAME"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    env.get_url("REDIS_URL", REDIS_URL, {"redis", "rediss", "unix"})
    # Short timeouts: a Redis that hangs fails a request in seconds, not forever (the sign-in
    # counters then fail closed, accounts/security/ratelimit.py).
    _redis_timeout = env.get_int("REDIS_TIMEOUT", 2)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": _redis_timeout,
                "socket_timeout": _redis_timeout,
            },
        }
    }
elif not DEBUG:
    # Rate limits and the unknown-address lockout live in the cache: a per-process cache
    # would give every worker its own counts (SPEC §7.3, §7.9).
    raise ImproperlyConfigured(
        "REDIS_URL must be set when DEBUG=0: rate limits and sign-in lockouts need a cache "
        "shared by every worker process."
    )
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# ModelBackend with a one-query session user (accounts/backends.py, issue 15).
AUTHENTICATION_BACKENDS = ["accounts.backends.PortalBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "accounts:login"
# SPEC §7.4: Argon2id first; PBKDF2-SHA256 hashes still verify and are upgraded at next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.security.password_policy.SpecPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

SESSION_COOKIE_AGE = env.get_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_COOKIE_HTTPONLY = True
# SPEC §7: a session idle this long is ended (seconds); lockout and code rules per §7.2–7.3.
SESSION_IDLE_TIMEOUT = env.get_int("SESSION_IDLE_TIMEOUT", 30 * 60)
OTP_TOTP_ISSUER = "Rainbow Portal"
# Per-IP limits on sign-in failures, reset-code requests and sign-ups (counted in the cache).
LOGIN_IP_FAILURE_LIMIT = env.get_int("LOGIN_IP_FAILURE_LIMIT", 30)
ACCOUNT_IP_REQUEST_LIMIT = env.get_int("ACCOUNT_IP_REQUEST_LIMIT", 20)
ACCOUNT_IP_WINDOW = env.get_int("ACCOUNT_IP_WINDOW", 15 * 60)
# SPEC §7.9: every action that sends email, limited per user, per company and per address
# (accounts.security.ratelimit.email_action_limit): {action: {scope: (emails, seconds)}}.
# Reset codes have their own per-address cap (accounts.security.services, SPEC §7.2).
_HOUR, _DAY = 3600, 86400
EMAIL_ACTION_LIMITS = {
    "signup": {"address": (5, _HOUR)},
    "network_invitation": {"user": (20, _HOUR), "company": (500, _HOUR), "address": (10, _DAY)},
    "company_invitation": {"user": (200, _HOUR), "company": (200, _HOUR), "address": (5, _DAY)},
    "visibility_request": {"user": (10, _HOUR), "company": (20, _HOUR)},
    "guest_invitation": {"user": (50, _HOUR), "company": (500, _HOUR), "address": (5, _DAY)},
}
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True


# --- Invoices (issue 14): the issuer printed on every invoice, VAT and payment terms ---------
# Development has a sample issuer; production must name the real one. The address's lines
# are separated by "|" (one env var).
def _issuer(name: str, sample: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value and not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG=0 (printed on invoices).")
    return value or sample


INVOICE_ISSUER_NAME = _issuer("INVOICE_ISSUER_NAME", "Rainbow Portal SAS")
INVOICE_ISSUER_ADDRESS = _issuer("INVOICE_ISSUER_ADDRESS", "1 rue de l'Exemple|75001 Paris|France")
INVOICE_ISSUER_VAT_NUMBER = _issuer("INVOICE_ISSUER_VAT_NUMBER", "FR00123456789")
# Percent, e.g. 20 or 20.00 (decimal): applied to each invoice's net total.
INVOICE_VAT_RATE = env.get_decimal("INVOICE_VAT_RATE", "20.00")
INVOICE_PAYMENT_DAYS = env.get_int("INVOICE_PAYMENT_DAYS", 30)

# --- Internationalisation ------------------------------------------------------------------
# English and French (issue 14). Pages follow the signed-in user's choice (User.language),
# else the language cookie set by the switcher, else the browser's Accept-Language; emails
# go out in the recipient's language (core.services.email_send).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Dates: one format per language on every page (rainbow_portal/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["rainbow_portal.formats"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# Encrypted message attachments and files (SPEC §9.1): a local folder by default; an
# S3-compatible store by setting VAULT_STORAGE_BACKEND=storages.backends.s3.S3Storage and
# VAULT_STORAGE_OPTIONS (JSON: bucket_name, endpoint_url, region_name...; the credentials come
# from the environment, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY read by django-storages, never
# from these options). Names in it are random. The local folder is the default location only
# for the local backend: for S3 "location" would be a key prefix.
_VAULT_LOCAL = "django.core.files.storage.FileSystemStorage"
_vault_backend = os.environ.get("VAULT_STORAGE_BACKEND") or _VAULT_LOCAL
STORAGES["vault"] = {
    "BACKEND": _vault_backend,
    "OPTIONS": env.get_json(
        "VAULT_STORAGE_OPTIONS",
        {"location": str(VAR_DIR / "vault")} if _vault_backend == _VAULT_LOCAL else {},
    ),
}
VAULT_STORAGE = os.environ.get("VAULT_STORAGE", "vault")  # the STORAGES alias used
# Ciphertext is written here while the scan runs, then moved into the storage (same
# filesystem as var/ by default, so the move is a rename).
VAULT_TEMP_DIR = Path(os.environ.get("VAULT_TEMP_DIR") or VAR_DIR / "vault-incoming")
# SPEC §9.2: the upload cap (checked before scanning) and the ClamAV daemon (fail closed).
UPLOAD_MAX_BYTES = env.get_int("UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
if UPLOAD_MAX_BYTES < 1:
    raise ImproperlyConfigured("UPLOAD_MAX_BYTES must be a positive number of bytes.")
CLAMD_SOCKET = os.environ.get("CLAMD_SOCKET", "/run/clamav/clamd.ctl")
CLAMD_TIMEOUT = env.get_int("CLAMD_TIMEOUT", 30)

# --- Email ----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Rainbow Portal <no-reply@portal.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env.get_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.get_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.get_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.get_int("EMAIL_TIMEOUT", 20)
EMAIL_FILE_PATH = VAR_DIR / "outbox"
if EMAIL_HOST:
    EMAIL_BACKEND = "core.mail.DkimSmtpBackend"
elif DEBUG:
    # Development outbox: one file per message, listed at /dev/outbox/ while DEBUG is on.
    EMAIL_BACKEND = "core.mail.OutboxBackend"
else:
    raise ImproperlyConfigured("EMAIL_HOST must be set when DEBUG=0 (the portal sends mail).")
DKIM_DOMAIN = os.environ.get("DKIM_DOMAIN", "")
DKIM_SELECTOR = os.environ.get("DKIM_SELECTOR", "")
DKIM_PRIVATE_KEY_FILE = os.environ.get("DKIM_PRIVATE_KEY_FILE", "")
if bool(DKIM_DOMAIN) != bool(DKIM_SELECTOR) or bool(DKIM_DOMAIN) != bool(DKIM_PRIVATE_KEY_FILE):
    raise ImproperlyConfigured(
        "DKIM_DOMAIN, DKIM_SELECTOR and DKIM_PRIVATE_KEY_FILE must be set together (or none)."
    )
if DKIM_PRIVATE_KEY_FILE and not Path(DKIM_PRIVATE_KEY_FILE).is_file():
    raise ImproperlyConfigured(f"DKIM_PRIVATE_KEY_FILE {DKIM_PRIVATE_KEY_FILE!r} is not a file.")

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = env.get_url(
    "CELERY_BROKER_URL", "filesystem://", {"filesystem", "redis", "rediss", "amqp", "memory"}
)
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The embedded broker: its folders must exist before Celery starts, and "in" and "out"
    # must be the same folder (STACK.md).
    # The control folder (broadcast exchanges) defaults to ./control in the working directory.
    _queue = VAR_DIR / "celery" / "queue"
    _processed = VAR_DIR / "celery" / "processed"
    _control = VAR_DIR / "celery" / "control"
    for _folder in (_queue, _processed, _control):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue),
        "data_folder_out": str(_queue),
        "processed_folder": str(_processed),
        "control_folder": str(_control),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env.get_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a crashed worker's task is delivered again, never lost
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False  # workers log through LOGGING (JSON, redacted)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous call a 401, not a 403.
        # Personal tokens of SPEC §7.8 (DRF's authtoken is gone: D10a.7).
        "accounts.security.authentication.PersonalTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "rainbow_portal.negotiation.PortalContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["rainbow_portal.parsers.SafeJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rainbow_portal.exceptions.api_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # SPEC §7.9: per token and per user, in the shared cache; 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "accounts.security.throttles.ApiThrottle",
    ],
    # REMOTE_ADDR only: a client's own X-Forwarded-For never picks a throttle bucket.
    "NUM_PROXIES": 0,
}
API_THROTTLE_RATES = {
    "token": env.get_rate("API_THROTTLE_TOKEN", "300/minute"),
    "user": env.get_rate("API_THROTTLE_USER", "600/minute"),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Rainbow Portal API",
    "DESCRIPTION": "Administration and security API of Rainbow Portal. Errors share one format: "
    '{"error": {"code": ..., "message": ..., "fields": {...}}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets named explicitly so the schema is stable: a standalone user's own mode
    # (SPEC §2.2) is a subset of the company modes; two choice sets share the name "kind".
    "ENUM_NAME_OVERRIDES": {
        "OwnVisibilityEnum": [("public", "public"), ("private", "private")],
        "SystemKindEnum": "subscriptions.models.System.Kind",
        "IdentityProviderKindEnum": "sso.models.IdentityProvider.Kind",
    },
    # Request and response shapes differ (write-only and read-only fields): two components.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rainbow_portal.openapi.add_error_responses",
    ],
}

# --- Bubbles (SPEC §6) ----------------------------------------------------------------------
# Hours a guest's single-use link stays valid (SPEC §6.2: 48 h by default).
BUBBLE_GUEST_LINK_HOURS = env.get_int("BUBBLE_GUEST_LINK_HOURS", 48)

# --- Activity log (SPEC §10) ---------------------------------------------------------------
# Probes are not user requests; recording them would bury the log (docs/decisions.md).
ACTIVITY_SKIP_PATHS = ("/healthz", "/readyz", "/metrics", "/static/", "/favicon.ico")
# Request records are pushed onto a Redis list and drained into the table in batches (D15c.1):
# the broker's Redis by default in production (it must not evict, and persists with AOF),
# none in development (written directly). ACTIVITY_QUEUE_URL=off writes directly anywhere.
_queue_default = (
    CELERY_BROKER_URL
    if not DEBUG and CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else ""
)
ACTIVITY_QUEUE_URL = os.environ.get("ACTIVITY_QUEUE_URL", _queue_default)
if ACTIVITY_QUEUE_URL == "off":
    ACTIVITY_QUEUE_URL = ""
if ACTIVITY_QUEUE_URL:
    env.get_url("ACTIVITY_QUEUE_URL", ACTIVITY_QUEUE_URL, {"redis", "rediss", "unix"})
ACTIVITY_QUEUE_KEY = os.environ.get("ACTIVITY_QUEUE_KEY", "rainbow:activity:queue")
# Cheaper still (D16sp.1): each web process appends its records to its own spool file in this
# folder, drained by `manage.py activity_drain --loop` on the same node (and the beat task).
# Production default: var/activity-spool; development: none. ACTIVITY_SPOOL_DIR=off: no spool
# (then the queue above, or the direct write). A spool write that fails goes to those.
ACTIVITY_SPOOL_DIR = os.environ.get(
    "ACTIVITY_SPOOL_DIR", "" if DEBUG else str(VAR_DIR / "activity-spool")
).strip()
if ACTIVITY_SPOOL_DIR == "off":
    ACTIVITY_SPOOL_DIR = ""
if ACTIVITY_SPOOL_DIR:
    if not os.path.isabs(ACTIVITY_SPOOL_DIR):
        raise ImproperlyConfigured("ACTIVITY_SPOOL_DIR must be an absolute path (or off).")
    try:
        Path(ACTIVITY_SPOOL_DIR).mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"ACTIVITY_SPOOL_DIR {ACTIVITY_SPOOL_DIR!r} cannot be created ({exc.strerror})."
        ) from None
    if not os.access(ACTIVITY_SPOOL_DIR, os.W_OK | os.X_OK):
        raise ImproperlyConfigured(
            f"ACTIVITY_SPOOL_DIR {ACTIVITY_SPOOL_DIR!r} is not writable by this user "
            "(or set it to off)."
        )
# The writer hands its file to the drain (renamed .ready) when it is older than this.
ACTIVITY_SPOOL_ROTATE_SECONDS = env.get_int("ACTIVITY_SPOOL_ROTATE_SECONDS", 1)
if ACTIVITY_SPOOL_ROTATE_SECONDS < 1:
    raise ImproperlyConfigured("ACTIVITY_SPOOL_ROTATE_SECONDS must be at least 1.")
ACTIVITY_DRAIN_BATCH = env.get_int("ACTIVITY_DRAIN_BATCH", 2000)
ACTIVITY_DRAIN_MEMORY_DAYS = 3

# --- Retention (SPEC §8) --------------------------------------------------------------------
# Accounts per batch (one transaction each); workers the daily beat job fans out to; a pause
# between accounts (RETENTION_ACCOUNT_PAUSE_MS: throttling, and the crash test's window).
RETENTION_BATCH_SIZE = env.get_int("RETENTION_BATCH_SIZE", 1000)
RETENTION_WORKERS = env.get_int("RETENTION_WORKERS", 2)
RETENTION_ACCOUNT_PAUSE = env.get_int("RETENTION_ACCOUNT_PAUSE_MS", 0) / 1000
# SPEC §10.3: activity records are kept twelve months; the purge deletes this many per batch.
ACTIVITY_RETENTION_DAYS = env.get_int("ACTIVITY_RETENTION_DAYS", 365)
ACTIVITY_PURGE_BATCH = env.get_int("ACTIVITY_PURGE_BATCH", 20000)
# Data exports (GDPR Art. 20): how long the download link works (hours).
DATA_EXPORT_TTL_HOURS = env.get_int("DATA_EXPORT_TTL_HOURS", 72)

# --- Security (SPEC §9.3) ----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.get_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Logs (docs/deploy.md): JSON lines in production, personal data redacted (rainbow_portal.logjson);
# ACCESS_LOG writes one line per request with the route pattern, never the path or address.
LOGGING = logjson.logging_config(
    os.environ.get("LOG_LEVEL", "INFO"),
    env.get_choice("LOG_FORMAT", "text" if DEBUG else "json", {"text", "json"}),
)
ACCESS_LOG = env.get_bool("ACCESS_LOG", not DEBUG)
# /metrics (Prometheus): denied unless the caller is in METRICS_ALLOWED_NETWORKS or sends
# "Authorization: Bearer <METRICS_TOKEN>"; queue depth is read for METRICS_CELERY_QUEUES.
METRICS_ALLOWED_NETWORKS = env.get_networks("METRICS_ALLOWED_NETWORKS")
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters (or unset).")
METRICS_CELERY_QUEUES = env.get_list("METRICS_CELERY_QUEUES", ["celery"])
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

# External sign-in (SPEC §7.6, sso/). Clock skew for SAML validity windows and OIDC token
# times; loopback fetches of metadata/discovery are for the test suite's local IdPs only.
SSO_CLOCK_SKEW_SECONDS = env.get_int("SSO_CLOCK_SKEW_SECONDS", 120)
SSO_ALLOW_LOOPBACK_FETCH = False
SSO_FETCH_PUBLIC = True
