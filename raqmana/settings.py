"""Raqmana settings, read from environment variables with development defaults.

A deployment sets at least SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL; README.md lists the rest.
"""

import hashlib
import json
import os
import secrets
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("RAQMANA_DEBUG")
TESTING = "pytest" in sys.modules


def development_secret_key():
    """A secret generated once per checkout, so that no secret ever sits in the repository."""
    key_file = BASE_DIR / ".secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("Set SECRET_KEY in the environment (or RAQMANA_DEBUG=1 for development).")
    SECRET_KEY = development_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "django_ratelimit",  # its system check refuses a rate-limit cache that processes do not share
    "ninja",  # the API docs page then uses the Swagger UI files shipped with django-ninja, not a CDN
    "django_tasks_db",
    "raqmana.kernel",
    "raqmana.portal",
    "raqmana.demo",
    "raqmana.calendars",
    "raqmana.civil_status",
    "raqmana.territories",
    "raqmana.access",
    "raqmana.workflows",
    "raqmana.accounts",
    "raqmana.audit",
    "raqmana.notifications",
    "raqmana.payments",
    "raqmana.documents",
    "raqmana.civil_status_documents",
    "raqmana.procedures",
    "raqmana.complaints",
    "raqmana.mail_registry",
    "raqmana.legalisation",
    "raqmana.proposals",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Before everything that reads the visitor: an answer the same for every anonymous visitor is served from here.
    "raqmana.kernel.reference_data.KeptAnswersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "raqmana.kernel.middleware.ArabicFirstLanguageMiddleware",
    "raqmana.kernel.errors.MethodNotAllowedPage",  # inside the language middleware: the page is in the person's
    "raqmana.kernel.bad_input.BadInputMiddleware",  # before anything reads the session, the form or the body
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "raqmana.accounts.middleware.AgentTwoFactorMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must come last: it turns lockouts raised by the authentication backend into responses.
    "axes.middleware.AxesMiddleware",
]

if not (DEBUG or TESTING):
    # Deployed, static files are served from STATIC_ROOT (collectstatic); runserver serves them in development.
    # After the security and CSP middleware, whose headers static files (an SVG among them) need as well.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "raqmana.urls"
WSGI_APPLICATION = "raqmana.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "raqmana.portal.context_processors.platform",
                "raqmana.kernel.reference_data.form_token_placeholder",
            ],
        },
    },
]

# Connections are reused across requests: opening one costs PostgreSQL a process, about half the time of a simple
# page. By default each process keeps its connection DATABASE_CONN_MAX_AGE seconds ("none": for ever, 0: one per
# request), checked before a request reuses it (CONN_HEALTH_CHECKS), so one PostgreSQL ended (a restart,
# pg_terminate_backend) is opened again, never used broken. RAQMANA_DB_POOL=1 uses a pool per process instead
# (psycopg_pool, through Django: RAQMANA_DB_POOL_MIN_SIZE connections kept open, up to RAQMANA_DB_POOL_MAX_SIZE, each
# checked before it is handed out), for threaded servers; not with processes forked after connecting (Celery's
# prefork workers, gunicorn --preload), whose children would share the parent's pooled sockets.
_conn_max_age = os.environ.get("DATABASE_CONN_MAX_AGE", "600")
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=None if _conn_max_age.lower() == "none" else int(_conn_max_age),
        conn_health_checks=True,
    )
}
DATABASE_POOL = env_bool("RAQMANA_DB_POOL") and DATABASES["default"]["ENGINE"].endswith("postgresql")
if DATABASE_POOL:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django refuses both
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("RAQMANA_DB_POOL_MIN_SIZE", "1")),
        "max_size": int(os.environ.get("RAQMANA_DB_POOL_MAX_SIZE", "4")),
        # Seconds a request waits for a free connection before it fails (an unexpected error, logged).
        "timeout": float(os.environ.get("RAQMANA_DB_POOL_TIMEOUT", "10")),
    }
