"""The customer portal: my bookings, one booking, cancel or reschedule it."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...billing.booking_refunds import refund_view, request_booking_refund
from ...billing.invoice_reads import booking_invoice, booking_with_invoice, read_with_customer
from ...bookings import policy, queries
from ...bookings.page import booking_page
from ...kernel.actors import actor_for
from ...kernel.clock import utcnow
from ...kernel.errors import DomainError
from ...kernel.i18n import lazy_gettext as _l  # through the kept translations
from ...kernel.listing import parse_page
from ..app.access import customer_required
from ..app.current import current_settings, read_along, read_with_person
from ..app.htmx import fragment_or_page, is_htmx
from ..app.page_kit import render_page
from ..flows import cancel as cancel_flow
from ..flows import reschedule as reschedule_flow
from ..flows.audience import Audience, acting_user
from flask_babel import gettext as _
from . import book_flow

bp = Blueprint("bookings", __name__)

AUDIENCE = Audience(
    channel="portal", card="customer/_booking.html", page="customer/booking.html",
    booking_endpoint="customer.bookings.show", cancel_endpoint="customer.bookings.cancel",
    reschedule_endpoint="customer.bookings.reschedule",
    done=_l("Your booking is cancelled. We've emailed you a confirmation."),
    moved=_l("Your booking is moved. We've emailed you the new time."))


def may_book(customer=None):
    """Pages ask `may_book()` before offering Book: the policy's answer for this customer (the
    business's switch, then theirs), worked out at most once a request and only where drawn.
    An email-link page passes the booking's customer, who need not be logged in."""
    if customer is not None:
        return bool(policy.can_book(customer, current_settings()))
    user = acting_user()
    if not user.is_authenticated or user.kind != "customer":
        return False
    environ = request.environ
    if "rebook.may_book" not in environ:
        environ["rebook.may_book"] = bool(policy.can_book(user, current_settings()))
    return environ["rebook.may_book"]


@bp.record_once
def _booking_entry(state):
    """`may_book` for every template: one function for the process (what it answers is per
    request), so templates' calls find it kept (page_kit's context class)."""
    state.app.jinja_env.globals["may_book"] = may_book


def booking_context(ref, rows=None):
    """The booking, its fieldworkers and what the policy lets this customer do, or a 404.
    `rows`: (booking, staff) already read this request (the cancel step's), for the card
    alone (without the verdicts when it is cancelled: no `booking_page`, `cancel`, `reschedule`)."""
    settings, user = current_settings(), acting_user()
    if rows:  # the invoice as the cancellation left it, when it could tell (services.py)
        booking, staff = rows
        invoice = getattr(booking, "invoice_after", None) or booking_invoice(booking, settings)
    else:  # the page shows the invoice (and the cancel step its refund): read with the booking
        booking, staff, invoice = booking_with_invoice(
            ref, user.id, settings, rows=read_along(read_with_customer(ref)))
    if booking is None:
        abort(404)
    if rows and booking.is_cancelled:
        # The card after a cancellation: a cancelled booking's card offers neither cancel nor
        # reschedule, and nothing else reads the policy's verdicts on this path, so they are
        # not worked out (a third of building the context); what is due back is the
        # refund's own rule (refund_view asks policy.refund_due as booking_page does).
        return {"booking": booking, "staff": staff,
                "refund": refund_view(booking, settings, invoice)}
    page = booking_page(booking, staff, actor_for(user), settings, utcnow(),
                        invoice=invoice)
    return {"booking": booking, "staff": staff, "booking_page": page,
            "cancel": page.cancel, "reschedule": page.reschedule,
            # the page worked out what is due from the same summary (bookings/page.py)
            "refund": refund_view(booking, settings, invoice,
                                  due=page.refund_due if invoice is not None else None)}


# The booking page and its cancel and reschedule steps read the booking in the statement that
# loads the customer (their GET; web/app/current.py).
for _step in ("show", "cancel", "reschedule"):
    read_with_person(f"customer.bookings.{_step}", read_with_customer)


@bp.get("/")
def home():
    if current_user.is_authenticated and current_user.kind == "customer":
        return redirect(url_for(".index"))
    return redirect(url_for("auth.login"))


@bp.get("/bookings")
@customer_required
def index():
    view = request.args.get("show", "upcoming")
    view = view if view in queries.VIEWS else "upcoming"
    page = parse_page(request.args.get("page"), [])  # a bad page number shows the first
    bookings, more = queries.window(queries.customer_bookings(current_user.id, view, utcnow()),
                                    page)
    return fragment_or_page("customer/_booking_list.html", "customer/bookings.html",
                            bookings=bookings, view=view, page_number=page, more=more)


@bp.get("/bookings/<ref>")
@customer_required
def show(ref):
    return render_page("customer/booking.html", **booking_context(ref))


@bp.route("/bookings/<ref>/cancel", methods=["GET", "POST"])
@customer_required
def cancel(ref):
    return cancel_flow.run(AUDIENCE, ref, booking_context)


@bp.route("/bookings/<ref>/reschedule", methods=["GET", "POST"])
@customer_required
def reschedule(ref):
    return reschedule_flow.run(AUDIENCE, ref, booking_context)


@bp.post("/bookings/<ref>/refund")
@customer_required
def refund(ref):
    """Ask for the refund the policy says is due on a cancelled booking."""
    booking_context(ref)  # 404 unless it is theirs
    try:
        request_booking_refund(ref, actor_for(current_user), current_settings(), channel="portal")
        message, category = _("Refund requested. We'll email you when it is decided."), "success"
    except DomainError as exc:
        if not is_htmx():
            return render_template("customer/booking.html", error=exc.message,
                                   **booking_context(ref)), exc.status
        message, category = exc.message, "error"
    if is_htmx():
        return fragment_or_page("customer/_booking.html", "customer/booking.html",
                                just_cancelled=message, **booking_context(ref))
    flash(message, category)
    return redirect(url_for(".show", ref=ref))


@bp.route("/book", methods=["GET", "POST"])
@customer_required
def schedule():
    return book_flow.run()
