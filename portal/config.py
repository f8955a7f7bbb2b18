"""Settings from the environment."""
import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _secret_key():
    """Use SECRET_KEY, or one generated once and kept in instance/ so sessions survive restarts."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def _flag(name, default=False):
    value = os.environ.get(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


OPTIONAL = {"INVITE_LINK_HOURS": int, "RESET_LINK_HOURS": int,
            "LOGIN_LIMIT_PER_ACCOUNT": str, "LOGIN_LIMIT_PER_ADDRESS": str,
            "RESET_REQUESTS_PER_ADDRESS": str, "RESET_EMAILS_PER_ACCOUNT": str,
            "API_RATE_LIMIT": str, "WEBHOOK_TIMEOUT": float,
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
        "SECRET_KEY": _secret_key(),
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