# What PostgreSQL ends by itself, on every connection (seconds; 0 for never). A statement past 30 s: no page waits
# longer (gunicorn's own timeout). A wait for a lock past 15 s: an issue holds its office's number while it renders,
# seals and time-stamps (the time-stamping authority has 10 s). A transaction left idle for 60 s: its client vanished
# (a worker killed, a network cut) and its locks, an office's number among them, are released; well above the
# longest pause a transaction makes to wait for an outside service. `manage.py migrate` lifts the statement and idle
# ones on its connection (kernel/database.py); a bulk load of a whole register in one run sets them by environment.
DATABASE_TIMEOUTS = {
    "statement_timeout": float(os.environ.get("RAQMANA_DB_STATEMENT_TIMEOUT", "30")),
    "lock_timeout": float(os.environ.get("RAQMANA_DB_LOCK_TIMEOUT", "15")),
    "idle_in_transaction_session_timeout": float(os.environ.get("RAQMANA_DB_IDLE_IN_TRANSACTION_TIMEOUT", "60")),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = " ".join(
        [
            _options.get("options", ""),
            *(f"-c {name}={round(seconds * 1000)}" for name, seconds in DATABASE_TIMEOUTS.items()),
        ]
    ).strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username/IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "raqmana.accounts.backends.EmailOrPhoneBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# Failed logins: five tries per username and address, then a 15-minute cool-off.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field, which takes an email or a phone number
# Counted per account, however its email or phone is spelt (case, spaces, 06… or +212…).
AXES_USERNAME_CALLABLE = "raqmana.accounts.backends.throttle_key"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies in front append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXY_COUNT else ("REMOTE_ADDR",)

OTP_TOTP_ISSUER = "Raqmana"

# A national e-ID plugs in as an OpenID Connect provider when its client id is set.
OIDC_ENABLED = bool(os.environ.get("OIDC_RP_CLIENT_ID"))
if OIDC_ENABLED:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("raqmana.accounts.oidc.NationalEIdBackend")
    OIDC_RP_CLIENT_ID = os.environ["OIDC_RP_CLIENT_ID"]
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email phone profile")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["OIDC_OP_USER_ENDPOINT"]
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
    OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_OP_LOGOUT_ENDPOINT", "")
    OIDC_NATIONAL_ID_CLAIM = os.environ.get("OIDC_NATIONAL_ID_CLAIM", "sub")
    OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "")

