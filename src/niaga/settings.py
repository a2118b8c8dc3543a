"""Niaga's settings, read from the environment.

The defaults run the embedded demo: SQLite in ``NIAGA_DATA_DIR`` (``./var``), console e-mail,
debug pages. ``NIAGA_ENV=production`` turns on the hardened values that pass
``manage.py check --deploy``; it then refuses to start without ``NIAGA_SECRET_KEY``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ENVIRONMENT = os.environ.get("NIAGA_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DATA_DIR = Path(os.environ.get("NIAGA_DATA_DIR", "var")).resolve()

if PRODUCTION:
    SECRET_KEY = os.environ.get("NIAGA_SECRET_KEY", "")
    if not SECRET_KEY:
        raise ImproperlyConfigured("NIAGA_SECRET_KEY must be set when NIAGA_ENV=production.")
else:
    SECRET_KEY = os.environ.get(
        "NIAGA_SECRET_KEY", "niaga-insecure-development-key-never-use-in-production-0123456789"
    )

DEBUG = env_bool("NIAGA_DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("NIAGA_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("NIAGA_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "niaga.core",
    "niaga.accounts",
    "niaga.registry",
    "niaga.programs",
    "niaga.ledger",
    "niaga.assurance",
    "niaga.insights",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "niaga.core.middleware.RefuseMalformedRequestsMiddleware",
    "niaga.core.middleware.AuditContextMiddleware",
    "niaga.core.idempotency.IdempotencyMiddleware",
    # Last, so that a locked-out sign-in never reaches the views.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "niaga.urls"
WSGI_APPLICATION = "niaga.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "niaga.core.context_processors.niaga",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite in WAL mode is the embedded default; DATABASE_URL points at PostgreSQL in deployments.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "niaga.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=20000;"
                ),
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "landing"

# Repeated failed sign-ins lock the account from that address for a while.
AXES_FAILURE_LIMIT = int(os.environ.get("NIAGA_SIGNIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("NIAGA_SIGNIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The sign-in form calls its e-mail field "username", as Django's AuthenticationForm does.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_CALLABLE = "niaga.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("id", _("Bahasa Indonesia")), ("hi", _("Hindi"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Production serves collected files; the demo serves straight from the packages (finders).
STATIC_ROOT = (
    Path(os.environ.get("NIAGA_STATIC_ROOT", DATA_DIR / "static"))
    if PRODUCTION or "NIAGA_STATIC_ROOT" in os.environ
    else None
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = DATA_DIR / "media"

# --- Request limits -------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("NIAGA_MAX_BODY_BYTES", str(2 * 1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "NIAGA_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("NIAGA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("NIAGA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("NIAGA_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("NIAGA_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("NIAGA_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("NIAGA_FROM_EMAIL", "Niaga <no-reply@niaga.localhost>")

# --- Background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("NIAGA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("NIAGA_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("NIAGA_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("NIAGA_LOG_LEVEL", "WARNING")},
}

NIAGA_MERGE_THRESHOLD = float(os.environ.get("NIAGA_MERGE_THRESHOLD", "0.95"))
NIAGA_REVIEW_THRESHOLD = float(os.environ.get("NIAGA_REVIEW_THRESHOLD", "0.5"))
NIAGA_DEMO_PASSWORD = os.environ.get("NIAGA_DEMO_PASSWORD", "niaga-demo-2026")

# -- curation credentials -----------------------------------------------------------------------
# The Ed25519 seed (32 bytes, base64url) that signs curation credentials. Production must set
# it: a credential signed with a key nobody keeps cannot be checked later. Development derives a
# stable one from SECRET_KEY. Retired public keys (comma-separated base64url) stay published so
# credentials signed before a rotation still verify.
NIAGA_CREDENTIAL_SIGNING_KEY = os.environ.get("NIAGA_CREDENTIAL_SIGNING_KEY", "")
if PRODUCTION and not NIAGA_CREDENTIAL_SIGNING_KEY:
    raise ImproperlyConfigured(
        "NIAGA_CREDENTIAL_SIGNING_KEY must be set when NIAGA_ENV=production "
        "(generate one with `niaga credential new-key`)."
    )
NIAGA_CREDENTIAL_RETIRED_KEYS = env_list("NIAGA_CREDENTIAL_RETIRED_KEYS", "")
NIAGA_CREDENTIAL_VALID_DAYS = int(os.environ.get("NIAGA_CREDENTIAL_VALID_DAYS", "365"))
NIAGA_CREDENTIAL_ISSUER = os.environ.get("NIAGA_CREDENTIAL_ISSUER", "Niaga")
# Where verification pages live, written into each credential so a holder can find them.
NIAGA_PUBLIC_URL = os.environ.get("NIAGA_PUBLIC_URL", "http://localhost:8000").rstrip("/")

# -- trade assurance ----------------------------------------------------------------------------
# The shared secret the payment provider signs its webhooks with (HMAC-SHA256).
NIAGA_PAYMENT_WEBHOOK_SECRET = os.environ.get("NIAGA_PAYMENT_WEBHOOK_SECRET", "")
if PRODUCTION and not NIAGA_PAYMENT_WEBHOOK_SECRET:
    raise ImproperlyConfigured(
        "NIAGA_PAYMENT_WEBHOOK_SECRET must be set when NIAGA_ENV=production."
    )
if not NIAGA_PAYMENT_WEBHOOK_SECRET:
    # Development only, derived so it is never a literal in the repository.
    NIAGA_PAYMENT_WEBHOOK_SECRET = "webhook-" + SECRET_KEY[:24]
# Receipt is confirmed by itself this many days after shipment.
NIAGA_AUTO_RECEIPT_DAYS = int(os.environ.get("NIAGA_AUTO_RECEIPT_DAYS", "45"))
# Open data blanks any cell built from fewer orders, exporters or businesses than this.
NIAGA_OPEN_DATA_MIN_CELL = int(os.environ.get("NIAGA_OPEN_DATA_MIN_CELL", "5"))
NIAGA_STATEMENT_MAX_BYTES = int(os.environ.get("NIAGA_STATEMENT_MAX_BYTES", str(10 * 1024 * 1024)))
