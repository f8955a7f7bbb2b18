"""Email action links: one booking, no password, no login; GET shows, only POST acts."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from ...billing.invoice_reads import booking_invoice
from ...bookings import queries
from ...bookings.links import LinkInvalid, make_token, read_token
from ...bookings.page import booking_page
from ...bookings.services import cancel_booking
from ...kernel.actors import Actor
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError, refusal
from ...kernel.ratelimit import hit
from ...settings import CancellationReason
from ..app.current import current_settings
from ..app.limits import client_address, too_many_tries
from ..flows import reschedule as reschedule_flow
from ..flows import series as series_flow
from ..flows.audience import Audience
from ..forms import CancelForm, form_error
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

bp = Blueprint("booking", __name__)


@bp.before_request
def _limit():
    """LINK_RATE_LIMIT per client address over every link page: tokens are not guessable, but
    each try costs a signature check and a query."""
    verdict = hit("link", client_address(), current_app.config["LINK_RATE_LIMIT"])
    return None if verdict.allowed else too_many_tries(verdict.retry_after)


def link_context(purpose, token):
    """What a valid token opens, as the customer it was sent to; LinkInvalid otherwise."""
    booking, staff = queries.booking_for_link(
        *read_token(current_app.config["SECRET_KEY"], purpose, token, utcnow()))
    if booking is None:
        raise LinkInvalid("This link is no longer valid.")
    actor = Actor("customer", booking.customer_id, booking.customer.name)
    settings = current_settings()
    invoice = booking_invoice(booking, settings)  # shown on the page; the cancel step's refund
    page = booking_page(booking, staff, actor, settings, utcnow(), invoice=invoice)
    return {"booking": booking, "staff": staff, "booking_page": page, "cancel": page.cancel,
            "reschedule": page.reschedule, "actor": actor, "invoice": invoice,
            "view_url": view_url(booking)}


def link_url(purpose, booking):
    return url_for(f"links.booking.{'show' if purpose == 'view' else purpose}",
                   token=make_token(current_app.config["SECRET_KEY"], purpose, booking))


def view_url(booking):
    return link_url("view", booking)


@bp.get("/<token>")
def show(token):
    """The booking, and the Cancel and Reschedule the policy allows its customer now: links
    to those steps' own signed pages (made here, expiring with the booking as this one does),
    so a view link opens what the emails' cancel and reschedule links open."""
    context = link_context("view", token)
    booking = context["booking"]
    actions = {purpose: link_url(purpose, booking) for purpose in ("cancel", "reschedule")
               if context[purpose]}
    return render_template("links/booking.html", action_urls=actions, **context)


@bp.route("/<token>/cancel", methods=["GET", "POST"])
def cancel(token):
    context = link_context("cancel", token)
    form = CancelForm(version=context["booking"].version)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else (
            200 if context["cancel"] else refusal(context["cancel"]).status)
        return confirm(context, form, status, form_error(form))
    try:
        if scope := series_flow.wanted(form):
            said = series_flow.cancel(form, scope, context["booking"].ref, context["actor"],
                                      "email_link", current_settings())
            return series_flow.done(said, context["view_url"])
        cancel_booking(context["booking"].ref, context["actor"], channel="email_link",
                       reason_id=form.reason.data, note=form.note.data,
                       expected_version=form.version.data)
    except DomainError as exc:
        return confirm(link_context("cancel", token), form, exc.status, exc.message)
    flash(_("Your booking is cancelled. We've emailed you a confirmation."), "success")
    return redirect(context["view_url"])


def confirm(context, form, status, error=None):
    return render_template("booking/cancel.html", form=form, error=error, plain_form=True,
                           reasons=list(CancellationReason.listed()),
                           late_fee=context["booking_page"].cancel_fee,
                           series_choices=series_flow.choices(
                               context["booking"], context["actor"], current_settings()),
                           cancel_url=request.path,
                           back_url=context["view_url"], **context), status


# Rescheduling by email link: the same picker as the portal, as a plain page, acting as the
# link's customer (portal/web/flows/reschedule.py).

def reschedule_context(token):
    """A valid reschedule token's booking, plus the policy's answer to "may they move it?"."""
    context = link_context("reschedule", token)
    context["reschedule"] = context["booking_page"].reschedule
    return context


@bp.route("/<token>/reschedule", methods=["GET", "POST"])
def reschedule(token):
    context = reschedule_context(token)
    audience = Audience(
        channel="email_link", card="links/booking.html", page="links/booking.html",
        booking_endpoint="links.booking.show", reschedule_endpoint="links.booking.reschedule",
        moved=_l("Your booking is moved. We've emailed you the new time."), plain=True,
        urls={"links.booking.show": context["view_url"],
              "links.booking.reschedule": url_for("links.booking.reschedule", token=token)})
    return reschedule_flow.run(audience, context["booking"].ref,
                               lambda ref: reschedule_context(token))