LANGUAGE_CODE = "ar"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("fr", _("French")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "raqmana" / "locale"]
# Moroccan conventions in every language: day/month/year, 24-hour clock, grouped thousands.
FORMAT_MODULE_PATH = ["raqmana.formats"]
USE_THOUSAND_SEPARATOR = False  # numbers group only through kernel.templatetags.numbers (years, references never)
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Africa/Casablanca"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Issued documents (signed PDFs) are private: kept through the "documents" storage, never served as static
# media. A local folder by default; any Django storage backend (S3-compatible through django-storages) by setting
# RAQMANA_DOCUMENTS_STORAGE to its dotted path and its options as JSON in RAQMANA_DOCUMENTS_STORAGE_OPTIONS.
_scratch = tempfile.mkdtemp(prefix="raqmana-test-") if TESTING else None
STORAGES["documents"] = {
    "BACKEND": os.environ.get("RAQMANA_DOCUMENTS_STORAGE", "django.core.files.storage.FileSystemStorage"),
    "OPTIONS": json.loads(os.environ.get("RAQMANA_DOCUMENTS_STORAGE_OPTIONS", "null"))
    or {"location": os.environ.get("RAQMANA_DOCUMENTS_DIR", _scratch or str(BASE_DIR / "var" / "documents"))},
}
# Public address printed in QR codes, links and emails, where anyone verifies a document. `make run HOST=...`
# sets it to the address served.
# Two births of one name and parents this many days apart or less are flagged as a possible duplicate
# (OpenCRVS's deduplication rules use the same window).
RAQMANA_DUPLICATE_BIRTH_WINDOW_DAYS = int(os.environ.get("RAQMANA_DUPLICATE_BIRTH_WINDOW_DAYS", "5"))
RAQMANA_PUBLIC_URL = os.environ.get("RAQMANA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
# Signing keys (see raqmana/documents/pki.py): development, pkcs12 or pkcs11.
RAQMANA_SIGNING_BACKEND = os.environ.get("RAQMANA_SIGNING_BACKEND", "development")
RAQMANA_PKI_DIR = os.environ.get("RAQMANA_PKI_DIR", _scratch or str(BASE_DIR / "var" / "pki"))
RAQMANA_PKCS12_DIR = os.environ.get("RAQMANA_PKCS12_DIR", "")
RAQMANA_PKCS12_PASSPHRASE = os.environ.get("RAQMANA_PKCS12_PASSPHRASE", "")
RAQMANA_PKCS11_MODULE = os.environ.get("RAQMANA_PKCS11_MODULE", "")
RAQMANA_PKCS11_TOKEN = os.environ.get("RAQMANA_PKCS11_TOKEN", "")
RAQMANA_PKCS11_PIN = os.environ.get("RAQMANA_PKCS11_PIN", "")
RAQMANA_SIGNING_TRUST_ROOTS = os.environ.get("RAQMANA_SIGNING_TRUST_ROOTS", "")

# Uploads (raqmana/kernel/uploads.py): a file stops being read once it passes 5 MB (the handler below, first);
# the form fields beside the files may take 1 MB, and a request carries at most 10 files.
FILE_UPLOAD_HANDLERS = [
    "raqmana.kernel.upload_handlers.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Kept uploads are scanned by ClamAV's daemon: through its local socket (Debian: /var/run/clamav/clamd.ctl) when
# RAQMANA_CLAMD_SOCKET is set, else over TCP. Production keeps its signatures current with freshclam; development
# and tests run scripts/clamav/start-clamd. A file the daemon has not scanned waits, never passes.
RAQMANA_CLAMD_SOCKET = os.environ.get("RAQMANA_CLAMD_SOCKET", "")
RAQMANA_CLAMD_HOST = os.environ.get("RAQMANA_CLAMD_HOST", "127.0.0.1")
RAQMANA_CLAMD_PORT = int(os.environ.get("RAQMANA_CLAMD_PORT", "3310"))
RAQMANA_CLAMD_TIMEOUT = float(os.environ.get("RAQMANA_CLAMD_TIMEOUT", "30"))
# Calendar days an online order may wait for its payment before its clock expires it (workflows' clocks).
RAQMANA_ORDER_PAYMENT_DAYS = int(os.environ.get("RAQMANA_ORDER_PAYMENT_DAYS", "7"))
# Proofs of orders that were never paid, refused or cancelled are deleted this many days after the order's last
# change (Law 09-08, art. 3: personal data kept no longer than its purpose needs).
RAQMANA_PROOF_RETENTION_DAYS = int(os.environ.get("RAQMANA_PROOF_RETENTION_DAYS", "90"))
# A dossier's draft left untouched this many days expires; its applicant is warned this many days before.
RAQMANA_DRAFT_EXPIRY_DAYS = int(os.environ.get("RAQMANA_DRAFT_EXPIRY_DAYS", "90"))
RAQMANA_DRAFT_WARNING_DAYS = int(os.environ.get("RAQMANA_DRAFT_WARNING_DAYS", "7"))
# Complaints, observations and suggestions (decree 2-17-265): qualified and forwarded within 15 days, answered within
# 60, in calendar days; a complainant re-opens an answer once, within 30 days of it.
RAQMANA_COMPLAINT_QUALIFICATION_DAYS = int(os.environ.get("RAQMANA_COMPLAINT_QUALIFICATION_DAYS", "15"))
RAQMANA_COMPLAINT_ANSWER_DAYS = int(os.environ.get("RAQMANA_COMPLAINT_ANSWER_DAYS", "60"))
RAQMANA_COMPLAINT_REOPEN_DAYS = int(os.environ.get("RAQMANA_COMPLAINT_REOPEN_DAYS", "30"))
# Signature legalisation and certified copies: the stamp duty a page (MAD, set by the finance law), and whether an
# enrolled signer's request may be completed without them at the counter (decree 2-22-047, as the ministry reads it).
RAQMANA_LEGALISATION_STAMP_DUTY_PER_PAGE = Decimal(os.environ.get("RAQMANA_LEGALISATION_STAMP_DUTY_PER_PAGE", "2.00"))
RAQMANA_LEGALISATION_REMOTE = os.environ.get("RAQMANA_LEGALISATION_REMOTE", "1") == "1"
# The audit trail's chains a day (raqmana/audit/chain.py): writers of different chains never wait on each other; as
# many as the workers writing at once (processes times threads) keeps them apart. Changing it takes effect at once.
RAQMANA_AUDIT_CHAIN_PARTITIONS = int(os.environ.get("RAQMANA_AUDIT_CHAIN_PARTITIONS", "16"))
# The key of the audit trail's hashes and seals (HMAC-SHA256, raqmana/audit/chain.py), kept out of the database so
# that whoever can write to it cannot rewrite the trail. Empty: derived from SECRET_KEY (`check --deploy` warns). It
# never changes: events hashed with another key fail verify_audit.
RAQMANA_AUDIT_KEY = os.environ.get("RAQMANA_AUDIT_KEY", "")
# The time-stamping authority (RFC 3161) that dates each seal (see raqmana/documents/timestamping.py). Empty with
# the development backend: its own TSA, called in-process (`make run` points the server at /documents/pki/tsa).
RAQMANA_TSA_URL = os.environ.get("RAQMANA_TSA_URL", "")
RAQMANA_TSA_USERNAME = os.environ.get("RAQMANA_TSA_USERNAME", "")
RAQMANA_TSA_PASSWORD = os.environ.get("RAQMANA_TSA_PASSWORD", "")
RAQMANA_TSA_TIMEOUT = float(os.environ.get("RAQMANA_TSA_TIMEOUT", "10"))

# A shared cache (Redis, REDIS_URL) holds the rate limits of public pages; without it each process counts alone,
# which only development may accept.
REDIS_URL = os.environ.get("REDIS_URL", "")
# django-redis rather than Django's own Redis backend: it keeps one client per process where Django's builds one per
# call, which was half the time of a cache read. "local" and "people": each process's own memory, for what is worked
# out from reference data (kernel/reference_data.py) and about a signed-in person (kernel/personal_cache.py) under a
# version kept in the shared cache, so that a request asks the shared cache only for the version.
# The shared cache holds what is known of this database's people under their numbers: its keys are prefixed with
# the database they describe, so that two deployments on one Redis (staging and production) never read each other's.
_database_of_the_cache = ":".join(str(DATABASES["default"].get(key, "")) for key in ("ENGINE", "HOST", "PORT", "NAME"))
CACHE_KEY_PREFIX = os.environ.get("REDIS_KEY_PREFIX") or hashlib.sha256(_database_of_the_cache.encode()).hexdigest()[:8]
CACHES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": CACHE_KEY_PREFIX}
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "reference-data",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
    "people": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "people",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
    # Signed-in people's pages kept whole (kernel/personal_pages.py): about 4 KB each (up to 28 KB with a long
    # address), so 8 to 56 MB a process at most.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "personal-pages",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
RATELIMIT_IP_META_KEY = "axes.helpers.get_client_ip_address"  # the same client address as sign-in throttling
RATELIMIT_VIEW = "raqmana.portal.views.rate_limited"
# Act lookups per counter agent (screens and API together), e.g. "30/h"; past it the office's officers and the
# provincial inspectors are alerted.
RAQMANA_COUNTER_LOOKUP_RATE = os.environ.get("RAQMANA_COUNTER_LOOKUP_RATE", "30/h")
# Public verifications of documents (page and API) per client address, e.g. "30/m" (django-ratelimit's rates).
RAQMANA_VERIFY_RATE = os.environ.get("RAQMANA_VERIFY_RATE", "30/m")
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT
# models.W040: an index's included columns (PostgreSQL's covering indexes) are left out on SQLite, where the index
# still serves; the warning says only that.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001", "models.W040"] + (
    ["django_ratelimit.E003"] if DEBUG or TESTING else []
)

# Online payment: the dotted path of a provider class (raqmana/payments/providers.py). Development and tests use
# the simulated gateway; production has none until a real one is configured, and orders are then paid at the counter.
RAQMANA_PAYMENT_PROVIDER = os.environ.get(
    "RAQMANA_PAYMENT_PROVIDER", "raqmana.payments.providers.SimulatedProvider" if DEBUG or TESTING else ""
)
# A payment still pending this many minutes after it was created is asked about at the provider every run of
# settle_pending_payments (payments/confirmations.py), and the payer reads that it is being confirmed with the bank.
RAQMANA_PAYMENT_CONFIRMATION_MINUTES = int(os.environ.get("RAQMANA_PAYMENT_CONFIRMATION_MINUTES", "10"))
# Past this many days a payment the provider reports unpaid is cancelled, and a failed or cancelled one is no longer
# asked about this long after its last step. As long as an order's payment clock: the order expires with it.
RAQMANA_PAYMENT_EXPIRY_DAYS = int(os.environ.get("RAQMANA_PAYMENT_EXPIRY_DAYS", str(RAQMANA_ORDER_PAYMENT_DAYS)))

# SMS (raqmana/notifications/sms.py): the console in development, none in production unless configured.
RAQMANA_SMS_PROVIDER = os.environ.get(
    "RAQMANA_SMS_PROVIDER", "raqmana.notifications.sms.ConsoleSms" if DEBUG or TESTING else ""
)
RAQMANA_SMS_URL = os.environ.get("RAQMANA_SMS_URL", "")
RAQMANA_SMS_TOKEN = os.environ.get("RAQMANA_SMS_TOKEN", "")
RAQMANA_SMS_SENDER = os.environ.get("RAQMANA_SMS_SENDER", "Raqmana")

# Background work through django.tasks: in-process under tests, the database worker by default,
# Celery on the broker when TASKS_BACKEND=celery.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate" if TESTING else "database")
TASK_BACKENDS = {
    "immediate": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "celery": {"BACKEND": "django_tasks_celery.CeleryBackend", "OPTIONS": {"CELERY_APP": "raqmana.celery.app"}},
}
if TASKS_BACKEND not in TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASK_BACKENDS)}.")
TASKS = {"default": TASK_BACKENDS[TASKS_BACKEND]}
# A RUNNING task whose database worker has recorded no heartbeat for this long (killed, or stopped before it could
# record the task's end) is made READY again, RAQMANA_TASK_MAX_ATTEMPTS runs in all, then FAILED with an alert
# (kernel/workers.py). A live worker beats every few seconds however long its task runs.
RAQMANA_WORKER_SILENCE = int(os.environ.get("RAQMANA_WORKER_SILENCE", "60"))
# A task claimed by a worker that records no heartbeat (django_tasks_db's db_worker) is taken back once RUNNING this
# long; Celery kills a task running this long (time limit).
RAQMANA_TASK_TIMEOUT = int(os.environ.get("RAQMANA_TASK_TIMEOUT", str(15 * 60)))
RAQMANA_TASK_MAX_ATTEMPTS = int(os.environ.get("RAQMANA_TASK_MAX_ATTEMPTS", "3"))
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "rpc://")
CELERY_RESULT_EXTENDED = True
# A message is acknowledged once its task has finished, and given back to RabbitMQ when its pool child dies, so a
# killed worker loses nothing; each child reserves one message at a time, so none waits behind a long task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = RAQMANA_TASK_TIMEOUT
# The broker's connection lost, the running tasks stop (their messages are delivered again) instead of running on
# beside their second delivery.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task queued with a delay (a notification tried again 12 hours later) stays unacknowledged in its worker until
# due: RabbitMQ's consumer_timeout (deploy/README.md) and a visibility timeout (Redis, SQS brokers) must outlast it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 24 * 3600}

