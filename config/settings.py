"""Gongnon settings, read from the environment.

With no environment at all the project runs embedded: SQLite and Channels' in-memory
layer. DATABASE_URL switches to PostgreSQL and REDIS_URL to channels-redis plus a Redis
cache, which several ASGI worker processes then share.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.channel_layers import channel_layers_for
from config.environment import (
    database_from_url,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
    redis_url,
    smtp_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)
TESTING = "pytest" in sys.modules or (len(sys.argv) > 1 and sys.argv[1] == "test")

DEVELOPMENT_SECRET_KEY = "django-insecure-gongnon-development-key-never-use-in-production-0123"
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY: must be set when DEBUG is off")
    SECRET_KEY = DEVELOPMENT_SECRET_KEY
elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured("SECRET_KEY: must be at least 50 characters with 5 distinct ones")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS: must name the site's host names when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Widget templates are overridden in templates/django/forms/ (data marked with its lang).
    "django.forms",
    "channels",
    "allauth",
    "allauth.account",
    "django_tasks",
    "django_tasks_db",
    # The layers, bottom to top (docs/architecture.md).
    "deliberation.core",
    "panels",
    "surveys",
    "deliberation.forum",
    "deliberation.report",
    "deliberation.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.content_security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "deliberation.site.errors.csrf_failure"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

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
                "django.template.context_processors.i18n",
                "deliberation.core.context_processors.site",
                "deliberation.site.context_processors.page_deliberation",
            ],
        },
    },
]

FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Databases: SQLite unless DATABASE_URL names PostgreSQL.
DATABASES = {
    "default": database_from_url("DATABASE_URL")
    or {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
}
if TESTING and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so that worker processes started by a test share its database.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work (selection runs, PDF renders, reminders) goes through one task
# queue kept in the database and run by `manage.py worker` processes. Tests run tasks
# inline unless they choose the database backend themselves.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else "django_tasks_db.DatabaseBackend"
    }
}
# A worker renews its lease every third of this; a task held by a worker silent for
# longer is queued again.
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 30, minimum=2)

# Channel layer and cache: in-process unless REDIS_URL is set, so that several worker
# processes share websocket groups, rate-limit counters and sessions.
REDIS_URL = redis_url("REDIS_URL")
# CHANNEL_LAYER=redis-pubsub (the default with REDIS_URL) publishes each group message
# once per worker process, which fans it out to its own sockets through the room hub,
# instead of once per socket: far less Redis traffic for large rooms. Delivery is at most
# once, which live rooms tolerate because clients recover any missed event from the
# database by sequence number. CHANNEL_LAYER=redis selects channels-redis's core layer.
CHANNEL_LAYER = env_choice("CHANNEL_LAYER", "redis-pubsub", {"redis", "redis-pubsub"})
CHANNEL_LAYERS = channel_layers_for(REDIS_URL, CHANNEL_LAYER, env_str("CHANNEL_PREFIX", "gongnon"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "gongnon"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): e-mail is the login; panelists who never set a password
# sign in with a code sent by e-mail.
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "deliberation:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "deliberation:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = env_int("LOGIN_CODE_TIMEOUT", 300, minimum=60)
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
ACCOUNT_ADAPTER = "deliberation.core.accounts.AccountAdapter"
# Every allauth page and message names the person as the rest of the product does.
ACCOUNT_USER_DISPLAY = "deliberation.core.names.display_name"
ACCOUNT_FORMS = {"request_login_code": "deliberation.core.accounts.RequestLoginCodeForm"}
ACCOUNT_ALLOW_SIGNUP = env_bool("ACCOUNT_ALLOW_SIGNUP", default=False)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Gongnon] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

# E-mail: printed on the console unless EMAIL_URL names an SMTP server.
_smtp = smtp_url("EMAIL_URL")
if _smtp:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    globals().update(_smtp)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# Open links (a wave's default; the organizer may set others per wave): new responses
# per network address and hour, completed responses per browser (a signed cookie).
OPEN_LINK_PER_ADDRESS = env_int("OPEN_LINK_PER_ADDRESS", 5, minimum=1)
OPEN_LINK_PER_BROWSER = env_int("OPEN_LINK_PER_BROWSER", 1, minimum=1)
# A complete is flagged when this many completes of its wave share its address.
QUALITY_ADDRESS_THRESHOLD = env_int("QUALITY_ADDRESS_THRESHOLD", 3, minimum=2)
# A panelist gets at most one reminder per panel wave within this many hours.
WAVE_REMINDER_INTERVAL_HOURS = env_int("WAVE_REMINDER_INTERVAL_HOURS", 24, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Gongnon <noreply@localhost>")
# Whom the accessibility statement (접근성 안내) names for problems and alternative formats.
GONGNON_ACCESSIBILITY_CONTACT = env_str("GONGNON_ACCESSIBILITY_CONTACT", "accessibility@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Languages: Korean first, English second.
LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"
# The largest file a session's material may be.
MATERIAL_MAX_BYTES = env_int("MATERIAL_MAX_MB", 25, minimum=1) * 1_000_000
# Uploaded data files (poll files, volunteer pools, margins): size, rows and columns, and
# how far an XLSX archive may expand, checked before the file is parsed.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 20, minimum=1) * 1_000_000
UPLOAD_MAX_ROWS = env_int("UPLOAD_MAX_ROWS", 100_000, minimum=1)
UPLOAD_MAX_COLUMNS = env_int("UPLOAD_MAX_COLUMNS", 1_000, minimum=1)
UPLOAD_MAX_UNCOMPRESSED_BYTES = env_int("UPLOAD_MAX_UNCOMPRESSED_MB", 300, minimum=1) * 1_000_000
UPLOAD_MAX_COMPRESSION_RATIO = env_int("UPLOAD_MAX_COMPRESSION_RATIO", 100, minimum=2)
# Request bodies. A body beyond DATA_UPLOAD_MAX_MEMORY_SIZE is refused with 413 before it
# is read (config.body_limits), except on the upload pages, which allow their file's size.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = env_int("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env_int("DATA_UPLOAD_MAX_NUMBER_FIELDS", 2_000, minimum=10)
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("DATA_UPLOAD_MAX_NUMBER_FILES", 5, minimum=1)

# Security: strict by default whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind reverse proxies every request comes from the last proxy's address: per-address
# limits (sign-in, codes) read the client's address from X-Forwarded-For instead, counting
# this many trusted proxies from the right. 0 reads the connection's own address.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int(
    "TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0, minimum=0
)

LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        # WeasyPrint warns about every SVG style it ignores; only errors matter.
        "weasyprint": {"level": "ERROR"},
    },
}
