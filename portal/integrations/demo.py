"""Demo integrations: one system that needs a manual update, one that applies cancellations."""
from ..bookings.models import Booking
from .events import EVENTS
from .models import Integration
from .signing import new_secret

# The discard port on this machine: webhooks never go inside the network unless the operator
# allows it (WEBHOOK_ALLOWED_HOSTS), so its deliveries show as refused, with the reason. The
# loader writes the row directly: the form would refuse this address.
NOWHERE = "http://127.0.0.1:9/rebook-webhooks"


def load_demo_integrations(manual_booking, automatic_booking):
    """ClinicPro PMS (no webhooks: cancel there by hand) and CalSync (takes every booking
    event), each linked to one demo booking; call after the demo's bookings and orders."""
    clinic = Integration.create(name="ClinicPro PMS", kind="pms", endpoint_url="",
                                secret=new_secret(), events="", applies_cancellations=False)
    calsync = Integration.create(
        name="CalSync", kind="calendar", endpoint_url=NOWHERE, secret=new_secret(),
        events=" ".join(e for e in EVENTS if e.startswith("booking.")),
        applies_cancellations=True)
    for booking, integration, ref in ((manual_booking, clinic, "CP-10421"),
                                      (automatic_booking, calsync, "cal-88f2e1")):
        Booking.update(integration=integration, external_ref=ref).where(
            Booking.id == booking.id).execute()
    return clinic, calsync