# Mail: written readable to files under var/mail in development (one line on the console each), SMTP otherwise
# (EMAIL_HOST, EMAIL_PORT, EMAIL_USER...).
if os.environ.get("EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("EMAIL_PORT", "25")),
                "username": os.environ.get("EMAIL_USER") or None,
                "password": os.environ.get("EMAIL_PASSWORD") or None,
                "use_tls": env_bool("EMAIL_USE_TLS"),
                # Shorter than a notification's lease (notifications.services.LEASE): a hung server frees the worker.
                "timeout": int(os.environ.get("EMAIL_TIMEOUT", "30")),
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": "raqmana.kernel.mail.ReadableFileBackend",
            "OPTIONS": {"directory": os.environ.get("RAQMANA_MAIL_DIR", str(BASE_DIR / "var" / "mail"))},
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Raqmana <no-reply@raqmana.localhost>")

# Content-Security-Policy on every response: only this site's own script and style files run, never inline code
# (htmx is configured not to inject or evaluate any), and no page may be framed. Forms post to this site only,
# plus the payment gateway the payer is redirected to after "Pay" (its origin, e.g. https://pay.example.ma).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF, *env_list("RAQMANA_PAYMENT_GATEWAY_ORIGINS")],
}

# Sessions are read from the cache and written through to the database: a signed-in page reads no session row, and
# a sign-out (the row deleted, the cache entry with it) holds in every worker sharing the cache (Redis in production).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
if not DEBUG and not TESTING:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) printed every "django.*" line a second time through the root's.
        "django": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
    },
}

if TESTING:
    # Real hashers cost ~0.3 s per password by design; tests create hundreds.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
