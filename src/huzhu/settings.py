"""Settings, from environment variables only (see README: Configuration)."""
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("HUZHU_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("HUZHU_DEBUG", True)
SECRET_KEY = os.environ.get("HUZHU_SECRET_KEY", "dev-only-insecure-secret-key-change-me")
# HUZHU_DATA_KEY encrypts ID numbers and bank accounts at rest; the default is for development only.
DATA_KEY = os.environ.get("HUZHU_DATA_KEY", "dev-only-data-key")
# Set only while `huzhu rotate-data-key` moves stored values off the old key (docs/security.md).
DATA_KEY_PREVIOUS = os.environ.get("HUZHU_DATA_KEY_PREVIOUS", "")
# HUZHU_AUDIT_KEY keys the audit chain's HMACs; never stored in the database. Development default only.
AUDIT_KEY = os.environ.get("HUZHU_AUDIT_KEY", "dev-only-audit-key")
# HUZHU_CRYPTO=sm: national (国密) algorithms — SM4-GCM field encryption, HMAC-SM3 blind indexes
# and audit MACs (core/crypto.py, audit/chain.py); empty: AES-256-GCM and HMAC-SHA256.
HUZHU_CRYPTO = os.environ.get("HUZHU_CRYPTO", "")
# Set only while `huzhu rotate-data-key` moves stored values from one suite to the other: the
# suite the values not yet rotated were written with (docs/security.md).
HUZHU_CRYPTO_PREVIOUS = os.environ.get("HUZHU_CRYPTO_PREVIOUS", "")
ALLOWED_HOSTS = os.environ.get("HUZHU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("HUZHU_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # serves Swagger UI from the app's own static files (no CDN, CSP-clean)
    "huzhu.core",
    "huzhu.audit",
    "huzhu.regions",
    "huzhu.members",
    "huzhu.plans",
    "huzhu.enrollment",
    "huzhu.claims",
    "huzhu.ledger",
    "huzhu.payouts",
    "huzhu.campaign",
    "huzhu.risk",
    "huzhu.actuarial",
    "huzhu.reports",
    "huzhu.archives",
    "huzhu.portal",
    "huzhu.security",
    "huzhu.webhooks",
    "huzhu.settlements",
    "huzhu.hospitals",
    "huzhu.complaints",
    "huzhu.demo",  # top floor: imports the others, none imports it
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "huzhu.security.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "huzhu.core.middleware.ChineseNotFoundMiddleware",  # DEBUG's English 404 page → templates/404.html
    "django.contrib.messages.middleware.MessageMiddleware",
    "huzhu.security.middleware.SessionIdleTimeoutMiddleware",
    "huzhu.security.middleware.TwoFactorRequiredMiddleware",
    "huzhu.security.middleware.AdministratorConfinementMiddleware",
    "huzhu.security.middleware.ExportAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "huzhu.urls"
WSGI_APPLICATION = "huzhu.wsgi.application"

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
                "huzhu.navigation.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'huzhu.sqlite3'}"), conn_max_age=60,
        # A persistent connection the database dropped (restart, failover, idle timeout) is tested
        # at the start of the next request and replaced, instead of failing that request with a 500.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The test database is a file, not memory, so a Celery worker process that a test starts
    # (security/tests/test_celery_worker.py) opens the same database as the test.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-huzhu.sqlite3")}
# A streaming replica of the primary (PostgreSQL): report, dashboard and export pages read from it (core/replica.py).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(os.environ["DATABASE_REPLICA_URL"], conn_max_age=60,
                                                 conn_health_checks=True)
    # Tests write the primary's test database; the replica replays it under the same name (core/tests/test_replica.py
    # points this alias at the real replica server). MIRROR keeps the test runner from creating a database there.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["huzhu.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "huzhu.security.password_validation.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "huzhu.security.password_validation.PasswordHistoryValidator", "OPTIONS": {"keep": 5}},
]
# Login throttling and lockout wrap the model backend; admin-site permissions come from the staff
# role (三员分立), see security/backends.py.
AUTHENTICATION_BACKENDS = ["huzhu.security.backends.ThrottledModelBackend",
                           "huzhu.security.backends.RolePermissionBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Third-party browser assets come from npm (package.json) and are served by the app itself: no CDN.
STATICFILES_DIRS = [
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", PROJECT_DIR / "node_modules" / "echarts" / "dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
WHITENOISE_USE_FINDERS = True

MEDIA_ROOT = VAR_DIR / "media"
ARCHIVE_ROOT = Path(os.environ.get("HUZHU_ARCHIVE_ROOT", VAR_DIR / "archive"))
# Signed checkpoints of the audit chain head, outside the database (default ARCHIVE_ROOT/audit/checkpoints.jsonl).
HUZHU_AUDIT_CHECKPOINT_PATH = os.environ.get("HUZHU_AUDIT_CHECKPOINT_PATH", "")
# A process that seals events writes a checkpoint at most this often (seconds; 0 = only on demand).
HUZHU_AUDIT_CHECKPOINT_SECONDS = int(os.environ.get("HUZHU_AUDIT_CHECKPOINT_SECONDS", 600))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("HUZHU_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_NAME = "huzhu_session"
# Shared counter-side computers: the session ends with the browser, after 30 idle minutes
# (security.middleware.SessionIdleTimeoutMiddleware), and after 8 hours whatever happens.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 3600
HUZHU_SESSION_IDLE_SECONDS = int(os.environ.get("HUZHU_SESSION_IDLE_SECONDS", 30 * 60))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True  # htmx takes the token from the page (hx-headers), never from the cookie
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "huzhu.security.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = int(os.environ.get("HUZHU_HSTS_SECONDS", 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HUZHU_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_SSL_REDIRECT = env_bool("HUZHU_SSL_REDIRECT", False)  # usually the reverse proxy redirects
if env_bool("HUZHU_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Content-Security-Policy sent on every response (security.middleware.SecurityHeadersMiddleware).
HUZHU_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)

# Cache: login lockout counters and one-time-code rate limits live here, so every web process
# must share it: Redis in production (REDIS_URL); one process's memory in the embedded default.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # The suite runs in parallel processes (pytest-xdist), each on its own test database; each gets its
    # own Redis database too (counting down from below the one given, which the Celery tests use as their
    # broker), since a test's cache.clear() empties the whole database: it would wipe another process's
    # lockout counters, or the queue of a Celery test, mid-test.
    _base, _, _number = REDIS_URL.rpartition("/")
    REDIS_URL = f"{_base}/{(int(_number or 0) - 1 - int(os.environ['PYTEST_XDIST_WORKER'][2:])) % 16}"
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": "huzhu"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "huzhu"}}

# Login lockout: failures per username (and, more loosely, per client address) within the window.
HUZHU_LOGIN_MAX_FAILURES = int(os.environ.get("HUZHU_LOGIN_MAX_FAILURES", 5))
HUZHU_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("HUZHU_LOGIN_MAX_FAILURES_PER_IP", 20))
HUZHU_LOGIN_LOCK_SECONDS = int(os.environ.get("HUZHU_LOGIN_LOCK_SECONDS", 15 * 60))
# TOTP two-factor: roles that must enrol and use it (comma-separated Role values).
# Production default: association and the three administrators (system, security, audit).
HUZHU_2FA_REQUIRED_ROLES = [r for r in os.environ.get(
    "HUZHU_2FA_REQUIRED_ROLES", "" if DEBUG else "association,admin,security_admin,audit_admin").split(",") if r]
# How long the personal-data access log is kept (level 3: at least 6 months); older rows are purged
# by `huzhu purge-access-log` (daily task). The keyed audit chain (audit.AuditEvent) is never purged.
HUZHU_AUDIT_RETENTION_DAYS = int(os.environ.get("HUZHU_AUDIT_RETENTION_DAYS", 183))
# Worker sign-in by one-time code: SMS backend (dotted path), code lifetime, attempts, token lifetime.
HUZHU_SMS_BACKEND = os.environ.get("HUZHU_SMS_BACKEND", "huzhu.security.sms.LogSmsBackend")
HUZHU_WORKER_CODE_SECONDS = 5 * 60
HUZHU_WORKER_CODE_MAX_ATTEMPTS = 5
HUZHU_WORKER_TOKEN_SECONDS = int(os.environ.get("HUZHU_WORKER_TOKEN_SECONDS", 30 * 60))

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "")
# Without a broker, jobs run inline in the calling process (embedded default).
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Without a broker, long jobs (roster validation and import) run in a thread after the request (core/jobs.py).
HUZHU_JOBS_IN_THREADS = env_bool("HUZHU_JOBS_IN_THREADS", True)
# Claims made from medical-insurance data (免申即享) are paid to the card on file without the worker's
# confirmation on her phone when the association decides so; otherwise they wait for her confirmation.
HUZHU_DATA_CLAIMS_USE_CARD_ON_FILE = env_bool("HUZHU_DATA_CLAIMS_USE_CARD_ON_FILE", False)
# The association's account the bank debits for benefit payouts: the debtor of an ISO 20022 pain.001
# (payouts/iso20022.py). The defaults are demo values; set the real name, account and CNAPS 联行号.
HUZHU_PAYER_NAME = os.environ.get("HUZHU_PAYER_NAME", "内蒙古自治区职工互助保障协会")
HUZHU_PAYER_ACCOUNT = os.environ.get("HUZHU_PAYER_ACCOUNT", "0602000000000000000")  # a demo value: check --deploy warns
HUZHU_PAYER_BANK_CODE = os.environ.get("HUZHU_PAYER_BANK_CODE", "102191000000")
# The e-invoice verification service (the finance department's or a province platform's), off by default: union
# intranets cannot reach it. Set, each invoice is checked at submission (claims/services/voided.py has the contract).
HUZHU_EINVOICE_VERIFY_URL = os.environ.get("HUZHU_EINVOICE_VERIFY_URL", "")
HUZHU_EINVOICE_VERIFY_TIMEOUT = float(os.environ.get("HUZHU_EINVOICE_VERIFY_TIMEOUT", "3"))
# Automation approves a clean claim below this benefit; from the second amount a medical expert sees it (claims.rules).
CLAIMS_STRAIGHT_THROUGH_LIMIT = os.environ.get("CLAIMS_STRAIGHT_THROUGH_LIMIT", "3000.00")
CLAIMS_EXPERT_REVIEW_AMOUNT = os.environ.get("CLAIMS_EXPERT_REVIEW_AMOUNT", "10000.00")
# Mail (the weekly service-level digest): printed to the console while debugging, else SMTP.
EMAIL_BACKEND = os.environ.get("HUZHU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend" if DEBUG
                               else "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("HUZHU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("HUZHU_EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("HUZHU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("HUZHU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("HUZHU_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("HUZHU_EMAIL_FROM", "huzhu@localhost")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With acks_late a job whose worker died is delivered again once this many seconds pass unacked
# (Redis broker): keep it above the longest job's run time, or a slow job runs twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("HUZHU_CELERY_VISIBILITY_TIMEOUT", 3600))}
# `celery beat`: seal audit events a sealing-on-commit missed (a crashed process), checkpoint, verify nightly.
CELERY_BEAT_SCHEDULE = {
    "seal-audit-events": {"task": "huzhu.audit.seal_events", "schedule": 60.0},
    "verify-audit-chain": {"task": "huzhu.security.verify_audit_chain", "schedule": 24 * 3600.0},
    "purge-access-log": {"task": "huzhu.security.purge_access_log", "schedule": 24 * 3600.0},
    # Monday 07:30: last week's service-level digest to the association, every office and agency point.
    "send-service-digests": {"task": "reports.send_service_digests",
                             "schedule": crontab(hour=7, minute=30, day_of_week="mon")},
    "escalate-complaints": {"task": "huzhu.complaints.escalate_overdue", "schedule": 24 * 3600.0},
    # The 1st, 02:30: the post-audit sample (事后抽查) of last month's automatic approvals; a re-run draws nothing new.
    "draw-post-audit": {"task": "risk.draw_post_audit", "schedule": crontab(minute=30, hour=2, day_of_month="1")},
}
# The share of each stratum (amount band × risk-score band) of a month's automatic approvals drawn for the
# post-audit (risk.services.draw_post_audit), between 0 and 1; every county gets at least one whatever the share.
RISK_POST_AUDIT_SHARE = os.environ.get("RISK_POST_AUDIT_SHARE", "0.05")
# Complaints and questions (投诉/咨询): working days each level has to answer before the case moves up
# (代办点 → 办事处 → 协会), the clock restarting at the next level.
COMPLAINTS_ANSWER_DAYS = int(os.environ.get("COMPLAINTS_ANSWER_DAYS", 5))
# Roster validation commits its progress every this many rows (a resumed job restarts there).
HUZHU_IMPORT_CHUNK_ROWS = int(os.environ.get("HUZHU_IMPORT_CHUNK_ROWS", 5000))
# Staged rows (personal data) of an import job untouched this long are purged (purge_abandoned_imports,
# hourly with Celery beat, or `huzhu purge-imports`).
HUZHU_IMPORT_STAGING_TTL_HOURS = int(os.environ.get("HUZHU_IMPORT_STAGING_TTL_HOURS", 24))
# Medical-insurance settlement feeds (settlements app): files dropped in this folder are imported by
# a Celery beat job every five minutes and moved to processed/ or failed/ beside them; empty: no folder.
HUZHU_SETTLEMENT_DROP_DIR = os.environ.get("HUZHU_SETTLEMENT_DROP_DIR", "")
# Staging and matching commit every this many rows (a resumed job restarts there).
HUZHU_SETTLEMENT_CHUNK_ROWS = int(os.environ.get("HUZHU_SETTLEMENT_CHUNK_ROWS", 5000))
# The contribution receipt (参互回执): the payee printed on it, its credit code (optional), and the association's
# seal as a PNG file (none: the receipt says it is unsealed). No seal image ships with the code.
HUZHU_ASSOCIATION_NAME = os.environ.get("HUZHU_ASSOCIATION_NAME", "职工互助保障协会")
HUZHU_ASSOCIATION_CREDIT_CODE = os.environ.get("HUZHU_ASSOCIATION_CREDIT_CODE", "")
HUZHU_RECEIPT_SEAL_IMAGE = os.environ.get("HUZHU_RECEIPT_SEAL_IMAGE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("HUZHU_LOG_LEVEL", "WARNING")},
}
