"""A waitlist offer's link (/l/w/<token>): GET shows the time and a confirm button (scanners
open links, so GET changes nothing); the POST claims it, without JavaScript."""
from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import gettext

from ...bookings.links import LinkInvalid
from ...bookings.waitlist_links import read_offer_token
from ...bookings.waitlist_models import GONE
from ...bookings.waitlist_offers import GONE_MESSAGE, claim_offer, offer_for_link
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError
from ..forms import Form
from .booking import _limit

bp = Blueprint("waitlist", __name__, url_prefix="/w")
bp.before_request(_limit)  # the same per-address limit as every link page


def _refused(exc):
    """A bad, used or expired link: what happened, that nothing changed, what to do next."""
    return render_template("links/waitlist_refused.html", message=exc.message), exc.status


@bp.route("/<token>", methods=["GET", "POST"])
def show(token):
    form = Form()
    try:
        offer_id, nonce = read_offer_token(current_app.config["SECRET_KEY"], token, utcnow())
        offer = offer_for_link(offer_id, nonce, utcnow())
        if offer.state == GONE:  # someone else took it (or it was booked another way)
            return render_template("links/waitlist_gone.html", message=GONE_MESSAGE), 409
        if not form.validate_on_submit():
            status = 422 if form.is_submitted() else 200
            error = (gettext("Your form had expired. Press the button again to take this time.")
                     if form.is_submitted() else None)
            return render_template("links/waitlist_offer.html", offer=offer, form=form,
                                   error=error), status
        booking, gone = claim_offer(offer_id, nonce)
    except (LinkInvalid, DomainError) as exc:
        return _refused(exc)
    if gone:
        return render_template("links/waitlist_gone.html", message=gone), 409
    return redirect(url_for("links.waitlist.booked", token=token))


@bp.get("/<token>/booked")
def booked(token):
    """Where a successful claim lands (a redirect, so a reload never posts again)."""
    return render_template("links/waitlist_booked.html")
