"""Fixtures for the web tests: the logged-in admin every module may use, and the integrations
pages' (tests/web/test_integrations_admin.py, test_manual_update.py). A module's own fixture of
the same name wins over these."""
import pytest

from portal.integrations.manage import add_integration
from portal.kernel.actors import Actor
from tests.support.forms import login


@pytest.fixture
def admin(world):
    return Actor("admin", world.admin.id, world.admin.name)


@pytest.fixture
def admin_client(client, world):
    login(client, world.admin.email)
    return client


@pytest.fixture
def clinic(admin):
    """A system that can't apply cancellations (no endpoint at all)."""
    return add_integration(admin, name="ClinicPro PMS", kind="pms")


@pytest.fixture
def calsync(admin):
    return add_integration(admin, name="CalSync", kind="calendar",
                           endpoint_url="https://cal.example.com/hook",
                           events=["booking.cancelled"], applies_cancellations=True)
