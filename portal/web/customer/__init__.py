"""The customer portal: bookings and booking a time, orders, the account (and its emailed
invitation, reset and email-change links, which are open to the logged-out). Views check who is
logged in one by one, since the area mixes open and customer-only pages."""
from flask import Blueprint

bp = Blueprint("customer", __name__)


def register(app):
    from . import account, bookings, orders
    for area in (bookings, orders, account):
        bp.register_blueprint(area.bp)
    app.register_blueprint(bp)
