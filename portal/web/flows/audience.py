"""Who acts on a booking page, and where that audience's pages are: one object per audience,
read by every booking flow (cancel, reschedule, status)."""
from dataclasses import dataclass, field

from flask import url_for
from flask.globals import _cv_app
from flask_login import current_user


def acting_user():
    """current_user's object: the one Flask-Login noted in `g` for this request (what its
    proxy returns once loaded), else its loader (the proxy's 13 Python calls a look-up, a
    booking step looks three times)."""
    ctx = _cv_app.get(None)
    user = None if ctx is None else ctx.g.__dict__.get("_login_user")
    return user if user is not None else current_user._get_current_object()


@dataclass(frozen=True)
class Audience:
    channel: str                  # recorded on the booking and its audit event
    card: str                     # the booking card fragment; its root is #booking-<ref>
    page: str                     # the booking page that includes the card
    booking_endpoint: str         # the booking page; where a plain (no-JavaScript) POST returns
    cancel_endpoint: str = ""     # empty where this audience can't cancel
    reschedule_endpoint: str = ""  # empty where this audience can't reschedule
    status_endpoint: str = ""     # Edit booking > status; empty where staff can't change status
    done: str = ""                # what the person is told after cancelling
    moved: str = ""               # what the person is told after rescheduling
    fees: bool = False            # offer to add a fee to the invoice (admins)
    choose_staff: bool = False    # offer the fieldworker when rescheduling (admins)
    plain: bool = False           # post as a plain form (the email-link page)
    # Fixed URLs by endpoint, for a page that is reached by a signed token rather than a ref.
    urls: dict = field(default_factory=dict, hash=False, compare=False)

    def url(self, endpoint: str, ref: str) -> str:
        return self.urls.get(endpoint) or url_for(endpoint, ref=ref)

    def booking_url(self, ref: str) -> str:
        return self.url(self.booking_endpoint, ref)

    def reschedule_url(self, ref: str) -> str:
        return self.url(self.reschedule_endpoint, ref)
