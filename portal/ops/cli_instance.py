"""Command line for running Rebook for real: flask setup, backup and restore (and push-key).

Registered from portal/ops/cli.py. Each command prints what it did, or what went wrong and what to
do, and exits non-zero on failure so scripts notice.
"""
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..kernel.config import PRODUCTION
from ..kernel.db import database, is_postgres
from ..kernel.errors import DomainError

PASSWORD_ENV = "REBOOK_ADMIN_PASSWORD"
PROMPTS = {"business_name": "Business name",
           "timezone": "Timezone (e.g. Europe/London, America/New_York)",
           "currency": "Currency (three letters, e.g. USD, EUR, GBP)",
           "admin_name": "Your name (the first admin)",
           "admin_email": "Your email (you log in with it)"}


def fail(message):
    click.echo(message, err=True)
    sys.exit(1)


def admin_password():
    """From REBOOK_ADMIN_PASSWORD (scripts), else typed twice at a hidden prompt."""
    if os.environ.get(PASSWORD_ENV):
        value = os.environ[PASSWORD_ENV]
        return value, value
    value = click.prompt("Password for the first admin (10 to 128 characters)", hide_input=True,
                         confirmation_prompt="Type it again")
    return value, value


@click.command("setup")
@click.option("--business-name")
@click.option("--timezone", help="An IANA zone such as Europe/London.")
@click.option("--currency", help="A three-letter ISO 4217 code such as USD.")
@click.option("--admin-name")
@click.option("--admin-email")
@with_appcontext
def setup(**given):
    """First-run setup: name the business and make the first admin (only while there are
    no staff). Asks for what the options leave out; the password comes from
    REBOOK_ADMIN_PASSWORD or a hidden prompt."""
    from . import first_run
    with database.connection_context():
        if not first_run.needs_setup():  # before asking anything
            fail(first_run.AlreadySetUp().message)
        answers = {option: given[option] or click.prompt(question)
                   for option, question in PROMPTS.items()}
        password, confirm = admin_password()
        fields = {"business_name": answers["business_name"],
                  "timezone": answers["timezone"], "currency": answers["currency"],
                  "name": answers["admin_name"], "email": answers["admin_email"],
                  "password": password, "confirm": confirm}
        try:
            admin = first_run.run_setup(fields, first_run.COMMAND_LINE)
        except first_run.InvalidSetup as exc:
            fail("Nothing was saved:\n" + "\n".join(
                f"  {_option(name)}: {message}" for name, message in exc.errors.items()))
        except DomainError as exc:
            fail(exc.message)
    click.echo(f"Rebook is set up for {fields['business_name'].strip()}. "
               f"Log in as {admin.email}.")


@click.command("backup")
@click.option("--to", "to", default=lambda: str(_instance() / "backups"),
              show_default="instance/backups", help="Folder to put the backup folder in.")
@with_appcontext
def backup(to):
    """Copy the SQLite database (online, while Rebook runs) and the secret key file."""
    from . import backup as backups
    from ..kernel.clock import utcnow
    if is_postgres():
        fail(backups.POSTGRES_HOWTO)
    try:
        folder = backups.backup_sqlite(_sqlite_path(), _key_file(), Path(to), utcnow())
    except DomainError as exc:
        fail(exc.message)
    click.echo(f"backup written to {folder}")
    if _key_file() is None:
        click.echo("SECRET_KEY comes from the environment and is not in the backup: keep "
                   "a copy of it with the backup.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing database and key file.")
@with_appcontext
def restore(path, force):
    """Restore a backup folder made by `flask backup` (SQLite). Stop the web server and the
    worker first; start them again afterwards."""
    from . import backup as backups
    from ..kernel.config import GENERATED
    if is_postgres():
        fail(backups.POSTGRES_HOWTO)
    key_file = _key_file()
    # Starting this command made a fresh key file if there was none: replacing it is safe.
    force_key = force or (key_file is not None and str(key_file) in GENERATED)
    try:
        manifest = backups.restore_sqlite(path, _sqlite_path(), key_file, force, force_key)
    except DomainError as exc:
        fail(exc.message)
    click.echo(f"restored {path} ({manifest['created_at']}) to {_sqlite_path()}")
    if manifest["secret_key"] != backups.KEY_NAME:
        click.echo("The backup has no key file: set SECRET_KEY to the key it was made with.")
    elif _key_file() is None:
        click.echo("SECRET_KEY is set in the environment, so the backup's key file was not "
                   "restored; sessions need the key the backup was made with.")
    click.echo("Run `flask --app wsgi init-db` to bring its schema up to date, then start "
               "Rebook.")


@click.command("push-key")
@with_appcontext
def push_key():
    """Print the Web Push public key (VAPID), making the key pair if there is none yet. It
    lives in the database, so backups and restores keep it with the devices that use it."""
    from ..messaging import push_keys
    with database.connection_context():
        click.echo(push_keys.public_key())


def register(app):
    for command in (setup, backup, restore, push_key):
        app.cli.add_command(command)


def _option(field):
    return {"name": "--admin-name", "email": "--admin-email", "password": "password",
            "confirm": "password"}.get(field, "--" + field.replace("_", "-"))


def _instance():
    from ..kernel.config import INSTANCE
    return INSTANCE


def _sqlite_path():
    path = database.obj.database
    if not path or path == ":memory:":
        fail("This database lives in memory only; there is nothing on disk to back up.")
    return Path(path).resolve()


def _key_file():
    """The key file in use, or None when SECRET_KEY comes from the environment (always so in
    production mode, where Rebook never makes a key file)."""
    if os.environ.get("SECRET_KEY") or current_app.config["REBOOK_MODE"] == PRODUCTION:
        return None
    return Path(current_app.config["SECRET_KEY_FILE"])
