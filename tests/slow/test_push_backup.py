"""The Web Push key pair goes where the database goes: `flask backup` then `flask restore`
elsewhere brings back the very key the devices subscribed with (a new key would silence every
device). Its own SQLite databases, whatever REBOOK_TEST_DB says: backup is a SQLite feature;
on PostgreSQL the key is one more row in pg_dump."""
import re
from pathlib import Path

from tests.support.modes_support import run_flask


def _site(folder: Path) -> dict:
    return {"DATABASE_URL": f"sqlite:///{folder / 'rebook.db'}",
            "SECRET_KEY_FILE": folder / "secret_key"}


def _flask(*args, site):
    done = run_flask(*args, **_site(site))
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_push_key_survives_backup_and_restore(tmp_path):
    site, fresh = tmp_path / "site", tmp_path / "restored"
    site.mkdir()
    _flask("init-db", site=site)
    key = _flask("push-key", site=site).strip()
    assert re.fullmatch(r"B[\w-]{86}", key)  # 65 bytes, uncompressed P-256, base64url
    assert _flask("push-key", site=site).strip() == key  # made once, then kept

    written = _flask("backup", "--to", tmp_path / "backups", site=site)
    backup = Path(written.split("backup written to ", 1)[1].splitlines()[0])
    _flask("restore", backup, site=fresh)

    assert _flask("push-key", site=fresh).strip() == key
    other = tmp_path / "other"
    other.mkdir()
    _flask("init-db", site=other)
    assert _flask("push-key", site=other).strip() != key  # each instance makes its own
