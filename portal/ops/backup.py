"""Backing up and restoring a SQLite Rebook: the database and the secret key, with a manifest.

The copy is made with SQLite's online backup API, in one step: it reads one consistent
snapshot while the app goes on writing (WAL mode: readers never block writers), so the web
server and the worker need not stop. A backup is a folder, rebook-<UTC time>/, holding
rebook.db (switched to a self-contained rollback journal), secret_key when the key lives in a
file, and manifest.json (checksums, migrations, row counts). Restoring checks the manifest's
checksum and PRAGMA integrity_check before anything is written, and writes through the same
backup API so even a database that is still open is never left half-copied.

PostgreSQL is backed up with its own tools (see POSTGRES_HOWTO); Rebook does not wrap them.
"""
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from ..kernel.errors import DomainError

FORMAT = 1
MANIFEST = "manifest.json"
DB_NAME = "rebook.db"
KEY_NAME = "secret_key"
COUNTED = ("booking", "customer", "staff", "audit_event")
POSTGRES_HOWTO = """\
This database is PostgreSQL: back it up with PostgreSQL's own tools, e.g.
    pg_dump --format=custom --file=rebook.dump "$DATABASE_URL"
and restore into an empty database with
    pg_restore --no-owner --dbname="$DATABASE_URL" rebook.dump
Keep SECRET_KEY with the dump: sessions and signed email links need the same key."""


class BackupError(DomainError):
    """The backup or restore can't go ahead; the message says why and what to do."""
    status = 409
    code = "backup"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _integrity(conn: sqlite3.Connection) -> str:
    """"ok", or what SQLite found wrong (a file too damaged to read raises; that counts too)."""
    try:
        rows = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])


def _tables(conn):
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _facts(conn):
    """What the manifest says about a database: applied migrations and a few row counts."""
    tables = _tables(conn)
    migrations = ([name for (name,) in conn.execute(
        "SELECT name FROM schema_migration ORDER BY name")] if "schema_migration" in tables
        else [])
    counts = {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
              for t in COUNTED if t in tables}
    return migrations, counts


def _new_folder(parent: Path, now: datetime) -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    stamp = f"rebook-{now:%Y%m%dT%H%M%SZ}"
    for n in range(1, 100):
        folder = parent / (stamp if n == 1 else f"{stamp}-{n}")
        try:
            folder.mkdir(mode=0o700)  # it holds the key that signs sessions
            return folder
        except FileExistsError:
            continue
    raise BackupError(f"Too many backups named {stamp} in {parent}; wait a second and retry.")


def backup_sqlite(db_path: Path, key_file: Path | None, to: Path, now: datetime) -> Path:
    """Copy the live database (and the key file, if the key lives in one) into a new folder
    under `to`; returns the folder."""
    if not db_path.is_file():
        raise BackupError(f"There is no database at {db_path}: nothing to back up. Check "
                          "DATABASE_URL, or run `flask --app wsgi init-db` to create one.")
    folder = _new_folder(to, now)
    target = folder / DB_NAME
    source = sqlite3.connect(db_path, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # all pages in one step: one read snapshot, writers carry on
        copy.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
        integrity = _integrity(copy)
        migrations, counts = _facts(copy)
    finally:
        copy.close()
        source.close()
    if integrity != "ok":
        raise BackupError(f"The copy in {folder} failed its integrity check ({integrity}). "
                          "Run PRAGMA integrity_check on the live database.")
    os.chmod(target, 0o600)
    files = {DB_NAME: _sha256(target)}
    if key_file is not None:
        shutil.copyfile(key_file, folder / KEY_NAME)
        os.chmod(folder / KEY_NAME, 0o600)
        files[KEY_NAME] = _sha256(folder / KEY_NAME)
    manifest = {"format": FORMAT, "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "source": str(db_path), "database": DB_NAME, "files": files,
                "secret_key": KEY_NAME if key_file is not None else "environment",
                "integrity_check": integrity, "migrations": migrations, "counts": counts}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return folder


def read_manifest(folder: Path) -> dict:
    """The backup's manifest, after checking every file it lists is there and unchanged."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"{folder} is not a Rebook backup: it has no {MANIFEST}. Give the "
                          "rebook-<time> folder that `flask backup` made.")
    try:
        manifest = json.loads(path.read_text())
        files = dict(manifest["files"])
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{path} can't be read as a Rebook backup manifest.") from None
    if manifest.get("format") != FORMAT or DB_NAME not in files:
        raise BackupError(f"{path} is not a backup this version of Rebook can restore.")
    for name, digest in files.items():
        if not (folder / name).is_file() or _sha256(folder / name) != digest:
            raise BackupError(f"{folder / name} is missing or changed since the backup was "
                              "made; use another backup.")
    return manifest


def restore_sqlite(folder: Path, db_path: Path, key_file: Path | None, force: bool,
                   force_key: bool | None = None) -> dict:
    """Put the backup in `folder` at `db_path` (and its key at `key_file`); returns the
    manifest. Refuses to replace an existing database without `force`, or a different key
    without `force_key` (default: `force`)."""
    manifest = read_manifest(folder)
    source = sqlite3.connect(f"{(folder / DB_NAME).resolve().as_uri()}?mode=ro", uri=True)
    try:
        integrity = _integrity(source)
        if integrity != "ok":
            raise BackupError(f"The backup's database fails its integrity check ({integrity}); "
                              "nothing was restored. Use another backup.")
        _check_target(db_path, force)
        new_key = (folder / KEY_NAME) if KEY_NAME in manifest["files"] else None
        if new_key is not None and key_file is not None:
            _check_key(new_key, key_file, force if force_key is None else force_key)
        db_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(db_path, timeout=30)
        try:
            # Through SQLite, not a file copy: a process that still has the database open
            # sees the old pages or the new ones, never a torn file.
            source.backup(target)
            integrity = _integrity(target)
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"SQLite could not write {db_path} ({exc}). Stop Rebook, move "
                              "that file aside and restore again.") from None
        finally:
            target.close()
    finally:
        source.close()
    if integrity != "ok":
        raise BackupError(f"The restored database at {db_path} fails its integrity check "
                          f"({integrity}). Restore again with the app stopped.")
    if new_key is not None and key_file is not None:
        _write_key(key_file, new_key.read_text())
    return manifest


def _check_target(db_path: Path, force: bool):
    if force or not db_path.exists() or db_path.stat().st_size == 0:
        return
    raise BackupError(f"{db_path} already holds a database. Stop Rebook (web and worker), "
                      "then restore again with --force to replace it.")


def _check_key(new_key: Path, key_file: Path, force: bool):
    if force or not key_file.exists() or key_file.read_text().strip() == \
            new_key.read_text().strip():
        return
    raise BackupError(f"{key_file} holds a different secret key. Restore again with --force "
                      "to replace it (sessions signed with the current key will end).")


def _write_key(path: Path, text: str):
    """Whole or not at all, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.replace(tmp, path)
