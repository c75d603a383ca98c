"""Settings shared by every environment; everything that differs comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .env import (
    BASE_DIR,
    VAR_DIR,
    cache_settings,
    data_keys,
    database_settings,
    env_bool,
    env_list,
    lookup_key,
    ratelimit_silenced_checks,
    secret_key,
)

PRODUCTION = False

SECRET_KEY = secret_key(required=False)
LINLI_DATA_KEYS = data_keys(required=False)
LINLI_LOOKUP_KEY = lookup_key(required=False)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "django_ratelimit",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "linli.core",
    "linli.places",
    "linli.accounts",
    "linli.residents",
    "linli.workorders",
    "linli.notices",
    "linli.meetings",
    "linli.bookings",
    "linli.lending",
    "linli.health",
    "linli.servicedesk",
    "linli.mediation",
    "linli.volunteers",
    "linli.tutoring",
    "linli.events",
    "linli.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "linli.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "linli.core.middleware.MalformedInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linli.urls"
WSGI_APPLICATION = "linli.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "linli" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "linli.core.context_processors.ui",
            ],
        },
    }
]

# Persistent connections (CONN_MAX_AGE, CONN_HEALTH_CHECKS) or, on PostgreSQL, psycopg's
# pool (DATABASE_POOL): see database_settings.
DATABASES = {"default": database_settings(f"sqlite:///{VAR_DIR / 'linli.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = "linli.core.sqlite"
    # WAL and a busy timeout let the web server and the task worker share the file safely;
    # IMMEDIATE transactions take the write lock up front, so concurrent writers queue
    # instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "linli.accounts.backends.UsernameOrMobileBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sign-in lockout (django-axes, linli/accounts/lockout.py), for fifteen minutes: five
# failures lock an account, whichever identifier was typed (username or mobile number) and
# from wherever; thirty failures from one address lock signing in from it for every account
# (higher, because the residents at a community centre share one NAT address). A success
# clears only its own account's failures from its own address.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
LINLI_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LINLI_LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "linli.accounts.lockout.LockoutHandler"
AXES_USERNAME_CALLABLE = "linli.accounts.lockout.lockout_username"
AXES_LOCKOUT_CALLABLE = "linli.accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "linli.core.audit.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# The proxies in front of the app server whose X-Forwarded-For is trusted for a client's
# address (linli.core.audit.client_ip): none for the embedded server, which clients reach
# directly.
LINLI_TRUSTED_PROXIES = int(os.environ.get("LINLI_TRUSTED_PROXIES", "0"))

# Rate limits (django-ratelimit, linli/core/ratelimits.py) as "count/period" (period s, m,
# h or d, e.g. "20/10m"; empty switches a limit off). Over a limit: 429 with Retry-After
# until its window passes.
LINLI_RATE_LIMITS = {
    # failed bearer or device tokens from one address; over it, every token from the
    # address is refused, valid ones too
    "token_failures": os.environ.get("LINLI_RATE_TOKEN_FAILURES", "20/10m") or None,
    # Open311 filings (POST requests.json/xml) from one address
    "open311_post": os.environ.get("LINLI_RATE_OPEN311_POSTS", "120/h") or None,
    # readings and check-ins of one home device
    "device_post": os.environ.get("LINLI_RATE_DEVICE_POSTS", "120/h") or None,
}

CACHES, SESSION_ENGINE = cache_settings(os.environ.get("REDIS_URL"))
SILENCED_SYSTEM_CHECKS = ratelimit_silenced_checks(CACHES)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "linli.core.errorviews.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts, styles and everything else only from this
# site, never inline, never eval; no plugins, no framing, forms post only here. Templates and
# Python-drawn markup keep no inline script, event handler attribute, script URL, style block
# or style attribute (tests/test_csp.py); behaviours live in static/linli/linli.js, wired by
# data- attributes. img-src allows data: for the icons Pico CSS and the API docs draw as SVG.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "linli" / "locale"]
LANGUAGE_COOKIE_NAME = "linli_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "linli" / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # axes logs every sign-in at INFO; the audit log already records them
        "axes": {"level": "WARNING"},
    },
}

LINLI_SITE_NAME = _("Linli")

LINLI_NOTIFICATION_BACKENDS = [
    "linli.core.notifications.InAppBackend",
    "linli.core.notifications.LogSmsBackend",
    "linli.core.notifications.LogEmailBackend",
]

# Health help: a resident living alone with no reading or check-in for this many days
# raises an alert (a card may set its own number); an abnormal reading is followed up
# within this many days.
LINLI_HEALTH_WATCH_DAYS = int(os.environ.get("LINLI_HEALTH_WATCH_DAYS", "3"))
LINLI_HEALTH_FOLLOW_UP_DAYS = 14
# How long a unit that came back is held for the first neighbour of its wait list.
LINLI_LENDING_HOLD_HOURS = int(os.environ.get("LINLI_LENDING_HOLD_HOURS", "48"))
