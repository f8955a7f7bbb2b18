"""`flask backup` and `flask restore`, run as an operator would, while another process writes.

The SQLite round trip uses its own SQLite databases whatever REBOOK_TEST_DB says (backup is a
SQLite feature); the last test checks what the command says on the database under test.
"""
import hashlib
import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.modes_support import ROOT, child_env, run_flask


def _site(folder: Path) -> dict:
    """The environment of a Rebook installed in `folder` (demo mode, key in a file)."""
    return {"DATABASE_URL": f"sqlite:///{folder / 'rebook.db'}",
            "SECRET_KEY_FILE": folder / "secret_key"}


def _support(*args, **env):
    result = subprocess.run([sys.executable, "-m", "tests.support.backup_support", *args],
                            cwd=ROOT, env=child_env(**env), capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _writer_rows(db_path):
    conn = sqlite3.connect(db_path)
    try:
        return [int(n) for (n,) in conn.execute(
            "SELECT note FROM audit_event WHERE action = 'writer' ORDER BY id")]
    finally:
        conn.close()


@pytest.fixture
def live_site(tmp_path):
    """A demo Rebook with some history, a customer's session cookie made through the login
    form, and a second process writing to its database until the test ends."""
    site = tmp_path / "live"
    site.mkdir()
    for command in (("init-db",), ("demo", "--if-empty")):
        done = run_flask(*command, **_site(site))
        assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(site / "rebook.db")
    with conn:  # a few MB of history, so the copy takes more than an instant
        conn.executemany(
            "INSERT INTO audit_event (subject_type, subject_id, action, actor_kind, actor_label,"
            " channel, before, after, note, created_at) VALUES ('settings', 0, 'filler',"
            " 'system', 'x', 'system', '{}', ?, '', datetime('now'))",
            [(json.dumps({"n": i, "pad": "x" * 200}),) for i in range(30_000)])
    conn.close()
    cookie = _support("login", "customer@example.com", **_site(site)).strip()
    writer = subprocess.Popen([sys.executable, "-m", "tests.support.backup_support", "write",
                               str(site / "rebook.db")], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
        yield site, cookie, writer
    finally:
        writer.kill()
        writer.wait(timeout=10)


def test_backup_while_writing_then_restore_elsewhere(live_site, tmp_path):
    site, cookie, writer = live_site
    key = (site / "secret_key").read_text()
    started = time.monotonic()
    done = run_flask("backup", "--to", tmp_path / "backups", **_site(site))
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    backup = Path(done.stdout.split("backup written to ", 1)[1].splitlines()[0])
    assert backup.parent == tmp_path / "backups" and backup.name.startswith("rebook-")
    time.sleep(0.2)
    assert writer.poll() is None, writer.stderr.read()  # never locked out by the backup

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["integrity_check"] == "ok" and manifest["secret_key"] == "secret_key"
    assert manifest["counts"]["booking"] > 0 and manifest["migrations"][0] == "0001_initial"
    assert (backup / "secret_key").read_text() == key
    assert oct(backup.stat().st_mode & 0o777) == oct(0o700)
    # One consistent snapshot: the writer's rows 1..k, no gaps, and it wrote more after.
    copied = _writer_rows(backup / "rebook.db")
    assert copied == list(range(1, len(copied) + 1)) and copied
    assert len(_writer_rows(site / "rebook.db")) > len(copied)
    print(f"backup of {(site / 'rebook.db').stat().st_size / 1e6:.1f} MB took {took:.2f} s "
          f"(with the process start) while {len(copied)} writes had landed")

    fresh = tmp_path / "restored"
    restored = run_flask("restore", backup, **_site(fresh))
    assert restored.returncode == 0, restored.stderr
    assert (fresh / "secret_key").read_text() == key
    current = run_flask("init-db", **_site(fresh))
    assert current.stdout.strip() == "database is up to date", current.stdout + current.stderr
    status, _, page = _support("visit", cookie, "/bookings", **_site(fresh)).partition("\n")
    assert status.strip() == "200" and "Log out Casey" in page and "/bookings/BK-" in page
    # The cookie is good because the key came back: with another key it is not.
    status = _support("visit", cookie, "/bookings", SECRET_KEY="another key",
                      **_site(fresh)).splitlines()[0]
    assert status.startswith("302") and "/login" in status


def test_restore_refuses_to_replace_a_database_or_use_a_damaged_backup(live_site, tmp_path):
    site, _, _ = live_site
    done = run_flask("backup", "--to", tmp_path / "backups", **_site(site))
    backup = Path(done.stdout.split("backup written to ", 1)[1].splitlines()[0])
    before = (site / "rebook.db").stat().st_mtime_ns

    over = run_flask("restore", backup, **_site(site))
    assert over.returncode == 1
    assert "already holds a database" in over.stderr and "--force" in over.stderr

    fresh = tmp_path / "fresh"
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for name in ("manifest.json", "secret_key", "rebook.db"):
        (damaged / name).write_bytes((backup / name).read_bytes())
    with open(damaged / "rebook.db", "r+b") as f:  # one flipped byte deep in the file
        f.seek(200_000)
        byte = f.read(1)
        f.seek(200_000)
        f.write(bytes([byte[0] ^ 0xFF]))
    changed = run_flask("restore", damaged, **_site(fresh))
    assert changed.returncode == 1 and "missing or changed since the backup" in changed.stderr

    # The checksum made to match the damage: SQLite's own integrity check still refuses it.
    manifest = json.loads((damaged / "manifest.json").read_text())
    manifest["files"]["rebook.db"] = hashlib.sha256(
        (damaged / "rebook.db").read_bytes()).hexdigest()
    (damaged / "manifest.json").write_text(json.dumps(manifest))
    corrupt = run_flask("restore", damaged, **_site(fresh))
    assert corrupt.returncode == 1 and "integrity check" in corrupt.stderr, corrupt.stderr
    assert not (fresh / "rebook.db").exists() or (fresh / "rebook.db").stat().st_size == 0

    not_a_backup = run_flask("restore", tmp_path, **_site(fresh))
    assert not_a_backup.returncode == 1 and "is not a Rebook backup" in not_a_backup.stderr
    assert (site / "rebook.db").stat().st_mtime_ns >= before


def test_backup_of_the_database_under_test(app, database_url, tmp_path):
    """SQLite: a backup folder. PostgreSQL: the pg_dump commands, a non-zero exit, no files."""
    env = {"DATABASE_URL": database_url, "SECRET_KEY": "k" * 64}
    result = run_flask("backup", "--to", tmp_path / "out", **env)
    if database_url.startswith("postgres"):
        assert result.returncode == 1
        assert 'pg_dump --format=custom --file=rebook.dump "$DATABASE_URL"' in result.stderr
        assert "pg_restore --no-owner" in result.stderr
        assert not (tmp_path / "out").exists()
        restore = run_flask("restore", tmp_path, **env)
        assert restore.returncode == 1 and "pg_dump" in restore.stderr
    else:
        assert result.returncode == 0, result.stderr
        (folder,) = (tmp_path / "out").iterdir()
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["secret_key"] == "environment" and not (folder / "secret_key").exists()
        assert "SECRET_KEY comes from the environment" in result.stdout
