"""Settings for talentbank, read from the environment.

DATABASE_URL  database; default: an embedded SQLite file beside manage.py
SECRET_KEY    required when DEBUG is off
DEBUG         "1"/"true" to enable (default: on for local development)
ALLOWED_HOSTS comma-separated host names
(the README's "Settings (environment)" lists the production variables: security, sessions, login throttling)
"""

import copy
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
API_BROWSABLE = env_bool("API_BROWSABLE", DEBUG)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Задайте переменную окружения SECRET_KEY (при DEBUG=0 она обязательна).")
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "talentbank.admin_site.TalentbankAdminConfig",  # django.contrib.admin with the start page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "participants",
    "events",
    "reports",
    "accounts",
    "audit",
    "django_tasks",
    "django_tasks_db",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "talentbank.parameters.RefuseNulMiddleware",  # a NUL in the query string: 400 before any view
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified() from the session, then the second factor before anything else, the
    # password change included (a temporary password alone does not let anyone choose a new one).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out login into the lockout page
]

ROOT_URLCONF = "talentbank.urls"

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
            ],
            "libraries": {"admin_words": "talentbank.admin_words"},
        },
    },
]

WSGI_APPLICATION = "talentbank.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,  # a kept connection broken by a database restart is replaced, not used (errors.py)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: the справка's queries return few rows from large tables, and compiling them cost
    # more than a second each at scale 1000 (bench/), far more than they take to run.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# Background jobs (jobs/): queued in this database, run by `manage.py db_worker` (make run starts
# one; run as many as you like wherever the database is reachable). Their progress is written
# through a second connection so that it shows while the job's own transaction is open; SQLite,
# which allows one writer, keeps it on the one connection.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A confirmed import of this many rows or more is saved by a job with a progress page; a smaller
# one at once, in the request.
IMPORT_BACKGROUND_ROWS = 2_000
JOBS_DATABASE = "default"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["jobs"] = {**copy.deepcopy(DATABASES["default"]), "TEST": {"MIRROR": "default"}}
    JOBS_DATABASE = "jobs"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Tomsk")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Production: several app servers behind a proxy may share one PostgreSQL. Nothing lives on a server's disk
# or in its memory that another server needs: sessions, login attempts (axes), audit events and import
# uploads are in the database; the cache is per process and nothing relies on it being shared.


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Переменная окружения {name} должна быть целым числом, а не «{value}».") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def proxy_ssl_header(value: str) -> tuple[str, str] | None:
    """'X-Forwarded-Proto=https' -> ('HTTP_X_FORWARDED_PROTO', 'https'): the header a TLS-terminating proxy sets."""
    if not value.strip():
        return None
    header, _, expected = value.partition("=")
    if not header.strip() or not expected.strip():
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER задаётся как «Заголовок=значение», например X-Forwarded-Proto=https, а не «{value}»."
        )
    return "HTTP_" + header.strip().upper().replace("-", "_"), expected.strip()


# Static files: with DEBUG off WhiteNoise serves them from STATIC_ROOT (collectstatic) under hashed, compressed
# names; with DEBUG on (runserver, tests) they are read from the app folders as they are, no collectstatic needed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# collectstatic compresses every file (gzip and brotli): only the hashed names are served, so only they are
# kept, and source maps (read by browser developer tools only, 6 MB of the Swagger and ReDoc bundles) stay as
# they are: collectstatic does about a quarter of the work (20 s of CPU instead of 75 s here).
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# HTTPS. Behind a proxy that terminates TLS set SECURE_PROXY_SSL_HEADER (else the redirect loops), or turn the
# redirect off with SECURE_SSL_REDIRECT=0 when the proxy redirects itself.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(os.environ.get("SECURE_PROXY_SSL_HEADER", ""))
PROXY_COUNT = env_int("PROXY_COUNT", 0)  # proxies in front of the app that append to X-Forwarded-For (audit.ip)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")  # e.g. https://talents.example.org
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content security policy (django-csp): scripts only from our own static files, or inline with the
# request's nonce (the Swagger page's start-up script). Inline styles stay allowed: the report's SVG
# charts (matplotlib) and the admin's widgets set style attributes, which cannot carry a nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Sessions live in the database (shared by every app server) and end after SESSION_COOKIE_AGE seconds
# without a request: every request moves the expiry on.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60)
SESSION_SAVE_EVERY_REQUEST = True

# Login throttling (django-axes, attempts kept in the database): after LOGIN_FAILURE_LIMIT failures for one
# user name from one address, that pair is locked for LOGIN_LOCKOUT_MINUTES. API tokens are not affected.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "audit.ip.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit log (audit.AuditEvent)

# Two-factor login (django-otp; who is asked: accounts.second_factor). Codes from an authenticator app
# (TOTP, 30 s, one step of clock drift either way) or single-use recovery codes; after each wrong code the
# next try waits 1, 2, 4, 8 … seconds (django-otp's throttling, per device).
OTP_TOTP_ISSUER = "Банк талантов"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin's device pages show neither keys nor QR codes

REST_FRAMEWORK = {
    # Token first: a request without credentials gets 401 with WWW-Authenticate, not 403. Keys are
    # stored as digests (accounts.tokens), not in DRF's authtoken table, which kept them in plain text.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # The browsable API (HTML pages with filter and edit forms) is for development; in production it is
    # off unless API_BROWSABLE turns it on.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if API_BROWSABLE else []),
    ],
    # DRF's parsers, JSON with a limit on nesting (talentbank/parameters.py).
    "DEFAULT_PARSER_CLASSES": [
        "talentbank.parameters.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "talentbank.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Банк талантов: API",
    "DESCRIPTION": "Чтение и запись данных регионального банка талантов с теми же правами, что и в интерфейсе.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # WeasyPrint warns about every SVG presentation property it reads itself rather than as CSS.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}

# Limits on .xlsx files someone else wrote (participants.workbooks), checked before a workbook is
# parsed (the zip's central directory) and while it is (rows, cells). A file over a limit is refused
# with a Russian message saying which limit; the README's "Limits on files" lists them.
# Imports (participants, event results): a file of 100 000 rows of the template is about 8 MB, 80 MB
# unpacked, 1,4 million cells; the limits leave room for twice that.
XLSX_MAX_UNCOMPRESSED_BYTES = 256 * 1024 * 1024  # all parts together, and any one part
XLSX_MAX_PARTS = 1000  # files inside the zip (a workbook from Excel has 10-30)
XLSX_MAX_COMPRESSION_RATIO = 100  # per part of over 1 MB; Excel's sheets pack 5-20 times, a zip bomb 1000
XLSX_MAX_ROWS = 200_000  # <row> elements of the sheet read
XLSX_MAX_CELLS = 3_000_000  # <c> cells of the sheet read; also texts of the shared-string table
# load_bank reads a whole bank (scale 1000: 500 000 people, 2 million participation records).
BANK_XLSX_MAX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024 * 1024
BANK_XLSX_MAX_PARTS = 1000
BANK_XLSX_MAX_COMPRESSION_RATIO = 100
BANK_XLSX_MAX_ROWS = 20_000_000  # per sheet
BANK_XLSX_MAX_CELLS = 500_000_000  # the whole workbook

# Uploaded workbooks (children's personal data) wait for confirmation at most this long; then
# `manage.py purge_uploads`, or the next upload, deletes them.
IMPORT_UPLOAD_LIFETIME = timedelta(days=1)
