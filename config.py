"""Configuration read from the environment; the defaults run the app embedded on SQLite."""
import os
import secrets
from pathlib import Path

from flask_appbuilder.const import AUTH_DB

from app.security.passwords import check_password

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("IRM_INSTANCE_DIR", BASE_DIR / "instance"))


def instance_secret_key(instance_dir: Path = INSTANCE_DIR) -> str:
    """Return SECRET_KEY from the environment, else one generated once and kept in instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    instance_dir.mkdir(parents=True, exist_ok=True)
    key_file = instance_dir / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _postgres_driver(url: str) -> str:
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def database_url() -> str:
    """Return DATABASE_URL, accepting the postgres:// spellings hosting platforms hand out."""
    return _postgres_driver(os.environ.get("DATABASE_URL")
                            or f"sqlite:///{INSTANCE_DIR / 'irm.db'}")


def engine_options(database_uri: str, options: dict, connect_timeout: int) -> dict:
    """Return the engine options for the database: on PostgreSQL with connect timeout and
    client-side TCP keepalives (a vanished server is noticed within about a minute)."""
    if not database_uri.startswith("postgresql"):
        return options
    connect_args = {"connect_timeout": connect_timeout, "keepalives": 1, "keepalives_idle": 30,
                    "keepalives_interval": 10, "keepalives_count": 3}
    connect_args.update(options.get("connect_args", {}))
    return {**options, "connect_args": connect_args}


def env_flag(name: str) -> bool:
    """Return whether the environment variable is set to 1, true or yes."""
    return os.environ.get(name, "").lower() in ("1", "true", "yes")


def env_list(name: str) -> list[str]:
    """Return a comma-separated environment variable as a list, empty when unset."""
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


