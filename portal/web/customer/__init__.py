"""The customer portal: bookings and booking a time, orders, the account (and its emailed
invitation, reset and email-change links, which are open to the logged-out). Views check who is
logged in one by one, since the area mixes open and customer-only pages."""
from flask import Blueprint

bp = Blueprint("customer", __name__)

# Joined once, at import (see portal/web/admin/__init__.py).
from . import account, bookings, orders, waitlist  # noqa: E402

for _area in (bookings, orders, account, waitlist):
    bp.register_blueprint(_area.bp)
