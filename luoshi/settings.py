"""One environment-driven settings module.

Everything that varies per deployment comes from environment variables (see README "Configuration");
rules that vary per place (time limits, thresholds, holiday corrections) live in the database instead.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import dj_database_url
import django_stubs_ext

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
REPO_DIR = BASE_DIR.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


TESTING = "pytest" in sys.modules or _env_bool("LUOSHI_TESTING")

DATA_DIR = Path(os.environ.get("LUOSHI_DATA_DIR", "var")).resolve()
# Evidence attachments and generated reports: outside any web root, served only through views that check access.
FILES_DIR = Path(os.environ.get("LUOSHI_FILES_DIR", str(DATA_DIR / "files"))).resolve()

DEBUG = _env_bool("LUOSHI_DEBUG", default=False)
SECRET_KEY = os.environ.get("LUOSHI_SECRET_KEY", "")
if not SECRET_KEY:
    # Embedded default: a key kept in the data directory, created on first run.
    _key_file = DATA_DIR / "secret_key"
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        if not _key_file.exists():
            import secrets

            _key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            _key_file.chmod(0o600)
        SECRET_KEY = _key_file.read_text(encoding="utf-8").strip()
    except OSError:  # read-only checkout: fall back to a per-process key
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("LUOSHI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
# A stale or missing CSRF token shows the platform's own page (JSON under /api/), never Django's.
CSRF_FAILURE_VIEW = "luoshi.core.error_views.csrf_failure"
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("LUOSHI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    "huey.contrib.djhuey",
    "ninja",  # serves Swagger UI / Redoc from its own static files, never a CDN
    "luoshi.core",
    "luoshi.accounts",
    "luoshi.audit",
    "luoshi.orgs",
    "luoshi.directory",
    "luoshi.calendar",
    "luoshi.notifications",
    "luoshi.plans",
    "luoshi.supervision",
    "luoshi.requests",
    "luoshi.policies",
    "luoshi.projects",
    "luoshi.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "luoshi.core.input_guard.InputGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "luoshi.core.middleware.InterfaceMiddleware",
    "luoshi.core.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "luoshi.urls"
WSGI_APPLICATION = "luoshi.wsgi.application"

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
                "luoshi.core.context_processors.navigation",
                "django.template.context_processors.csp",  # {{ csp_nonce }} for the few inline blocks
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
SQLITE_PATH = DATA_DIR / "luoshi.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                # WAL lets the web process and the embedded worker read while the other writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The hot write path's statements (core.prepared) are prepared once per connection on PostgreSQL (ADR 0142). Behind a
# transaction-mode connection pooler that cannot keep prepared statements (PgBouncer before 1.21) set it to 0.
LUOSHI_DB_PREPARED = _env_bool("LUOSHI_DB_PREPARED", default=True)

# --- Cache ----------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and not TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Background jobs (huey) -----------------------------------------------------------------------
# Embedded default: jobs kept in a SQLite file beside the database, no extra server.
# Production: Redis, with separate `luoshi worker` processes.
_huey_immediate = _env_bool("LUOSHI_JOBS_IMMEDIATE", default=TESTING)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": os.environ.get("LUOSHI_JOBS_NAME", "luoshi"),
        "url": REDIS_URL,
        "immediate": _huey_immediate,
        "consumer": {"workers": int(os.environ.get("LUOSHI_WORKER_THREADS", "2")), "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "luoshi",
        "filename": str(DATA_DIR / "jobs.sqlite3"),
        "immediate": _huey_immediate,
        "consumer": {"workers": int(os.environ.get("LUOSHI_WORKER_THREADS", "2")), "worker_type": "thread"},
    }

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Five wrong passwords for one username from one address lock that pair for 15 minutes; twenty for one username from
# any addresses lock the account (password spraying from many addresses). See accounts/throttle.py.
AXES_FAILURE_LIMIT = int(os.environ.get("LUOSHI_LOGIN_FAILURE_LIMIT", "5"))
LUOSHI_LOGIN_ACCOUNT_FAILURE_LIMIT = int(os.environ.get("LUOSHI_LOGIN_ACCOUNT_FAILURE_LIMIT", "20"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_HANDLER = "luoshi.accounts.throttle.LoginThrottleHandler"
# Behind the documented nginx (proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for) every request comes from
# nginx's address: list it in LUOSHI_TRUSTED_PROXIES and the client is the right-most X-Forwarded-For address that is
# not a trusted proxy (accounts/throttle.py:client_ip). Unset (the embedded default), X-Forwarded-For is ignored.
LUOSHI_TRUSTED_PROXIES = [
    ip.strip() for ip in os.environ.get("LUOSHI_TRUSTED_PROXIES", "").split(",") if ip.strip()
]
AXES_CLIENT_IP_CALLABLE = "luoshi.accounts.throttle.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
SESSION_COOKIE_HTTPONLY = True
# `luoshi serve --prod` sets LUOSHI_PROD: behind the documented TLS proxy (nginx sets X-Forwarded-Proto), cookies are
# Secure, browsers are told to use HTTPS only (HSTS), and a session expires after LUOSHI_SESSION_IDLE_MINUTES idle.
PROD = _env_bool("LUOSHI_PROD")
SESSION_COOKIE_SECURE = _env_bool("LUOSHI_SECURE_COOKIES", default=PROD)
CSRF_COOKIE_SECURE = _env_bool("LUOSHI_SECURE_COOKIES", default=PROD)
if PROD:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("LUOSHI_HSTS_SECONDS", str(180 * 24 * 3600)))
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_AGE = int(os.environ.get("LUOSHI_SESSION_IDLE_MINUTES", "120")) * 60
    SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: idle expiry

# Content-Security-Policy, always (not only with --prod): scripts and styles from this origin only, plus inline
# blocks carrying the per-response nonce; no inline event handlers, javascript: URLs or style attributes (pages use
# classes). Django 6's own middleware (django.middleware.csp). Set LUOSHI_CSP_REPORT_ONLY=1 to only report.
from django.utils.csp import CSP  # noqa: E402

_csp: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
if _env_bool("LUOSHI_CSP_REPORT_ONLY"):
    SECURE_CSP: dict[str, list[str]] = {}
    SECURE_CSP_REPORT_ONLY = _csp
else:
    SECURE_CSP = _csp

# --- i18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
LOCALE_PATHS = [BASE_DIR / "locale"]  # strings Django ships untranslated (e.g. "- Select an option -")
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
with contextlib.suppress(OSError):  # WhiteNoise looks for it at start-up; `serve --prod` fills it
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS: list[tuple[str, Path] | Path] = [BASE_DIR / "static"]
# Front-end packages come from npm at set-up time (package.json / package-lock.json), never committed.
_NODE = REPO_DIR / "node_modules"
for _prefix, _dist in (
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
):
    if _dist.is_dir():
        STATICFILES_DIRS.append((_prefix, _dist))
WHITENOISE_USE_FINDERS = True  # `luoshi serve` works without collectstatic; --prod collects first
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": FILES_DIR}},
    # `luoshi serve --prod` sets LUOSHI_STATIC_MANIFEST: hashed, compressed file names, cached forever by browsers.
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _env_bool("LUOSHI_STATIC_MANIFEST")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
LUOSHI_MAX_UPLOAD_BYTES = int(os.environ.get("LUOSHI_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))

# --- Email ----------------------------------------------------------------------------------------
# SMTP when LUOSHI_SMTP_HOST is set; otherwise mail is written to files in $LUOSHI_DATA_DIR/outbox.
if os.environ.get("LUOSHI_SMTP_HOST"):
    _mailer: dict[str, object] = {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ["LUOSHI_SMTP_HOST"],
            "port": int(os.environ.get("LUOSHI_SMTP_PORT", "25")),
            "username": os.environ.get("LUOSHI_SMTP_USER", ""),
            "password": os.environ.get("LUOSHI_SMTP_PASSWORD", ""),
            "use_tls": _env_bool("LUOSHI_SMTP_TLS"),
            "timeout": 30,
        },
    }
else:
    _mailer = {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": str(DATA_DIR / "outbox")},
    }
MAILERS = {"default": _mailer}
DEFAULT_FROM_EMAIL = os.environ.get("LUOSHI_MAIL_FROM", "luoshi@localhost")
# Pluggable SMS channel: a dotted path to a class with send(phone: str, text: str) -> None.
LUOSHI_SMS_BACKEND = os.environ.get("LUOSHI_SMS_BACKEND", "luoshi.notifications.channels.LogSmsBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"timed": {"format": "[%(asctime)s] %(levelname)s:%(name)s:%(threadName)s:%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "worker": {"class": "logging.StreamHandler", "formatter": "timed"},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LUOSHI_LOG_LEVEL", "WARNING")},
    # The job worker's own lines, once: huey's run_huey adds a handler of its own only to a "huey" logger that has
    # none, and that handler beside the root's printed every line twice. Warnings only in web processes and
    # commands (jobs run inline there); `luoshi worker` lowers it to LUOSHI_WORKER_LOG_LEVEL (INFO).
    "loggers": {"huey": {"handlers": ["worker"], "level": "WARNING", "propagate": False}},
}


# Sign-in through a province's unified identity (OIDC via mozilla-django-oidc): off unless LUOSHI_OIDC_CLIENT_ID is set.
OIDC_ENABLED = bool(os.environ.get("LUOSHI_OIDC_CLIENT_ID"))
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("luoshi.requests.oidc.EnterpriseOIDCBackend")
    OIDC_RP_CLIENT_ID = os.environ["LUOSHI_OIDC_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ.get("LUOSHI_OIDC_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("LUOSHI_OIDC_SIGN_ALGO", "RS256")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("LUOSHI_OIDC_AUTHORIZATION_ENDPOINT", "")
    OIDC_OP_TOKEN_ENDPOINT = os.environ.get("LUOSHI_OIDC_TOKEN_ENDPOINT", "")
    OIDC_OP_USER_ENDPOINT = os.environ.get("LUOSHI_OIDC_USER_ENDPOINT", "")
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("LUOSHI_OIDC_JWKS_ENDPOINT", "")
    LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/"
