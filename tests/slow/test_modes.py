"""Demo and production mode, started the way an operator starts Rebook: `flask` in a child
process with only the environment variables given here."""
import stat

import pytest

from tests.support.modes_support import run_flask

KEY = "f" * 64


@pytest.fixture
def empty_db(make_database_url, request):
    """A fresh database of the kind under test, schema applied through the CLI."""
    url = make_database_url(f"rebook_modes_{abs(hash(request.node.name)) % 10**8}")
    done = run_flask("init-db", DATABASE_URL=url, SECRET_KEY=KEY, REBOOK_MODE="production")
    assert done.returncode == 0, done.stderr
    return url


def _count(url, table):
    from playhouse.db_url import connect
    db = connect(url)
    try:
        return db.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    finally:
        db.close()


@pytest.mark.parametrize("command", [("init-db",), ("routes",), ("demo", "--if-empty")])
def test_production_without_a_secret_key_refuses_to_start(tmp_path, command):
    key_file = tmp_path / "secret_key"
    result = run_flask(*command, REBOOK_MODE="production", SECRET_KEY_FILE=key_file,
                       DATABASE_URL=f"sqlite:///{tmp_path / 'rebook.db'}")
    assert result.returncode != 0
    assert "Rebook can't start: SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr  # a message an operator can act on, not a trace
    assert "python -c 'import secrets; print(secrets.token_hex(32))'" in result.stderr
    assert not key_file.exists()  # production never invents a key
    assert not (tmp_path / "rebook.db").exists()  # nor touches the database


def test_an_unknown_mode_is_refused_by_name(tmp_path):
    result = run_flask("routes", REBOOK_MODE="prod", SECRET_KEY=KEY,
                       DATABASE_URL=f"sqlite:///{tmp_path / 'rebook.db'}")
    assert result.returncode != 0
    assert "REBOOK_MODE must be 'demo' or 'production', not 'prod'" in result.stderr


def test_demo_mode_is_the_default_and_keeps_one_generated_key(tmp_path):
    key_file = tmp_path / "instance" / "secret_key"
    env = {"SECRET_KEY_FILE": key_file, "DATABASE_URL": f"sqlite:///{tmp_path / 'rebook.db'}"}
    script = "from portal import create_app; app = create_app(); " \
             "print(app.config['REBOOK_MODE'], app.secret_key)"
    first = run_flask("shell", input=script, **env)
    assert first.returncode == 0, first.stderr
    key = key_file.read_text().strip()
    assert len(key) == 64 and f"demo {key}" in first.stdout
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = run_flask("shell", input=script, **env)
    assert f"demo {key}" in second.stdout  # the same key after a restart: sessions survive


def test_production_never_loads_demo_data(empty_db):
    refused = run_flask("demo", DATABASE_URL=empty_db, SECRET_KEY=KEY, REBOOK_MODE="production")
    assert refused.returncode == 1
    assert "Production mode (REBOOK_MODE=production) loads no demo data" in refused.stderr
    assert "flask --app wsgi setup" in refused.stderr
    # `make run` calls `demo --if-empty`: it says why and lets the script carry on.
    scripted = run_flask("demo", "--if-empty", DATABASE_URL=empty_db, SECRET_KEY=KEY,
                         REBOOK_MODE="production")
    assert scripted.returncode == 0
    assert "loads no demo data" in scripted.stdout
    for table in ("staff", "customer", "booking", "service"):
        assert _count(empty_db, table) == 0, table


def test_demo_mode_still_loads_the_demo(empty_db):
    loaded = run_flask("demo", "--if-empty", DATABASE_URL=empty_db, SECRET_KEY=KEY)
    assert loaded.returncode == 0, loaded.stderr
    assert "demo data loaded" in loaded.stdout
    assert _count(empty_db, "staff") >= 3 and _count(empty_db, "booking") > 0


def test_production_setup_from_the_command_line_then_the_site_opens(empty_db):
    env = {"DATABASE_URL": empty_db, "SECRET_KEY": KEY, "REBOOK_MODE": "production"}
    done = run_flask("setup", "--business-name", "Tidy Homes Ltd", "--timezone",
                     "Europe/London", "--currency", "GBP", "--admin-name", "Pat Owner",
                     "--admin-email", "pat@tidyhomes.example",
                     REBOOK_ADMIN_PASSWORD="correct horse battery", **env)
    assert done.returncode == 0, done.stderr
    assert "Log in as pat@tidyhomes.example" in done.stdout
    script = ("c = app.test_client(); print('login', c.get('/login').status_code); "
              "print('setup', c.get('/setup').status_code)")
    pages = run_flask("shell", input=script, **env)
    assert "login 200" in pages.stdout and "setup 404" in pages.stdout, pages.stderr
