"""Server-side login sessions: logging out ends a session wherever its cookie was copied.

Logging in makes a LoginSession row and puts a random key, `<kind>:<secret>`, in Flask's
signed cookie session; only the secret's SHA-256 is stored, so a copy of this table can't be
replayed as a cookie. Every request reads the row and its person in one query (resume, Flask-Login's loader;
the settings row rides along in the same statement, sparing the request a round trip, and so
may the page's own first read: kernel.beside) and accepts it only while the row exists, the person's session epoch is still the one it was
made with (a password change or a deactivation bumps the epoch), the last request was less than
SESSION_IDLE_MINUTES ago, and the row is younger than SESSION_MAX_HOURS. Logging out deletes the
row. last_seen_at is written at most once a minute, not on every request.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from flask.globals import _cv_app
from peewee import JOIN, CharField, DateTimeField, ForeignKeyField, IntegerField, fn

from ..kernel.beside import Along, Beside
from ..kernel.clock import utcnow
from ..kernel.compiled import Compiled
from ..kernel.db import BaseModel, write_transaction
from ..kernel.row_objects import _column_reader, instance
from ..messaging.models import Notification
from ..people import Customer, Staff
from ..settings import Settings

DEFAULT_IDLE_MINUTES = 60
DEFAULT_MAX_HOURS = 12
TOUCH_EVERY = timedelta(minutes=1)
AGENT_MAX = 200


class LoginSession(BaseModel):
    """One logged-in browser. Exactly one of customer / staff is set."""
    token_hash = CharField(max_length=64, unique=True)
    customer = ForeignKeyField(Customer, null=True, backref="login_sessions", on_delete="CASCADE")
    staff = ForeignKeyField(Staff, null=True, backref="login_sessions", on_delete="CASCADE")
    # The person's session_epoch when the session began: a later bump ends it.
    epoch = IntegerField()
    created_at = DateTimeField(default=utcnow)
    last_seen_at = DateTimeField(default=utcnow)
    user_agent = CharField(max_length=AGENT_MAX, default="")


MODELS = {"customer": (Customer, LoginSession.customer), "staff": (Staff, LoginSession.staff)}


def idle_limit() -> timedelta:
    return _limits()[0]


def max_age() -> timedelta:
    return _limits()[1]


_LIMITS = {}  # (SESSION_IDLE_MINUTES, SESSION_MAX_HOURS) as set -> (idle limit, max age)


def _limits():
    """(idle limit, max age) for the app's settings, made once per pair of settings (every
    request checks its session against both; a test or deploy that changes them gets theirs).
    The app read once, not through the current_app proxy for each."""
    config = _cv_app.get().app.config
    key = (config.get("SESSION_IDLE_MINUTES", DEFAULT_IDLE_MINUTES),
           config.get("SESSION_MAX_HOURS", DEFAULT_MAX_HOURS))
    limits = _LIMITS.get(key)
    if limits is None:
        if len(_LIMITS) > 16:  # settings only change by hand
            _LIMITS.clear()
        limits = _LIMITS[key] = (timedelta(minutes=float(key[0])),
                                 timedelta(hours=float(key[1])))
    return limits


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _split(key):
    """(model, owner field, secret hash) from a '<kind>:<secret>' key, or None."""
    kind, _, secret = (key or "").partition(":")
    if kind not in MODELS or not 20 <= len(secret) <= 64 or ":" in secret:
        return None  # also the 'kind:id:epoch' ids of sessions from before server-side rows
    return (*MODELS[kind], _digest(secret))


def start(person, user_agent: str = "", now: datetime | None = None):
    """A new session for `person` (just authenticated); returns the person carrying its key
    (get_id() gives it to Flask-Login). Expired rows of anyone are pruned on the way."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(32)
    owner = {"customer": None, "staff": None, person.kind_key: person.id}
    with write_transaction():
        prune(now)
        row = LoginSession.create(token_hash=_digest(secret), epoch=person.session_epoch,
                                  created_at=now, last_seen_at=now,
                                  user_agent=(user_agent or "")[:AGENT_MAX], **owner)
    person.session_key = f"{person.kind_key}:{secret}"
    person.login_session = row
    return person


def _unread(model):
    """A staff member's unread notices, counted in their session's statement: every staff
    page draws the count in its menu (web/fieldworker/notifications.py), and on PostgreSQL a
    statement of its own is a round trip the worker waits on. Customers have none."""
    if model is not Staff:
        return ()
    return (Notification.select(fn.COUNT(Notification.id))
            .where((Notification.staff == model.id) & Notification.read_at.is_null())
            .alias("unread"),)


