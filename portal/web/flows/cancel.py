"""The cancel confirm step and its POST: one flow for customers, admins and fieldworkers."""
from flask import flash, request, url_for
from flask.globals import _cv_app
from flask_login import current_user

from ...billing.money import amount_text, parse_amount
from ...bookings.services import cancel_booking
from ...integrations.sync import manual_update_notice
from ...kernel.actors import actor_for
from ...kernel.errors import DomainError, refusal
from ...kernel.timefmt import money
from ...settings import CancellationReason
from ..app.current import current_settings
from ..app.htmx import fragment_or_page, into_modal, is_htmx, trigger
from ..app.ref_urls import ref_url
from ..app.return_to import back_to_list, return_to
from ..forms import CancelForm, form_error
from . import series as series_flow
from .audience import acting_user


def confirm(audience, context, form, status, error=None):
    """The confirm step: a modal for htmx, a page without JavaScript."""
    ref = context["booking"].ref
    back = return_to()  # opened from a list row: the step goes back there
    context = {**context, "audience": audience}
    page = context["booking_page"]  # what this person may do, and the fees (bookings/page.py)
    if audience.fees and not form.is_submitted():
        form.fee.data = form.fee_default.data = amount_text(page.suggested_fee)
    response = fragment_or_page(
        "booking/_cancel_modal.html", "booking/cancel.html", status=status, form=form, error=error,
        reasons=list(CancellationReason.listed()),
        fee_offered=audience.fees and page.suggested_fee > 0,
        manual_update=manual_update_notice(context["booking"], actor_for(current_user)),
        late_fee=page.cancel_fee,
        series_choices=series_flow.choices(context["booking"], page.actor, current_settings()),
        cancel_url=url_for(audience.cancel_endpoint, ref=ref, next=back), return_to=back,
        back_url=back or url_for(audience.booking_endpoint, ref=ref), **context)
    return into_modal(response) if is_htmx() and request.method == "POST" else response


def chosen_fee(form, what="The fee"):
    """The fee the form asks for in minor units, or None. The service decides who may charge
    one, so a forged field from a fieldworker is refused there.

    A ticked box charges the amount. An unticked box with an amount other than the one the page
    offered (`fee_default`) charges it too: only someone who means to charge a fee types one,
    and without JavaScript the box doesn't tick itself (static/app.js ticks it as they type).
    Dropping it silently took money the admin asked for; refusing would make them tick a box
    to say again what they had just typed. The offer left as it was, or an emptied amount,
    charges nothing; the result message always names the fee charged."""
    typed = (form.fee.data or "").strip()
    if form.add_fee.data:
        return parse_amount(typed, what)
    if not typed or _same_amount(typed, form.fee_default.data):
        return None
    return parse_amount(typed, what)


def _same_amount(typed, offered):
    try:
        return parse_amount(typed, "The fee") == parse_amount((offered or "").strip(), "The fee")
    except DomainError:
        return False


def fee_done(done, fee, kind):
    """The result message, naming the fee charged so a typed fee is never a surprise."""
    if not fee:
        return done
    amount = money(fee, current_settings().currency)
    return f"{done} {kind.capitalize()} fee of {amount} added to the invoice."


def run(audience, ref, load):
    """GET shows the confirm step; POST cancels and answers with the updated booking card.

    `load(ref)` returns the page context (booking, staff, its booking_page) or aborts with 404;
    `load(ref, rows=(booking, staff))` builds it from rows in hand (the ones the service
    changed and read under its lock, so the card shows what a fresh read would).
    A valid POST goes straight to the service, which locks and reads the booking once and
    refuses what the page would (someone else's booking included); only a refusal loads the
    page, and its 404 or confirm step answers as before.
    """
    form = CancelForm() if request.method == "POST" else None
    if form is None or not form.validate_on_submit():
        context = load(ref)
        form = form or CancelForm(version=context["booking"].version)
        if form.version.data is None:  # as a form built with the version would hold it
            form.version.data = context["booking"].version
        verdict = context["booking_page"].cancel
        status = 422 if form.is_submitted() else (200 if verdict else refusal(verdict).status)
        return confirm(audience, context, form, status, form_error(form))
    actor = actor_for(acting_user())
    try:
        if scope := series_flow.wanted(form):
            said = series_flow.cancel(form, scope, ref, actor,
                                      audience.channel, current_settings(),
                                      fee=chosen_fee(form))
            return series_flow.done(said, audience.booking_url(ref))
        fee = chosen_fee(form)
        booking = cancel_booking(ref, actor, channel=audience.channel,
                                 reason_id=form.reason.data, note=form.note.data,
                                 expected_version=form.version.data, fee=fee,
                                 settings=current_settings())
    except DomainError as exc:
        return confirm(audience, load(ref), form, exc.status, exc.message)
    done = fee_done(str(audience.done), fee, "cancellation")
    if back := return_to():
        flash(done, "success")
        return back_to_list(back, bookingCancelled={"ref": ref})
    if is_htmx():
        response = fragment_or_page(audience.card, audience.page, just_cancelled=done,
                                    **load(ref, rows=(booking, booking.assigned)))
        return trigger(response, after="Settle", bookingCancelled={"ref": ref})
    flash(done, "success")
    # flask.redirect's own step (the app's redirect), the app read without its proxy (twice);
    # the booking's URL from the one kept around its ref (app/ref_urls.py)
    return _cv_app.get().app.redirect(ref_url(audience.booking_endpoint, ref))
