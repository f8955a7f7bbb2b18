"""Admin > Integrations forms (Flask-WTF: each carries a CSRF token). The service
(portal/integrations/manage.py) has the final say on every value."""
from wtforms import BooleanField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, DataRequired, Length

from ...integrations.manage import NAME_MAX, URL_MAX
from ...integrations.models import KINDS
from ..forms import Form

AUTOMATIC, MANUAL = "automatic", "manual"


class IntegrationForm(Form):
    name = StringField("Name", validators=[
        DataRequired("Enter a name for the integration, like the system's own name."),
        Length(max=NAME_MAX, message=f"Please keep the name to {NAME_MAX} characters.")])
    kind = StringField("Kind", validators=[
        AnyOf(list(KINDS), message="Choose what kind of system it is from the list.")])
    endpoint_url = StringField("Endpoint URL", validators=[
        Length(max=URL_MAX, message=f"The endpoint URL can be at most {URL_MAX} characters.")])
    # The page draws the boxes from EVENTS; the service refuses names it doesn't know.
    events = SelectMultipleField("Events", choices=[], validate_choice=False)
    cancellations = StringField("Cancellations", validators=[
        AnyOf((AUTOMATIC, MANUAL), message="Choose how this system learns of cancellations.")])
    CANCELLATION_CHOICES = (
        (AUTOMATIC, "It applies them automatically: it is sent the booking.cancelled webhook"),
        (MANUAL, "It needs a manual update: the cancel dialog tells staff to cancel there too"))
    active = BooleanField("Active: queue and send its webhooks")

    @classmethod
    def blank(cls):
        return cls(formdata=None, kind="pms", cancellations=MANUAL, active=True)

    @classmethod
    def of(cls, integration):
        """The edit form, filled in from the integration as it is."""
        return cls(formdata=None, name=integration.name, kind=integration.kind,
                   endpoint_url=integration.endpoint_url, events=integration.event_list,
                   cancellations=AUTOMATIC if integration.applies_cancellations else MANUAL,
                   active=integration.active)

    def values(self):
        """The plain values the service takes."""
        return {"name": self.name.data, "kind": self.kind.data,
                "endpoint_url": self.endpoint_url.data, "events": self.events.data or [],
                "applies_cancellations": self.cancellations.data == AUTOMATIC,
                "active": bool(self.active.data)}


class ActionForm(Form):
    """A button's form (rotate the secret, resend a delivery): nothing but the token."""