def _resume_query(model, owner):
    """The person, their session row and the settings row for a token hash, as plain columns
    in that order (built once: see kernel.compiled), then for staff their unread count. The
    settings come along because every page reads them right after the person: on PostgreSQL
    a round trip and a statement fewer. A LEFT JOIN: with no settings row yet the person
    still comes back (Settings.current() then makes the row)."""
    kept = Settings.alias("kept")
    first = Settings.select(fn.MIN(Settings.id))
    return Compiled(lambda digest: (
        model.select(*model._meta.sorted_fields, *LoginSession._meta.sorted_fields,
                     *(getattr(kept, f.name) for f in Settings._meta.sorted_fields),
                     *_unread(model))
        .join(LoginSession, on=(owner == model.id))
        .join_from(model, kept, JOIN.LEFT_OUTER, on=(kept.id == first))
        .where((LoginSession.token_hash == digest)
               & (LoginSession.epoch == model.session_epoch)).limit(1)), 1)


_RESUME = {kind: _resume_query(*pair) for kind, pair in MODELS.items()}
_BESIDE = {}  # (kind, query, match field): the resume statement with that read beside it


def _resume_with(model, along):
    """The session's statement, and `along` read in it when it is a read for this kind of
    person (another kind's id could match someone else's rows)."""
    if along is None or along.kind != model.kind_key:
        return _RESUME[model.kind_key], ()
    key = (model.kind_key, id(along.query), id(along.match))  # (a field's == is SQL)
    query = _BESIDE.get(key)
    if query is None:
        query = _BESIDE[key] = Beside(_RESUME[model.kind_key], along.query,
                                      on=(model.id, along.match))
    return query, along.args


def _built(model, raw):
    """A model object from its raw columns in field order, as peewee would build it: each
    column through its field's python_value, except where that hands the value back as it is
    (None, an int for an integer field, a str for a text field, a datetime for a datetime
    field), which is most of a person's and a session's columns, and a datetime read as text
    (SQLite) through datetime.fromisoformat first: kernel.row_objects' rules for compiled
    reads (its column reader)."""
    data = {}
    for (name, convert, given), value in zip(_conversions(model), raw):
        data[name] = value if value is None or type(value) is given else convert(value)
    return instance(model, data)


_CONVERSIONS = {}  # model: (field name, its converter, the type it keeps as is) per field


def _conversions(model):
    kept = _CONVERSIONS.get(model)
    if kept is None:
        kept = _CONVERSIONS[model] = tuple(
            (f.name, *_column_reader(f, f.python_value)) for f in model._meta.sorted_fields)
    return kept


def _expired(row, now) -> bool:
    idle, oldest = _limits()
    return now - row.last_seen_at >= idle or now - row.created_at >= oldest


def resume(key: str, now: datetime | None = None, along: Along | None = None):
    """The person a session key belongs to, with .login_session, or None when the session was
    ended, has expired, or its person's epoch moved on. One query (a second only to delete an
    expired row). `along` (kernel.beside), for this kind of person: a read of theirs made in
    the same statement, its rows left on .read_along (None when it was not made)."""
    parts = _split(key)
    if parts is None:
        return None
    model, owner, digest = parts
    query, extra = _resume_with(model, along)
    # fetchall: an SQLite statement left unfinished would keep a read transaction open.
    rows = query.cursor(digest, *extra)[0].fetchall()
    read_along = None
    if isinstance(query, Beside):
        first, read_along = query.split(rows)
        rows = [first] if first is not None else []
    if not rows:
        return None
    raw, people = rows[0], len(model._meta.sorted_fields)
    sessions = people + len(LoginSession._meta.sorted_fields)
    settings = sessions + len(Settings._meta.sorted_fields)
    person = _built(model, raw[:people])
    person.login_session = _built(LoginSession, raw[people:sessions])
    # The settings row as read in this statement (None: there is none yet), for the request
    # to use instead of reading it again (web/app/current.py).
    person.read_settings = Settings.from_row(raw[sessions:settings]) \
        if raw[sessions] is not None else None
    # A staff member's unread notices as this statement counted them (None for customers):
    # what the menu shows unless the request changes notices first (notifications.py).
    person.unread_when_loaded = raw[settings] if len(raw) > settings else None
    if _expired(person.login_session, now or utcnow()):
        LoginSession.delete().where(LoginSession.id == person.login_session.id).execute()
        return None
    person.session_key = key
    person.read_along = read_along
    return person


def touch(row, now: datetime | None = None) -> bool:
    """Note activity on a session, writing at most once a minute; True when it wrote."""
    now = now or utcnow()
    if now - row.last_seen_at < TOUCH_EVERY:
        return False
    LoginSession.update(last_seen_at=now).where(LoginSession.id == row.id).execute()
    row.last_seen_at = now
    return True


def end(key: str) -> None:
    """Log out: the row goes, so the same cookie anywhere else stops working at once."""
    parts = _split(key)
    if parts is not None:
        LoginSession.delete().where(LoginSession.token_hash == parts[2]).execute()


def end_all(person) -> int:
    """End every session of this person (a new password); returns how many ended."""
    owner = MODELS[person.kind_key][1]
    return LoginSession.delete().where(owner == person.id).execute()


def prune(now: datetime | None = None) -> int:
    """Delete rows past the idle timeout or the absolute lifetime (cheap: run on each login)."""
    now = now or utcnow()
    return (LoginSession.delete()
            .where((LoginSession.last_seen_at <= now - idle_limit())
                   | (LoginSession.created_at <= now - max_age()))
            .execute())
