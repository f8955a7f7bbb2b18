"""`flask setup` and `flask create-admin` as an operator types them (click's runner, the app
under test): options or prompts, the password from REBOOK_ADMIN_PASSWORD or a hidden prompt."""
import pytest

from portal.audit import AuditEvent
from portal.people import Customer, Staff
from portal.settings import Settings
from tests.support.modes_support import GOOD_PASSWORD

OPTIONS = ["setup", "--business-name", "Tidy Homes Ltd", "--timezone", "Europe/London",
           "--currency", "eur", "--admin-name", "Pat Owner", "--admin-email",
           "Pat@TidyHomes.example"]


@pytest.fixture
def cli(app):
    return app.test_cli_runner()


def _nothing_saved():
    assert Staff.select().count() == 0 and AuditEvent.select().count() == 0
    assert Settings.current().business_name == "Sparkle & Co. Cleaning"


def test_setup_from_options_and_the_password_variable(cli):
    result = cli.invoke(args=OPTIONS, env={"REBOOK_ADMIN_PASSWORD": GOOD_PASSWORD})
    assert result.exit_code == 0, result.output
    assert "Rebook is set up for Tidy Homes Ltd. Log in as pat@tidyhomes.example." in result.output
    admin = Staff.get()
    assert (admin.email, admin.role) == ("pat@tidyhomes.example", "admin")
    assert admin.check_password(GOOD_PASSWORD)
    settings = Settings.current()
    assert (settings.business_name, settings.timezone, settings.currency) == (
        "Tidy Homes Ltd", "Europe/London", "EUR")
    assert {(e.action, e.actor_label) for e in AuditEvent.select()} == {
        ("business_set_up", "First-run setup (command line)"),
        ("staff_added", "First-run setup (command line)")}


def test_setup_asks_for_what_it_was_not_given(cli):
    answers = ["Corner Clinic", "America/Chicago", "USD", "Dr Lee", "lee@clinic.example",
               GOOD_PASSWORD, GOOD_PASSWORD]
    result = cli.invoke(args=["setup"], input="\n".join(answers) + "\n",
                        env={"REBOOK_ADMIN_PASSWORD": None})
    assert result.exit_code == 0, result.output
    assert GOOD_PASSWORD not in result.output  # typed at a hidden prompt
    assert Staff.get().email == "lee@clinic.example"
    assert Settings.current().timezone == "America/Chicago"


def test_setup_runs_once(cli):
    env = {"REBOOK_ADMIN_PASSWORD": GOOD_PASSWORD}
    assert cli.invoke(args=OPTIONS, env=env).exit_code == 0
    again = cli.invoke(args=OPTIONS[:-1] + ["second@example.com"], env=env)
    assert again.exit_code == 1
    assert "Rebook is already set up" in again.output
    assert [s.email for s in Staff.select()] == ["pat@tidyhomes.example"]


def test_setup_names_every_bad_option_and_saves_nothing(cli):
    args = ["setup", "--business-name", "x" * 121, "--timezone", "Europe/Atlantis",
            "--currency", "XXX", "--admin-name", "Pat", "--admin-email", "pat@"]
    result = cli.invoke(args=args, env={"REBOOK_ADMIN_PASSWORD": "short"})
    assert result.exit_code == 1
    for option in ("--business-name", "--timezone", "--currency", "--admin-email", "password"):
        assert f"  {option}: " in result.output, result.output
    _nothing_saved()


def test_create_admin_checks_the_password_and_audits(cli, world):
    weak = cli.invoke(args=["create-admin", "--email", "boss@example.com"],
                      env={"REBOOK_ADMIN_PASSWORD": "demo"})
    assert weak.exit_code == 1 and "at least 10 characters" in weak.output
    result = cli.invoke(args=["create-admin", "--email", "Boss@Example.com", "--name", "Bo"],
                        env={"REBOOK_ADMIN_PASSWORD": GOOD_PASSWORD})
    assert result.exit_code == 0, result.output
    boss = Staff.get(Staff.email == "boss@example.com")
    assert boss.role == "admin" and boss.check_password(GOOD_PASSWORD)
    event = AuditEvent.get(AuditEvent.action == "staff_added")
    assert (event.subject_id, event.actor_kind, event.actor_label) == (
        boss.id, "system", "Command line (flask create-admin)")


@pytest.mark.parametrize("email", ["customer@example.com", "ADMIN@example.com"])
def test_create_admin_refuses_an_address_in_use(cli, world, email):
    before = (Staff.select().count(), Customer.select().count())
    result = cli.invoke(args=["create-admin", "--email", email],
                        env={"REBOOK_ADMIN_PASSWORD": GOOD_PASSWORD})
    assert result.exit_code == 1
    assert f"{email.lower()} already belongs to an account" in result.output
    assert (Staff.select().count(), Customer.select().count()) == before
    assert not AuditEvent.select().exists()


def test_setup_says_it_is_done_before_asking_anything(cli, world):
    result = cli.invoke(args=["setup"], input="")
    assert result.exit_code == 1
    assert "Rebook is already set up" in result.output and "Business name" not in result.output
