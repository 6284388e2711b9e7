"""The applications, the middleware chain, templates and languages."""

from .base import BASE_DIR

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