class Config:
    """Production-leaning defaults; every secret and address comes from the environment."""

    SECRET_KEY = None  # filled in by create_app() via instance_secret_key()
    SQLALCHEMY_DATABASE_URI = None  # filled in by create_app() via database_url()
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # Test each pooled connection before use: those a database restart dropped are replaced
    # instead of failing the next request.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # PostgreSQL: give up connecting after this many seconds (a database that hangs
    # instead of refusing must not hold every worker), and find a dead server under an
    # open connection by TCP keepalives (engine_options below).
    IRM_DB_CONNECT_TIMEOUT_SECONDS = int(os.environ.get("IRM_DB_CONNECT_TIMEOUT_SECONDS", "5"))
    # How long a SQLite writer waits for another to finish before "database is locked".
    IRM_SQLITE_BUSY_TIMEOUT_MS = int(os.environ.get("IRM_SQLITE_BUSY_TIMEOUT_MS", "10000"))

    APP_NAME = "IRM «Одно окно»"
    APP_THEME = ""
    # Alembic owns the whole schema, FAB's ab_* tables included.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = True
    FAB_ADD_SECURITY_API = True
    FAB_API_SWAGGER_UI = True
    FAB_API_MAX_PAGE_SIZE = 100
    # The password policy (app/security/passwords.py), applied by FAB wherever a password
    # is set through a form or the user API.
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = check_password
    # Hosts a `next` URL may lead to after login; empty: only the host of the request.
    FAB_SAFE_REDIRECT_HOSTS = env_list("FAB_SAFE_REDIRECT_HOSTS")
    AUTH_TYPE = AUTH_DB
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    AUTH_USER_REGISTRATION = False

    # Served over HTTPS (behind a proxy that sets X-Forwarded-Proto): http is redirected,
    # HSTS is sent and cookies are Secure. Off by default so http://127.0.0.1 works.
    IRM_HTTPS = env_flag("IRM_HTTPS")
    # Sessions and CSRF: the REST API accepts the session cookie, so keep it SameSite.
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SECURE = IRM_HTTPS
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = IRM_HTTPS
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    JWT_ACCESS_TOKEN_EXPIRES = 3600

    BABEL_DEFAULT_LOCALE = "ru"
    LANGUAGES = {
        "ru": {"flag": "ru", "name": "Русский"},
        "kk": {"flag": "kz", "name": "Қазақша"},
        "en": {"flag": "gb", "name": "English"},
    }

    # Kazakhstan time, as an IANA zone: moments are shown and jobs scheduled in it, each with
    # the offset of its date (Almaty: UTC+6 until 1 March 2024, UTC+5 since; services/clock.py).
    IRM_TIMEZONE = os.environ.get("IRM_TIMEZONE", "Asia/Almaty")
    # The end of the working day in Kazakhstan time: what arrives later counts from the
    # next working day (services/calendar.py).
    IRM_WORKDAY_END = os.environ.get("IRM_WORKDAY_END", "18:00")
    # The daily deadline sweep runs at this Kazakhstan time.
    IRM_SWEEP_AT = os.environ.get("IRM_SWEEP_AT", "08:00")
    # Working days an office has to accept or decline a project handed over to it (p. 5).
    IRM_HANDOVER_DECISION_DAYS = int(os.environ.get("IRM_HANDOVER_DECISION_DAYS", "5"))
    # A project being worked on with no stage change, edit or meeting for this many days is
    # proposed to the Investment HQ (p. 7.2), at most IRM_STALLED_PROPOSALS_PER_DAY a day,
    # those without movement longest first.
    IRM_STALLED_PROJECT_DAYS = int(os.environ.get("IRM_STALLED_PROJECT_DAYS", "90"))
    IRM_STALLED_PROPOSALS_PER_DAY = int(os.environ.get("IRM_STALLED_PROPOSALS_PER_DAY", "20"))
    # Outgoing e-mail (notices, violation notices); unset MAIL_SERVER keeps notices in-app.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "irm@localhost")
    # Where the scheduler leaves built exports (default: instance/exports).
    IRM_EXPORT_DIR = os.environ.get("IRM_EXPORT_DIR")
    # Excel imports: where uploaded files are kept (default: instance/imports), and the
    # largest file and row count taken (the upload itself is cut off at MAX_CONTENT_LENGTH).
    IRM_IMPORT_DIR = os.environ.get("IRM_IMPORT_DIR")
    IRM_IMPORT_MAX_BYTES = int(os.environ.get("IRM_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
    IRM_IMPORT_MAX_ROWS = int(os.environ.get("IRM_IMPORT_MAX_ROWS", 50_000))
    # Documents attached to records: the storage folder (default: instance/documents), the
    # largest file, the types taken (by extension, checked against the content), and an
    # optional virus scanner, "module:function" called with the stored file's path
    # (docs/DOCUMENTS.md).
    IRM_DOCUMENT_DIR = os.environ.get("IRM_DOCUMENT_DIR")
    IRM_DOCUMENT_MAX_BYTES = int(os.environ.get("IRM_DOCUMENT_MAX_BYTES", 25 * 1024 * 1024))
    IRM_DOCUMENT_TYPES = tuple(os.environ.get(
        "IRM_DOCUMENT_TYPES", "pdf,docx,xlsx,pptx,odt,ods,odp,jpg,jpeg,png").split(","))
    IRM_DOCUMENT_SCANNER = os.environ.get("IRM_DOCUMENT_SCANNER")
    MAX_CONTENT_LENGTH = 3 * max(IRM_IMPORT_MAX_BYTES, IRM_DOCUMENT_MAX_BYTES)
    IRM_DEMO_PASSWORD = os.environ.get("IRM_DEMO_PASSWORD", "demo-password")
    # Upper bound on page sizes asked for in the URL (FAB leaves psize_* unbounded).
    IRM_MAX_PAGE_SIZE = 100

    # Sessions end after this much inactivity, and in any case this long after sign-in.
    IRM_SESSION_IDLE_MINUTES = int(os.environ.get("IRM_SESSION_IDLE_MINUTES", "30"))
    IRM_SESSION_MAX_HOURS = int(os.environ.get("IRM_SESSION_MAX_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = IRM_SESSION_MAX_HOURS * 3600
    # Sign-in locks after this many failures within the window: per name typed, per address.
    IRM_LOGIN_WINDOW_MINUTES = int(os.environ.get("IRM_LOGIN_WINDOW_MINUTES", "15"))
    IRM_LOGIN_MAX_FAILURES = int(os.environ.get("IRM_LOGIN_MAX_FAILURES", "5"))
    IRM_LOGIN_MAX_FAILURES_PER_IP = int(os.environ.get("IRM_LOGIN_MAX_FAILURES_PER_IP", "50"))
    # Reverse proxies in front of the app whose X-Forwarded-For to trust (0: none).
    IRM_PROXY_HOPS = int(os.environ.get("IRM_PROXY_HOPS", "0"))

    # A streaming replica the large export workbooks read from (services/replica.py).
    IRM_REPORTING_DATABASE_URL = _postgres_driver(os.environ.get("IRM_REPORTING_DATABASE_URL", ""))
    # Several nodes (docs/DEPLOY.md). The shared folder for documents, imports and exports
    # (services/storage.py); default: the instance folder.
    IRM_STORAGE_DIR = os.environ.get("IRM_STORAGE_DIR")
    # Logs: "json" (one object per line, with the request id) or "text"; unset: Flask's own.
    IRM_LOG_FORMAT = os.environ.get("IRM_LOG_FORMAT")
    # /ready reports the database unreachable after this many seconds without an answer.
    IRM_READY_TIMEOUT_SECONDS = int(os.environ.get("IRM_READY_TIMEOUT_SECONDS", "3"))
    # Who may read /metrics (comma-separated networks); others get 404.
    IRM_METRICS_ALLOW = os.environ.get("IRM_METRICS_ALLOW", "127.0.0.1/32,::1/128")
    # The scheduler: a standby tries the lock this often; the heartbeat job's interval; the
    # port of the scheduler's own metrics (unset: none) and the address it listens on.
    IRM_SCHEDULER_STANDBY_POLL_SECONDS = int(
        os.environ.get("IRM_SCHEDULER_STANDBY_POLL_SECONDS", "15"))
    IRM_SCHEDULER_HEARTBEAT_SECONDS = int(os.environ.get("IRM_SCHEDULER_HEARTBEAT_SECONDS", "60"))
    IRM_SCHEDULER_METRICS_PORT = os.environ.get("IRM_SCHEDULER_METRICS_PORT")
    IRM_METRICS_BIND = os.environ.get("IRM_METRICS_BIND", "127.0.0.1")


class ProductionConfig(Config):
    """Served over HTTPS whatever the environment says: Secure cookies, HSTS, https only;
    JSON logs; and the settings every node must share come from the environment."""

    IRM_HTTPS = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    IRM_LOG_FORMAT = os.environ.get("IRM_LOG_FORMAT", "json")
    # A key generated into one node's instance folder would sign cookies no other node
    # accepts, and SQLite cannot be shared: both must be given (create_app checks).
    IRM_REQUIRED_ENVIRONMENT = ("SECRET_KEY", "DATABASE_URL")


CONFIGS = {"default": Config, "production": ProductionConfig}


def selected() -> type:
    """Return the configuration named by IRM_CONFIG ("production"; default: Config)."""
    name = os.environ.get("IRM_CONFIG", "default")
    if name not in CONFIGS:
        raise RuntimeError(f"IRM_CONFIG={name!r}: expected one of {', '.join(CONFIGS)}")
    return CONFIGS[name]


class TestConfig(Config):
    """Settings for the test suite: CSRF off so tests can post forms directly."""

    TESTING = True
    # The test client speaks http, whatever IRM_HTTPS the shell has.
    IRM_HTTPS = False
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    SECRET_KEY = secrets.token_urlsafe(32)  # fresh per test run
    WTF_CSRF_ENABLED = False
    FAB_UPDATE_PERMS = True
    IRM_IMPORTS_INLINE = True  # the import worker runs before the response, not in a thread
    # Hashing a password the real way (scrypt) takes ~50 ms, and the suite signs in
    # thousands of times; one iteration of PBKDF2 keeps the same code path.
    # tests/test_passwords.py checks the real method of the other configurations.
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"
    AUTH_DB_FAKE_PASSWORD_HASH_CHECK = "pbkdf2:sha256:1$salt$" + "0" * 64
