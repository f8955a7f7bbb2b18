"""Rate limits that hold across processes and machines: moving windows counted in the database.

Every allowed hit is a row (scope, key, at). `hit` counts the key's rows inside the window and
adds one in ONE transaction that holds the key's lock (BEGIN IMMEDIATE on SQLite; a
transaction-scoped advisory lock per key on PostgreSQL), so any number of server processes, on
one box or many sharing a PostgreSQL, never let more through than the limit. The database is
the store we already run: no extra service, and if it is down nothing is let through (the
callers' queries fail; the app answers 503).

Moving windows, as the `limits` library's: a key full at five hits frees a slot when the oldest
of them is a window old, not at a clock boundary. A refused hit is not recorded, so hammering a
full key does not push its reopening further away. "Now" is clock.utcnow (naive UTC), the
clock the rest of the app reads.
"""
import hashlib
import math
import re
from dataclasses import dataclass
from datetime import timedelta

from peewee import CharField, DateTimeField

from . import clock
from .db import BaseModel, database, is_postgres, write_transaction

KEY_MAX = 128
PRUNE_EVERY = 100  # hits per process between sweeps of expired rows
PRUNE_BATCH = 1000
# Advisory locks are two int4 keys: this first one keeps ours apart from any other use.
LOCK_SPACE = 0x52424C4D  # "RBLM"

UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
RATE_RE = re.compile(r"^\s*(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$",
                     re.IGNORECASE)


class RateLimitHit(BaseModel):
    scope = CharField(max_length=32)
    key = CharField(max_length=KEY_MAX)
    at = DateTimeField()
    expires_at = DateTimeField(index=True)  # at + the window then in force: what prune reads

    class Meta:
        # The check is one range scan: this key's hits, newest first.
        indexes = ((("scope", "key", "at"), False),)


@dataclass(frozen=True)
class Rate:
    amount: int
    seconds: int

    @classmethod
    def parse(cls, text) -> "Rate":
        """'5 per 15 minutes', '3 per hour', '300/minute' (the settings' spelling)."""
        if isinstance(text, Rate):
            return text
        match = RATE_RE.match(str(text))
        if not match or int(match.group(1)) < 1:
            raise ValueError(f"A rate limit reads like '5 per 15 minutes', not {text!r}.")
        amount, count, unit = match.groups()
        return cls(int(amount), int(count or 1) * UNITS[unit.lower()])

    @property
    def window(self) -> timedelta:
        return timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int = 0      # whole seconds until a slot frees; 0 when allowed
    refused: str = ""         # the scope that was full
    hit_ids: tuple = ()       # the rows this hit added (release() gives them back)


def _key(key) -> str:
    key = str(key)
    return key if len(key) <= KEY_MAX else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _lock_id(scope, key) -> int:
    digest = hashlib.blake2b(f"{scope}\0{key}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


def _lock(pairs):
    """Hold these keys until the transaction ends (PostgreSQL; SQLite's IMMEDIATE transaction
    already holds the one write lock). Taken in a fixed order, so two callers never deadlock."""
    if is_postgres():
        for lock_id in sorted({_lock_id(scope, key) for scope, key in pairs}):
            database.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, lock_id))


def _wait(scope, key, rate, now) -> int:
    """Seconds until this key has room again: 0 when fewer than `amount` hits are in the window,
    else until the amount-th newest leaves it."""
    row = (RateLimitHit.select(RateLimitHit.at)
           .where((RateLimitHit.scope == scope) & (RateLimitHit.key == key)
                  & (RateLimitHit.at > now - rate.window))
           .order_by(RateLimitHit.at.desc()).offset(rate.amount - 1).limit(1).first())
    if row is None:
        return 0
    return max(1, math.ceil((row.at + rate.window - now).total_seconds()))


def hit_all(limits, now=None) -> Verdict:
    """Take one slot in each of `limits` [(scope, key, rate), ...], all or none, atomically."""
    now = now or clock.utcnow()
    limits = [(scope, _key(key), Rate.parse(rate)) for scope, key, rate in limits]
    own_transaction = not database.in_transaction()
    with write_transaction():
        if own_transaction and is_postgres():
            # A hit lost in a crash costs one extra try; waiting for the disk on every
            # request costs more (several ms each). Never set inside a caller's transaction.
            database.execute_sql("SET LOCAL synchronous_commit = off")
        _lock((scope, key) for scope, key, _ in limits)
        for scope, key, rate in limits:
            wait = _wait(scope, key, rate, now)
            if wait:
                return Verdict(False, wait, scope)
        ids = tuple(RateLimitHit.insert(scope=scope, key=key, at=now,
                                        expires_at=now + rate.window).execute()
                    for scope, key, rate in limits)
    _count_for_prune(now)
    return Verdict(True, hit_ids=ids)


def hit(scope, key, rate, now=None) -> Verdict:
    """Record one hit on (scope, key) if the rate leaves room; say when it would otherwise."""
    return hit_all([(scope, key, rate)], now)


def wait(scope, key, rate, now=None) -> int:
    """Seconds until a hit on (scope, key) would be allowed; 0: it would be now. Records nothing."""
    return _wait(scope, _key(key), Rate.parse(rate), now or clock.utcnow())


def test(scope, key, rate, now=None) -> bool:
    return wait(scope, key, rate, now) == 0


def clear(scope, key) -> None:
    """Forget every hit on (scope, key)."""
    (RateLimitHit.delete()
     .where((RateLimitHit.scope == scope) & (RateLimitHit.key == _key(key))).execute())


def release(hit_ids) -> None:
    """Give back hits taken by hit()/hit_all() (an attempt that turned out not to count)."""
    if hit_ids:
        RateLimitHit.delete().where(RateLimitHit.id.in_(list(hit_ids))).execute()


_since_prune = 0


def _count_for_prune(now):
    global _since_prune
    _since_prune += 1
    if _since_prune >= PRUNE_EVERY and not database.in_transaction():
        _since_prune = 0
        prune(now)


def prune(now=None) -> int:
    """Delete a batch of rows whose window has passed; returns how many. On PostgreSQL rows
    another sweep holds are skipped, so sweeps never wait on each other or on a hit."""
    now = now or clock.utcnow()
    expired = (RateLimitHit.select(RateLimitHit.id)
               .where(RateLimitHit.expires_at <= now).limit(PRUNE_BATCH))
    if is_postgres():
        expired = expired.for_update(skip_locked=True)
    with write_transaction():
        return RateLimitHit.delete().where(RateLimitHit.id.in_(expired)).execute()


def wait_text(seconds) -> str:
    """'1 minute', '14 minutes': how long to wait, rounded up."""
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"
