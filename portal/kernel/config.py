"""Settings from the environment."""
import os
import secrets
import tempfile
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parents[2]  # the repository
INSTANCE = ROOT / "instance"


DEMO, PRODUCTION = "demo", "production"
MAKE_A_KEY = "python -c 'import secrets; print(secrets.token_hex(32))'"


class ConfigurationError(RuntimeError):
    """The environment can't run Rebook as asked; the message says which variable and how."""


def mode():
    """REBOOK_MODE: demo (the default, what `make run` serves) or production."""
    return (os.environ.get("REBOOK_MODE") or DEMO).strip().lower()


def secret_key_file():
    return Path(os.environ.get("SECRET_KEY_FILE") or INSTANCE / "secret_key")


def _secret_key():
    """Use SECRET_KEY, or (demo mode only) one generated once and kept in instance/ so sessions
    survive restarts. Production never invents a key: every process and machine must share one."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if mode() != DEMO:
        return None
    path = secret_key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        _write_new_key(path)
    return path.read_text().strip()


# Key files this process made: they have signed nothing yet, so `flask restore` may replace one.
GENERATED = set()


def _write_new_key(path):
    """Readable by its owner only (whoever reads it can forge sessions), and whole from the
    moment it appears: several server processes may start at once and all read it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
        os.link(tmp, path)
        GENERATED.add(str(path))
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        os.unlink(tmp)


def check(config):
    """Refuse to start on a configuration that can't be run safely (create_app calls this)."""
    if config.get("REBOOK_MODE") not in (DEMO, PRODUCTION):
        raise ConfigurationError(
            f"REBOOK_MODE must be 'demo' or 'production', not {config.get('REBOOK_MODE')!r}.")
    if config["REBOOK_MODE"] == PRODUCTION and not config.get("SECRET_KEY"):
        raise ConfigurationError(
            "SECRET_KEY is not set, and production mode (REBOOK_MODE=production) needs it: it "
            "signs sessions and must be the same for every process. Make one with\n    "
            f"{MAKE_A_KEY}\nand set SECRET_KEY to it in the environment of every Rebook process.")


def _flag(name, default=False):
    value = os.environ.get(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


OPTIONAL = {"INVITE_LINK_HOURS": int, "RESET_LINK_HOURS": int,
            "LOGIN_LIMIT_PER_ACCOUNT": str, "LOGIN_LIMIT_PER_ADDRESS": str,
            "RESET_REQUESTS_PER_ADDRESS": str, "RESET_EMAILS_PER_ACCOUNT": str,
            "API_RATE_LIMIT": str, "WEBHOOK_TIMEOUT": float, "TRUSTED_PROXIES": int,
            "SESSION_IDLE_MINUTES": float, "SESSION_MAX_HOURS": float,
            "EMAIL_CHANGE_LINK_HOURS": float,
            "WEBHOOK_ALLOWED_HOSTS": str,  # an operator's list, never set from the browser
            "PUSH_ALLOWED_HOSTS": str,  # the same, for Web Push endpoints
            "DATABASE_POOL_SIZE": int, "DATABASE_POOL_STALE_SECONDS": int}


def load_env_file(path=None):
    """Read KEY=value lines from the project's `.env` into the environment. Variables already
    set win: the real environment (systemd's EnvironmentFile, a shell export) overrides the
    file, never the other way round. Returns True when a file was read."""
    return load_dotenv(path or ROOT / ".env", override=False)


def from_environment():
    """Build the config mapping create_app() starts from."""
    load_env_file()
    return {
        "REBOOK_MODE": mode(),
        "SECRET_KEY": _secret_key(),
        "SECRET_KEY_FILE": str(secret_key_file()),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'rebook.db'}"),
        "BASE_URL": os.environ.get("BASE_URL", f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"),
        "BUSINESS_TIMEZONE": os.environ.get("BUSINESS_TIMEZONE", "America/New_York"),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Rebook <bookings@example.com>"),
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "10")),
        "LINK_RATE_LIMIT": os.environ.get("LINK_RATE_LIMIT", "30 per minute"),
        "NOTIFICATION_POLL_SECONDS": int(os.environ.get("NOTIFICATION_POLL_SECONDS", "10")),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO").upper(),
        # A confirm modal may stay open a long time; the token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE"),
        # Read only when set: each default lives beside the code that uses it.
        **{name: cast(os.environ[name]) for name, cast in OPTIONAL.items() if name in os.environ},
    }
