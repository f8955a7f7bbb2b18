"""Edit booking > status, for admins and permitted fieldworkers: choosing Cancelled opens the
cancel step (portal/web/flows/cancel.py); Completed and No-show have their own confirm step."""
from flask import flash, redirect, request, url_for
from flask_login import current_user

from ...billing.money import amount_text
from ...bookings import policy
from ...bookings.models import CANCELLED, COMPLETED, NO_SHOW
from ...bookings.page import StatusChoice
from ...bookings.services import mark_completed, mark_no_show
from ...kernel.actors import actor_for
from ...kernel.errors import DomainError, InvalidInput, refusal
from ..app.htmx import fragment_or_page, into_modal, is_htmx, trigger
from ..app.return_to import back_to_list, return_to
from ..forms import CancelForm, StatusForm, form_error
from . import cancel as cancel_flow


def _confirm(audience, context, choice, form, status, error=None):
    suggested = context["booking_page"].suggested_no_show_fee
    no_show_fee = audience.fees and choice.value == NO_SHOW and suggested > 0
    if no_show_fee and not form.is_submitted():
        form.fee.data = form.fee_default.data = amount_text(suggested)
    context = {**context, "audience": audience}
    ref, back = context["booking"].ref, return_to()  # back: opened from a list row
    response = fragment_or_page(
        "booking/_status_modal.html", "booking/status.html", status=status, form=form, error=error,
        choice=choice, fee_offered=no_show_fee, return_to=back,
        status_url=url_for(audience.status_endpoint, ref=ref, next=back),
        back_url=back or url_for(audience.booking_endpoint, ref=ref), **context)
    return into_modal(response) if is_htmx() and request.method == "POST" else response


def run(audience, ref, load):
    """GET ?status=X shows that status's confirm step; POST applies Completed or No-show."""
    context = load(ref)
    page = context["booking_page"]  # each status's verdict for this person (bookings/page.py)
    if not page.may_change_status:
        raise refusal(page.may_change_status)
    wanted = request.values.get("status", "")
    found = {c.value: c for c in page.status_choices}
    if wanted == CANCELLED and request.method == "GET":
        form = CancelForm(version=context["booking"].version)
        verdict = page.cancel
        return cancel_flow.confirm(audience, context, form, 200 if verdict else
                                   refusal(verdict).status)
    if wanted not in (COMPLETED, NO_SHOW):
        return _refuse(audience, context, InvalidInput(
            "That isn't a status you can choose here. Pick Completed, Cancelled or No-show."))
    choice = found[wanted]
    form = StatusForm(version=context["booking"].version)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else (
            200 if choice.verdict else refusal(choice.verdict).status)
        return _confirm(audience, context, choice, form, status, form_error(form))
    command = mark_no_show if wanted == NO_SHOW else mark_completed
    try:
        extra = {"fee": cancel_flow.chosen_fee(form)} if wanted == NO_SHOW else {}
        command(ref, actor_for(current_user), channel=audience.channel, note=form.note.data,
                expected_version=form.version.data, **extra)
    except DomainError as exc:
        return _confirm(audience, load(ref), choice, form, exc.status, exc.message)
    done = cancel_flow.fee_done(f"Booking marked as {choice.label.lower()}.",
                                extra.get("fee"), "no-show")
    if back := return_to():
        flash(done, "success")
        return back_to_list(back, bookingChanged={"ref": ref})
    if is_htmx():
        response = fragment_or_page(audience.card, audience.page, just_cancelled=done,
                                    **load(ref))
        return trigger(response, after="Settle", bookingChanged={"ref": ref})
    flash(done, "success")
    return redirect(url_for(audience.booking_endpoint, ref=ref))


def _refuse(audience, context, error):
    """A status the form never offered (a forged or stale value): say so, change nothing."""
    choice = StatusChoice(request.values.get("status", "")[:20], "",
                          policy.Verdict(False, "invalid", error.message))
    return _confirm(audience, context, choice, StatusForm(formdata=None), error.status,
                    error.message)
