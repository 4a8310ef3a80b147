"""scpln settings: one module, driven by the environment, embedded defaults first.

With no variables set, scpln runs on SQLite under ``data/`` and a Celery
broker that needs no server. ``DATABASE_URL`` and ``REDIS_URL`` /
``CELERY_BROKER_URL`` switch to PostgreSQL and Redis. The variables are
documented in docs/operations.md.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.beat import beat_schedule
from config.environ import (
    broker_url,
    data_dir,
    env_bool,
    env_choice,
    env_float,
    env_int,
    env_list,
    env_networks,
    env_proxy_header,
    env_rate,
    env_seconds_map,
    env_str,
    sqlite_database,
    url_database,
    visibility_timeout,
)
from core.files import private_dir, private_file
from scpln.engine.canonical import limits as canonical_limits

ENV = os.environ
BASE_DIR = Path(__file__).resolve().parent.parent
# The database, backups, secret key and demo password live here: 0700 (core/files.py).
DATA_DIR = private_dir(data_dir(ENV, BASE_DIR))


def _secret_key() -> str:
    """Use the configured key, else one generated once and kept under data/.

    A fixed key in the source would be public; a fresh key per start would
    log every planner out on each restart.
    """
    configured = env_str(ENV, "DJANGO_SECRET_KEY", "")
    if configured:
        return configured
    key_file = DATA_DIR / ".secret_key"
    if not key_file.exists() or not key_file.stat().st_size:
        private_file(key_file).write_text(secrets.token_urlsafe(50))
    return private_file(key_file).read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool(ENV, "DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list(
    ENV, "DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list(ENV, "DJANGO_CSRF_TRUSTED_ORIGINS", [])

# --- HTTPS behind a proxy (docs/operations.md, "Security"): all off by default,
# because bin/run serves plain HTTP on 127.0.0.1. ``manage.py check --deploy``
# is clean with the production values documented there (config/tests/test_deploy.py).
SECURE_PROXY_SSL_HEADER = env_proxy_header(ENV, "DJANGO_SECURE_PROXY_SSL_HEADER")
SECURE_SSL_REDIRECT = env_bool(ENV, "DJANGO_SECURE_SSL_REDIRECT", False)
# Load balancers and Prometheus probe these over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SESSION_COOKIE_SECURE = env_bool(ENV, "DJANGO_SESSION_COOKIE_SECURE", False)
CSRF_COOKIE_SECURE = env_bool(ENV, "DJANGO_CSRF_COOKIE_SECURE", False)
SECURE_HSTS_SECONDS = env_int(ENV, "DJANGO_SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool(ENV, "DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool(ENV, "DJANGO_SECURE_HSTS_PRELOAD", False)

# /metrics: open unless one of these is set; then a scrape needs the bearer
# token or must come from an allowed address (core/metrics.py).
SCPLN_METRICS_TOKEN = env_str(ENV, "SCPLN_METRICS_TOKEN", "")
SCPLN_METRICS_ALLOW = env_networks(ENV, "SCPLN_METRICS_ALLOW")

INSTALLED_APPS = [
    "django_prometheus",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    # API tokens stored as SHA-512 digests, with expiry (core/tokens.py).
    "knox",
    # Failed-login counting and lock-out for the login forms and /api/token.
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "scenarios",
    "plans",
    "jobs",
    "runs",
    "exceptions",
    "risk",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Refuses an oversized body (SCPLN_MAX_UPLOAD_BYTES) before anything reads it.
    "core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.timezone.TimezoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last of the auth-related middleware, as django-axes asks: it answers a
    # locked-out login with the 429 page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.ui",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
SQLITE_BUSY_TIMEOUT_S = env_int(ENV, "SCPLN_DB_BUSY_TIMEOUT", 30, minimum=1)
if env_str(ENV, "DATABASE_URL", ""):
    DATABASES = {"default": url_database(ENV)}
else:
    SCPLN_DB = Path(env_str(ENV, "SCPLN_DB", str(DATA_DIR / "scpln.db")))
    SCPLN_DB.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600 before SQLite opens it; its -wal and -shm files take its mode.
    private_file(SCPLN_DB)
    DATABASES = {"default": sqlite_database(SCPLN_DB, busy_timeout_s=SQLITE_BUSY_TIMEOUT_S)}
DATABASES["default"]["ENGINE"] = DATABASES["default"]["ENGINE"].replace(
    "django.db.backends.", "django_prometheus.db.backends."
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# --- Brute force: login forms (django-axes) and /api/token (also DRF throttling) ---
# SCPLN_LOGIN_FAILURE_LIMIT wrong passwords for one username from one address
# lock that pair out for SCPLN_LOGIN_LOCKOUT_MINUTES (429); a success resets
# the count. Operators lift a lock-out in the admin (Axes) or with
# ``manage.py axes_reset``.
AXES_FAILURE_LIMIT = env_int(ENV, "SCPLN_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int(ENV, "SCPLN_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# 429: the login page says why and for how long; /api/token answers JSON.
AXES_LOCKOUT_CALLABLE = "core.lockout.lockout_response"
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str(ENV, "SCPLN_TIME_ZONE", "UTC")

# --- Static files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- REST API -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes anonymous requests 401, not 403.
        "core.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ReadAuthenticatedWriteModelPermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_METADATA_CLASS": "core.api.metadata.Metadata",
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 50,
    # /api/token: requests per client address (core/api/views.py).
    "DEFAULT_THROTTLE_RATES": {"token": env_rate(ENV, "SCPLN_TOKEN_RATE", "10/minute")},
}
# API tokens (knox): stored as digests; each expires SCPLN_API_TOKEN_TTL_DAYS
# after it is issued; a user keeps at most SCPLN_API_TOKENS_PER_USER (issuing
# one more revokes the oldest). Issue: POST /api/token, the account page,
# ``manage.py issue_token``; revoke: the account page, the admin, DELETE /api/token.
SCPLN_API_TOKEN_TTL_DAYS = env_int(ENV, "SCPLN_API_TOKEN_TTL_DAYS", 90, minimum=1)
SCPLN_API_TOKENS_PER_USER = env_int(ENV, "SCPLN_API_TOKENS_PER_USER", 10, minimum=1)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=SCPLN_API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# The throttle and lock-out counters must be shared by every web process:
# Redis when there is one, else files in the data folder (one machine).
if env_str(ENV, "REDIS_URL", ""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str(ENV, "REDIS_URL", ""),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }
SPECTACULAR_SETTINGS = {
    "TITLE": "scpln API",
    "DESCRIPTION": (
        "Plan-centric supply-chain planning: plans, runs, jobs, scenarios, configs. "
        "See docs/api.md for the flow, authentication, the error shape and pagination."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "JobStatusEnum": "jobs.models.Job.Status",
        "RunStatusEnum": "runs.models.Run.Status",
        "RunSourceEnum": "runs.models.Run.Source",
        "ConfigVersionStatusEnum": "scenarios.models.ConfigVersion.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
}

# --- Celery and jobs ------------------------------------------------------------
# At-least-once delivery, idempotent execution: a message is acknowledged only
# after its task ran (acks_late), is given back when the worker process dies
# (reject_on_worker_lost), and each worker process holds one message at a time
# (prefetch 1) so a long job never sits on a message another worker could run.
# Redelivery is harmless because the runner claims the Job row with a
# conditional UPDATE (jobs/runner.py). docs/operations.md explains each value.

# Hard time limit per job type, in seconds; the soft limit (a clean "failed:
# time limit" record) comes a little earlier, see jobs.runner.time_limits().
SCPLN_JOB_TIME_LIMITS = env_seconds_map(
    ENV,
    "SCPLN_JOB_TIME_LIMITS",
    {
        "planning": 3600,
        "recalculate": 3600,
        "aggregate": 1800,
        "backup": 3600,
        "export": 3600,
        "retention": 3600,
        "config_import": 1800,
        "config_diff": 1800,
        "replications": 6 * 3600,
        "level_optimisation": 2 * 3600,
    },
    minimum=10,
)
# A running job's worker refreshes heartbeat_at this often; the reaper treats a
# heartbeat older than SCPLN_JOB_STALE_AFTER as a dead worker (requeue within
# max_attempts, else failed). A queued job whose message was sent longer than
# SCPLN_JOB_REQUEUE_AFTER ago is sent again (a broker restart can lose it).
# Recovery bound (docs/operations.md, section 4): a lost worker is noticed
# within STALE_AFTER + the reaper interval (60 + 30 s), a lost message within
# REQUEUE_AFTER + the reaper interval (90 + 30 s): both within two minutes.
SCPLN_JOB_HEARTBEAT_INTERVAL = env_int(ENV, "SCPLN_JOB_HEARTBEAT_INTERVAL", 10, minimum=1)
SCPLN_JOB_STALE_AFTER = env_int(
    ENV, "SCPLN_JOB_STALE_AFTER", 60, minimum=2 * SCPLN_JOB_HEARTBEAT_INTERVAL + 1
)
SCPLN_JOB_REQUEUE_AFTER = env_int(ENV, "SCPLN_JOB_REQUEUE_AFTER", 90, minimum=10)
SCPLN_JOB_MAX_ATTEMPTS = env_int(ENV, "SCPLN_JOB_MAX_ATTEMPTS", 3, minimum=1)

_BROKER = broker_url(ENV)
BROKER_DIR = Path(env_str(ENV, "SCPLN_BROKER_DIR", str(DATA_DIR / "broker")))
if _BROKER:
    CELERY_BROKER_URL = _BROKER
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {
        # Redis hands an unacknowledged message to another worker after this
        # many seconds; it must outlast the longest job or a healthy long job
        # would be delivered twice (harmless, but noisy).
        "visibility_timeout": visibility_timeout(
            ENV,
            "SCPLN_BROKER_VISIBILITY_TIMEOUT",
            longest_job_s=max(SCPLN_JOB_TIME_LIMITS.values()),
        ),
    }
else:
    # kombu's filesystem transport: messages are files in one folder that the
    # web process writes and the worker reads, so no server is needed. It has
    # no acknowledgements: a message taken by a worker that dies is gone, and
    # the reaper's heartbeat check is what brings the job back.
    for sub in ("queue", "processed", "control"):
        (BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = env_bool(ENV, "CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process is replaced after this many jobs, or after a job that left it
# holding more than this much memory (numpy/pandas rarely give memory back to
# the system, so an idle process would keep a large job's peak for good).
CELERY_WORKER_MAX_TASKS_PER_CHILD = env_int(ENV, "SCPLN_WORKER_MAX_TASKS_PER_CHILD", 100, minimum=1)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 1024 * env_int(  # Celery counts KiB
    ENV, "SCPLN_WORKER_MAX_MEMORY_MB", 2048, minimum=1
)
# Each worker pool process loads the engine's compiled day loop at start, in a background
# thread, so SCPLN_PSI_KERNEL=auto runs every network it supports compiled there
# (config/celery.py; docs/engine.md "When it runs"). Off: auto keeps numpy until a run
# has loaded it (or from SCPLN_PSI_COMPILED_FROM node-item-days).
SCPLN_PSI_PRELOAD = env_bool(ENV, "SCPLN_PSI_PRELOAD", True)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Keep reconnecting for as long as the broker is away (None = no limit): a
# worker must outlive a Redis restart rather than exit after 100 attempts.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = TIME_ZONE
# Nightly backup, retention and the stale-job reaper; one definition, in config/beat.py.
CELERY_BEAT_SCHEDULE = beat_schedule(ENV)

# --- Bounded inputs (docs/operations.md, "Security") ---------------------------
# A config file larger than SCPLN_MAX_UPLOAD_BYTES is refused (413) before it is
# parsed; a request body beyond it (plus room for the form fields) before it is
# read. JSON bodies stay at Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
# Imports of a larger config than SCPLN_CONFIG_INLINE_BYTES, and diffs of such
# configs, run as jobs (202 with the job) instead of inside the request.
SCPLN_MAX_UPLOAD_BYTES = env_int(ENV, "SCPLN_MAX_UPLOAD_BYTES", 20 * 1024 * 1024, minimum=1024)
SCPLN_CONFIG_INLINE_BYTES = env_int(ENV, "SCPLN_CONFIG_INLINE_BYTES", 2 * 1024 * 1024, minimum=0)
SCPLN_MAX_CONFIG_NODES = env_int(ENV, "SCPLN_MAX_CONFIG_NODES", 10_000, minimum=1)
SCPLN_MAX_CONFIG_ITEMS = env_int(ENV, "SCPLN_MAX_CONFIG_ITEMS", 50_000, minimum=1)
SCPLN_MAX_DEMAND_ROWS = env_int(ENV, "SCPLN_MAX_DEMAND_ROWS", 1_000_000, minimum=1)
SCPLN_MAX_HORIZON_DAYS = env_int(
    ENV, "SCPLN_MAX_HORIZON_DAYS", 1830, minimum=1, maximum=canonical_limits.MAX_DAYS
)

# --- RunRegistry ----------------------------------------------------------------
REGISTRY_BACKEND = env_choice(ENV, "REGISTRY_BACKEND", "db", {"db", "memory"})
# A run's cost trace (its largest table) is stored when the run is recorded ("stored"),
# or built from the run's stored inputs on its first request ("on_request": recording is
# faster, but a run the current engine no longer reproduces has no trace to give).
SCPLN_RUN_TRACE = env_choice(ENV, "SCPLN_RUN_TRACE", "stored", {"stored", "on_request"})
# ...and a run of more node-item-days than this has it built on request either way: its
# trace is hundreds of MB (about 16 bytes a node-item-day once encoded), which recording
# would build and write for a table few read whole (docs/operations.md).
SCPLN_RUN_TRACE_STORED_UP_TO = env_int(ENV, "SCPLN_RUN_TRACE_STORED_UP_TO", 25_000_000, minimum=0)
# Replication sets (risk/): the most replications one set may ask for, and how many a
# chunk job runs (smaller chunks spread better over workers; each costs a job row).
SCPLN_REPLICATIONS_MAX = env_int(ENV, "SCPLN_REPLICATIONS_MAX", 10_000, minimum=1)
SCPLN_REPLICATION_CHUNK = env_int(ENV, "SCPLN_REPLICATION_CHUNK", 10, minimum=1)
RUNS_DB_MAX_ROWS = env_int(ENV, "RUNS_DB_MAX_ROWS", 0, minimum=0)
SCPLN_SKIP_SIMULATION_API = env_bool(ENV, "SCPLN_SKIP_SIMULATION_API", False)

# --- Exceptions (docs/planner-guide.md, "Exceptions") ------------------------------
# Stock at the horizon end covering more days of its average outflow than this is excess.
SCPLN_EXCEPTION_EXCESS_COVER_DAYS = env_float(
    ENV, "SCPLN_EXCEPTION_EXCESS_COVER_DAYS", 90.0, minimum=1.0
)
# A factory loaded below this share of its capacity (0–1) is idle.
SCPLN_EXCEPTION_IDLE_UTILISATION = env_float(
    ENV, "SCPLN_EXCEPTION_IDLE_UTILISATION", 0.3, minimum=0.0, maximum=1.0
)
# Plan and run fill rates further apart than this many percentage points diverge.
SCPLN_EXCEPTION_DIVERGENCE_POINTS = env_float(
    ENV, "SCPLN_EXCEPTION_DIVERGENCE_POINTS", 5.0, minimum=0.0, maximum=100.0
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str(ENV, "SCPLN_LOG_LEVEL", "INFO")},
    # django-axes logs every successful login at INFO; failures and lock-outs are warnings.
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Backups --------------------------------------------------------------------
SCPLN_BACKUP_DIR = Path(env_str(ENV, "SCPLN_BACKUP_DIR", str(DATA_DIR / "backups")))
SCPLN_BACKUP_KEEP = env_int(ENV, "SCPLN_BACKUP_KEEP", 14, minimum=1)
# Archive folder for runs (JSON lines + their PSI result). When set, retention
# deletes only runs that were archived first; empty turns archiving off.
_ARCHIVE = env_str(ENV, "SCPLN_ARCHIVE_DIR", "")
SCPLN_ARCHIVE_DIR = Path(_ARCHIVE) if _ARCHIVE else None
SCPLN_ARCHIVE_FORMAT = env_choice(ENV, "SCPLN_ARCHIVE_FORMAT", "parquet", {"parquet", "csv"})

# --- Notifications --------------------------------------------------------------
# Plan submissions notify the approvers and decisions notify the planner: on
# their page in the UI always, and by e-mail. The console backend (the
# default) writes the mails to the log; EMAIL_HOST switches to SMTP.
EMAIL_HOST = env_str(ENV, "EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = env_int(ENV, "EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str(ENV, "EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str(ENV, "EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool(ENV, "EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str(ENV, "SCPLN_EMAIL_FROM", "scpln@localhost")
SCPLN_BASE_URL = env_str(ENV, "SCPLN_BASE_URL", "http://127.0.0.1:8000")
