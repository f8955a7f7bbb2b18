"""Command line: flask init-db / demo / outbox work / serve / create-admin."""
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..kernel.config import PRODUCTION
from ..kernel.db import database


@click.command("init-db")
@with_appcontext
def init_db():
    """Create or upgrade the database schema."""
    from ..kernel.migrate import upgrade
    with database.connection_context():
        applied = upgrade()
    click.echo(f"applied: {', '.join(applied)}" if applied else "database is up to date")


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only load when there are no staff yet.")
@with_appcontext
def demo(if_empty):
    """Load the demo business, staff, customers and bookings."""
    from .demo import load_demo
    if current_app.config["REBOOK_MODE"] == PRODUCTION:
        # Demo accounts all have the password "demo": never on a real business's database.
        message = ("Production mode (REBOOK_MODE=production) loads no demo data. Run "
                   "`flask --app wsgi setup` to name the business and make the first admin.")
        click.echo(message, err=not if_empty)
        sys.exit(0 if if_empty else 1)
    with database.connection_context():
        loaded = load_demo(only_if_empty=if_empty)
    click.echo("demo data loaded" if loaded else "demo data already present; kept it")


@click.group("outbox", cls=AppGroup)
def outbox_group():
    """Deliver queued email and webhooks."""


@outbox_group.command("work")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--batch", default=50, show_default=True)
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@click.option("--reminders-every", default=60.0, show_default=True,
              help="Seconds between reminder runs (0: never; not with --once).")
def outbox_work(once, batch, interval, reminders_every):
    """Send pending email through SMTP and webhooks over HTTP, retrying with backoff, and
    queue due reminders once a minute. Safe to run on several machines at once. Without
    MAIL_SERVER in the environment (or .env) email stays queued, except with --once."""
    from .worker import run
    run(click.echo, batch=batch, interval=interval, once=once,
        reminders_every=reminders_every, email=once or bool(os.environ.get("MAIL_SERVER")))


@click.group("reminders", cls=AppGroup)
def reminders_group():
    """Reminder emails before appointments."""


@reminders_group.command("send")
def reminders_send():
    """Queue reminders that are due (each booking once per start time); cron-safe."""
    from ..messaging.reminders import send_due_reminders
    with database.connection_context():
        queued = send_due_reminders()
    click.echo(f"reminders: queued {queued}")


@click.command("serve")
@click.option("--port", type=int, default=lambda: int(os.environ.get("PORT", "5000")),
              show_default="$PORT or 5000")
@click.option("--workers", type=int, default=None, help="Web processes ($WEB_CONCURRENCY).")
@with_appcontext
def serve(port, workers):
    """Serve through gunicorn with the outbox/reminders worker beside it; Ctrl-C stops both."""
    from .serve import serve as run_serve
    raise SystemExit(run_serve(port, workers, click.echo))


@click.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", default="Admin")
@click.password_option(envvar="REBOOK_ADMIN_PASSWORD")
@with_appcontext
def create_admin(email, name, password):
    """Add an admin account (password from the prompt or REBOOK_ADMIN_PASSWORD)."""
    from ..kernel.actors import Actor
    from ..kernel.errors import DomainError
    from ..people.staff import add_admin
    with database.connection_context():
        try:
            admin = add_admin(name, email, password, password,
                              Actor("system", None, "Command line (flask create-admin)"))
        except DomainError as exc:
            click.echo(f"No admin was created: {exc.message}", err=True)
            sys.exit(1)
    click.echo(f"admin {admin.email} created")


COMMANDS = (init_db, demo, outbox_group, reminders_group, serve, create_admin)


def register_cli(app):
    """Add the commands to `flask`; each calls the same services as the pages do."""
    for command in COMMANDS:
        app.cli.add_command(command)
    from .cli_instance import register as register_ops
    register_ops(app)
