"""The emails a business may write itself (Settings > Emails): what each is, the placeholders
it offers, and the starting text an admin edits (the same message as its file in
templates/emails/, which is what is sent until a template is saved)."""
from dataclasses import dataclass, field

BUSINESS = {
    "business_name": "Your business's name",
    "business_phone": "Your phone number (Settings > Business)",
    "business_email": "Your contact email (Settings > Business)",
}
BOOKING = {
    "customer_name": "The customer's name",
    "service": "The service booked",
    "time": "When the visit starts, in your time zone",
    "address": "Where the visit is",
    "booking_ref": "The booking's reference, like BK-AB12CD",
    "fieldworker": "The names of the fieldworkers on the job",
    **BUSINESS,
}
ACTIONS = {
    "booking_button": "A button to view the booking",
    "reschedule_button": "A button to reschedule: only while this customer may reschedule",
    "cancel_button": "A button to cancel: only while this customer may cancel",
}
REFUND = {"customer_name": "The customer's name", "refund": "The refund's amount",
          "what": "What it refunds, like \"booking BK-AB12CD\"",
          "page_button": "A button to the booking's or order's page", **BUSINESS}
ACCOUNT = {"customer_name": "The customer's name",
           "customer_email": "The customer's email address (their login)",
           "expires": "When the link stops working",
           "link_button": "The button with the link (required)", **BUSINESS}

SIGNATURE = "{business_name}\n{business_phone} {business_email}"


@dataclass(frozen=True)
class Kind:
    label: str
    placeholders: dict
    subject: str
    text: str
    formatted: str
    required: tuple = field(default=())  # placeholders each body must keep


def _booking_kind(label, extra, subject, opening, closing=""):
    details = ("Service: {service}\nWhen: {time}\nWhere: {address}\nRef: {booking_ref}")
    actions = "{booking_button}\n{reschedule_button}\n{cancel_button}"
    return Kind(
        label, {**BOOKING, **extra, **ACTIONS}, subject,
        f"Hello {{customer_name}},\n\n{opening}\n\n{details}\n\n{actions}\n{closing}\n"
        f"{SIGNATURE}\n",
        f"Hello {{customer_name}},\n\n{opening}\n\n"
        + "\n".join(f"- {line}" for line in details.split("\n"))
        + "\n\n{booking_button}\n\n{reschedule_button}\n\n{cancel_button}\n")


KINDS = {
    "booking_confirmed": _booking_kind(
        "Booking confirmation", {}, "Booking confirmed: {service} on {time} ({booking_ref})",
        "Your booking with {business_name} is confirmed."),
    "booking_reminder": _booking_kind(
        "Reminder", {}, "Reminder: {service} on {time}",
        "A reminder of your booking with {business_name}."),
    "booking_rescheduled": _booking_kind(
        "Reschedule confirmation", {"old_time": "When the visit was before the move"},
        "Your booking {booking_ref} is moved to {time}",
        "Your booking with {business_name} has moved from {old_time} to {time}."),
    "booking_cancelled": Kind(
        "Cancellation notice",
        {**BOOKING, "reason": "Why it was cancelled, as chosen",
         "fee": "The cancellation fee charged, if any", "refund": "The refund asked for, if any",
         "booking_button": "A button to view the booking",
         "book_again_button": "A button to book a new visit"},
        "Your booking {booking_ref} is cancelled",
        "Hello {customer_name},\n\nYour booking {booking_ref} ({service} on {time}) with "
        "{business_name} is cancelled.\n\nFee: {fee}\nRefund: {refund}\n\n{booking_button}\n"
        "{book_again_button}\n\n" + SIGNATURE + "\n",
        "Hello {customer_name},\n\nYour booking **{booking_ref}** ({service} on {time}) with "
        "{business_name} is cancelled.\n\n{booking_button}\n\n{book_again_button}\n"),
    "refund_approved": Kind(
        "Refund approved", {**REFUND, "note": "The note you wrote with the decision"},
        "Refund approved: {refund} for {what}",
        "Hello {customer_name},\n\nYour refund of {refund} for {what} is approved. {note}\n\n"
        "{page_button}\n\n" + SIGNATURE + "\n",
        "Hello {customer_name},\n\nYour refund of **{refund}** for {what} is approved. {note}"
        "\n\n{page_button}\n"),
    "refund_rejected": Kind(
        "Refund not approved", {**REFUND, "note": "Why it was not approved"},
        "Refund not approved: {refund} for {what}",
        "Hello {customer_name},\n\nYour refund request of {refund} for {what} was not "
        "approved.\n\nWhy: {note}\n\n{page_button}\n\n" + SIGNATURE + "\n",
        "Hello {customer_name},\n\nYour refund request of {refund} for {what} was not "
        "approved.\n\nWhy: {note}\n\n{page_button}\n"),
    "refund_processed": Kind(
        "Refund paid", {**REFUND, "reference": "The payout's reference"},
        "Refund paid: {refund} for {what}",
        "Hello {customer_name},\n\nWe have paid back your refund of {refund} for {what}.\n"
        "Reference: {reference}\n\n{page_button}\n\n" + SIGNATURE + "\n",
        "Hello {customer_name},\n\nWe have paid back your refund of **{refund}** for {what}."
        "\n\nReference: {reference}\n\n{page_button}\n"),
    "account_invite": Kind(
        "Invitation", ACCOUNT, "Set your password for {business_name}",
        "Hello {customer_name},\n\n{business_name} has made you an account on our customer "
        "portal. Set your password here (the link works once, until {expires}):\n\n"
        "{link_button}\n\nYour login is {customer_email}.\n\n" + SIGNATURE + "\n",
        "Hello {customer_name},\n\n{business_name} has made you an account on our customer "
        "portal. Set your password (the link works once, until {expires}):\n\n{link_button}"
        "\n\nYour login is {customer_email}.\n", required=("link_button",)),
    "account_reset": Kind(
        "Password reset", ACCOUNT, "Reset your password for {business_name}",
        "Hello {customer_name},\n\nChoose a new password here (the link works once, until "
        "{expires}):\n\n{link_button}\n\nIf you didn't ask, ignore this email.\n\n"
        + SIGNATURE + "\n",
        "Hello {customer_name},\n\nChoose a new password (the link works once, until "
        "{expires}):\n\n{link_button}\n\nIf you didn't ask, ignore this email.\n",
        required=("link_button",)),
}

# the refund decision emails by the step refunds name them with
REFUND_KINDS = {"approved": "refund_approved", "rejected": "refund_rejected",
                "processed": "refund_processed"}
