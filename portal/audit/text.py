"""How audit events read: labels for actions and subjects, and a compact before → after."""
from datetime import datetime
from typing import NamedTuple

from ..kernel.i18n import N_

# The ones a customer's booking or order history shows are marked for translation
# (templates/booking/_timeline.html translates them; staff read them in English).
ACTION_LABELS = {
    "created": N_("Booked"),
    "cancelled": N_("Cancelled"),
    "rescheduled": N_("Rescheduled"),
    "completed": N_("Completed"),
    "no_show": N_("Marked no-show"),
    "placed": N_("Order placed"),
    "processing": N_("Processing"),
    "shipped": N_("Shipped"),
    "payment_recorded": N_("Payment recorded"),
    "refund_requested": N_("Refund requested"),
    "refund_approved": N_("Refund approved"),
    "refund_rejected": N_("Refund rejected"),
    "refund_processed": N_("Refund paid out"),
    "staff_added": "Staff member added",
    "staff_activated": "Staff member reactivated",
    "staff_deactivated": "Staff member deactivated",
    "staff_permission_changed": "Status permission changed",
    "reason_added": "Reason added",
    "reason_renamed": "Reason renamed",
    "reason_activated": "Reason turned on",
    "reason_deactivated": "Reason turned off",
    "reason_moved": "Reason moved",
    "portal_settings_changed": "Portal settings changed",
    "fee_settings_changed": "Fees and tax changed",
    "booking_settings_changed": "Booking settings changed",
    "fee_tier_added": "Late-fee tier added",
    "fee_tier_removed": "Late-fee tier removed",
    "working_hours_changed": "Working hours changed",
    "blocked_time_added": "Time blocked",
    "blocked_time_removed": "Blocked time removed",
    "email_template_saved": "Email template saved",
    "email_template_reset": "Email template reset to the default",
    "service_created": "Service added",
    "service_updated": "Service changed",
    "customer_created": "Customer added",
    "customer_updated": "Customer changed",
    "details_changed": "Details changed",
    "invitation_sent": "Invitation sent",
    "password_changed": "Password changed",
    "password_reset": "Password reset",
    "password_set_by_invitation": "Password set from invitation",
    "integration_added": "Integration added",
    "integration_changed": "Integration changed",
    "integration_secret_rotated": "Webhook secret rotated",
    "api_token_created": "API token created",
    "api_token_revoked": "API token revoked",
    "webhook_resent": "Webhook resent",
}
SUBJECT_KINDS = {"booking": "Booking", "order": "Order", "invoice": "Invoice",
                 "refund": "Refund", "settings": "Settings", "staff": "Staff",
                 "reason": "Cancellation reason", "customer": "Customer", "service": "Service",
                 "integration": "Integration"}

# Keys that are bookkeeping, not news; shown nowhere.
HIDDEN = {"version", "invoice_id", "payment_id", "id"}
MONEY = {"fee", "refund", "amount", "total", "paid", "balance", "overpaid_by",
         "cancellation_fee", "no_show_fee", "flat_amount", "price"}
TIMES = {"starts_at", "ends_at"}
RATES = {"tax_rate_bp", "percent_bp"}
FIRST = ("status", "owner", "who", "label", "reason", "starts_at", "ends_at", "staff", "amount",
         "fee", "refund")
FIELD_LABELS = {"starts_at": "starts", "ends_at": "ends", "staff": "fieldworkers",
                "tax_rate_bp": "tax rate %", "percent_bp": "percent", "late_fee": "late fee",
                "under_hours": "under hours", "can_edit_booking_status": "may change status",
                "overpaid_by": "overpaid by", "who": "for", "owner": "for",
                "refund": "refund requested"}
NOTHING = "—"  # a value that was or became empty; shown as is, whatever the kind
LONGEST = 60  # characters of one value; the event itself keeps the whole text


class Change(NamedTuple):
    field: str   # a label ("" for the status, which reads as "scheduled → cancelled")
    before: object  # None when the event does not say
    after: object
    kind: str    # text, money, time or rate: how the template formats the values


def action_label(action):
    """'refund_approved' -> 'Refund approved'; actions we have no label for read the same way."""
    return ACTION_LABELS.get(action) or action.replace("_", " ").capitalize()


def _empty(value):
    # Not `not value`: a balance of 0 is news, a missing fee is not.
    return value is None or value is False or value in ("", [], {})


def _ids(value):
    return isinstance(value, list) and any(isinstance(v, int) for v in value)


def _text(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value) or "none"
    value = str(value)
    return value if len(value) <= LONGEST else value[:LONGEST] + "…"


def _kind(key, values, before, after):
    """How the template formats these values; text unless every value fits the format."""
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        if key in MONEY and not (key == "amount" and "percent" in (before.get("kind"),
                                                                  after.get("kind"))):
            return "money"
        if key == "amount" or key in RATES:
            return "rate"
    if key in TIMES and all(isinstance(v, datetime) for v in values):
        return "time"
    return "text"


def _time(value):
    """The ISO text an event stores for a time, as a datetime; anything else unchanged."""
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _flat(data):
    """One level of nesting flattened ('hours' by weekday), so each change is one value."""
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update({(key, sub): v for sub, v in value.items()})
        else:
            flat[key] = value
    return flat


def _order(key):
    top = key[0] if isinstance(key, tuple) else key
    return (FIRST.index(top) if top in FIRST else len(FIRST), str(key))


def changes(before, after):
    """What an event's before/after say, compactly: changed values as before → after, facts
    that only one side states as one value; empty and bookkeeping values left out."""
    flat_before, flat_after = _flat(before), _flat(after)
    shown = []
    for key in sorted(set(flat_before) | set(flat_after), key=_order):
        top = key[0] if isinstance(key, tuple) else key
        if top in HIDDEN:
            continue
        was, now = flat_before.get(key), flat_after.get(key)
        if _ids(was) or _ids(now):
            continue  # bare row ids (a new booking's fieldworkers) mean nothing to a reader
        if key in flat_before and key in flat_after:
            if was == now and (isinstance(key, tuple) or _empty(now)):
                continue  # an unchanged weekday of a week's hours, or nothing either side
            if was == now:
                was = None  # unchanged context ("for: business") reads as one value
            else:
                was, now = (NOTHING if v is None else v for v in (was, now))
        elif (_empty(was) and _empty(now)) or (top == "overpaid_by" and not now):
            continue
        elif key not in flat_after:
            was, now = None, was  # what was removed: its facts, as one value
        if top in TIMES:
            was, now = _time(was), _time(now)
        kind = _kind(top, [v for v in (was, now) if v not in (None, NOTHING)], before, after)
        if kind == "text":
            was, now = (v if v in (None, NOTHING) else _text(v) for v in (was, now))
        label = " ".join(FIELD_LABELS.get(k, k.replace("_", " ")) for k in (
            key if isinstance(key, tuple) else (key,)))
        shown.append(Change("" if key == "status" else label, was, now, kind))
    return tuple(shown)


# Who did something, as history lines, notices and booking facts read it: the person's name and
# their role, and where they did it only when that is news ("admin, admin" said nothing twice).
ROLE_WORDS = {"admin": "admin", "fieldworker": "fieldworker", "customer": "customer",
              "integration": "connected system"}
WHERE_WORDS = {"portal": "in the portal", "email_link": "from an email link",
               "admin": "in the back office", "fieldworker": "on the job pages",
               "integration": "through the API", "api": "through the API"}
USUAL_CHANNEL = {"admin": "admin", "fieldworker": "fieldworker", "customer": "portal",
                 "integration": "integration"}


def who(label, kind, channel=None):
    """'by Jane Smith (fieldworker)', 'by Carl Client (customer, from an email link)';
    'automatically' for the system's own changes (reminders, expiry)."""
    if kind == "system":
        return "automatically"
    role = ROLE_WORDS.get(kind, (kind or "someone").replace("_", " "))
    if not label:
        return f"by {'an' if role[0] in 'aeiou' else 'a'} {role}"
    where = WHERE_WORDS.get(channel) if channel and channel != USUAL_CHANNEL.get(kind) else None
    return f"by {label} ({role}, {where})" if where else f"by {label} ({role})"
