"""Changing the business's portal rules and cancellation reasons; each change is audited."""
from .. import audit
from ..billing.models import FeeTier
from ..billing.money import check_fee
from ..kernel import languages
from ..kernel.db import write_transaction
from ..kernel.errors import InvalidInput, NotFound
from . import CancellationReason, Settings

PORTAL_FIELDS = ("customers_may_cancel", "customers_may_reschedule", "cancel_notice_hours",
                 "reschedule_notice_hours", "cancel_note_required", "real_time_availability",
                 "blocked_message", "reschedule_blocked_message", "reminder_hours",
                 "customers_may_book_series", "default_language")
MAX_NOTICE_HOURS = 24 * 365
LABEL_MAX = 80


FEE_FIELDS = ("cancellation_fee", "no_show_fee", "tax_rate_bp")
MAX_REMINDER_HOURS = 720


def update_portal_settings(values, actor):
    """Save the Flags & Permissions form; returns the changed field names."""
    for name in ("cancel_notice_hours", "reschedule_notice_hours"):
        hours = values.get(name)
        if hours is not None and not 0 <= hours <= MAX_NOTICE_HOURS:
            raise InvalidInput(f"Notice must be between 0 and {MAX_NOTICE_HOURS} hours.")
    if not 1 <= values.get("reminder_hours", 24) <= MAX_REMINDER_HOURS:
        raise InvalidInput(f"Reminders go out between 1 and {MAX_REMINDER_HOURS} hours before.")
    if values.get("default_language", "en") not in languages.SUPPORTED:
        raise InvalidInput("Choose one of the languages in the list.")
    return save_settings(PORTAL_FIELDS, values, actor, "portal_settings_changed")


def update_fee_settings(values, actor):
    """Save Tax & Fees: amounts in minor units, the rate in basis points."""
    check_fee(values["cancellation_fee"], "The cancellation fee")
    check_fee(values["no_show_fee"], "The no-show fee")
    if not 0 <= values["tax_rate_bp"] <= 10_000:
        raise InvalidInput("The tax rate must be between 0 and 100 %.")
    return save_settings(FEE_FIELDS, values, actor, "fee_settings_changed")


def save_settings(fields, values, actor, action):
    """Write the changed `fields` with one audit event; returns the changed names."""
    with write_transaction():
        settings = Settings.current()
        before = {f: getattr(settings, f) for f in fields}
        after = {f: values[f] for f in fields if f in values}
        changed = {f: v for f, v in after.items() if before[f] != v}
        if not changed:
            return []
        Settings.update(**changed).where(Settings.id == settings.id).execute()
        audit.record("settings", settings.id, action, actor, "admin",
                     before={f: before[f] for f in changed}, after=changed)
    return sorted(changed)


def _clean_label(label, keep_id=None):
    label = " ".join((label or "").split())
    if not label:
        raise InvalidInput("A reason needs a name.")
    if len(label) > LABEL_MAX:
        raise InvalidInput(f"Please keep a reason to {LABEL_MAX} characters.")
    clash = [r for r in CancellationReason.select() if r.label.lower() == label.lower()
             and r.id != keep_id]
    if clash:
        raise InvalidInput(f"There is already a reason called \u201c{clash[0].label}\u201d.")
    return label


def _reason(reason_id):
    reason = CancellationReason.get_or_none(CancellationReason.id == reason_id)
    if reason is None:
        raise NotFound("That reason no longer exists. Reload the page.")
    return reason


def add_reason(label, actor):
    with write_transaction():
        label = _clean_label(label)
        last = CancellationReason.select().where(~CancellationReason.is_other).order_by(
            CancellationReason.position.desc()).first()
        reason = CancellationReason.create(label=label, position=(last.position + 1) if last else 0)
        audit.record("reason", reason.id, "reason_added", actor, "admin", after={"label": label})
    return reason


def rename_reason(reason_id, label, actor):
    """Rename; bookings already cancelled keep the label they were cancelled with."""
    with write_transaction():
        reason = _reason(reason_id)
        label = _clean_label(label, keep_id=reason.id)
        if label != reason.label:
            CancellationReason.update(label=label).where(
                CancellationReason.id == reason.id).execute()
            audit.record("reason", reason.id, "reason_renamed", actor, "admin",
                         before={"label": reason.label}, after={"label": label})


def set_reason_active(reason_id, active, actor):
    with write_transaction():
        reason = _reason(reason_id)
        if reason.is_other and not active:
            raise InvalidInput("\u201cOther\u201d is built in and stays available.")
        if reason.active != active:
            CancellationReason.update(active=active).where(
                CancellationReason.id == reason.id).execute()
            audit.record("reason", reason.id, "reason_activated" if active
                         else "reason_deactivated", actor, "admin",
                         before={"active": reason.active}, after={"active": active})


def move_reason(reason_id, step, actor):
    """Swap with the neighbour above (step -1) or below (+1); "Other" stays last."""
    with write_transaction():
        reason = _reason(reason_id)
        ordered = [r for r in CancellationReason.listed(active_only=False) if not r.is_other]
        ids = [r.id for r in ordered]
        if reason.id not in ids:
            raise InvalidInput("\u201cOther\u201d always comes last.")
        i = ids.index(reason.id)
        j = i + (1 if step > 0 else -1)
        if not 0 <= j < len(ordered):
            return
        ordered[i], ordered[j] = ordered[j], ordered[i]
        for position, r in enumerate(ordered):
            CancellationReason.update(position=position).where(
                CancellationReason.id == r.id).execute()
        audit.record("reason", reason.id, "reason_moved", actor, "admin",
                     before={"position": i}, after={"position": j})


def add_fee_tier(under_hours, kind, amount, actor):
    """A late-cancellation tier: under `under_hours` notice, a flat amount (minor units) or a
    percentage (basis points) of the price."""
    if kind not in ("flat", "percent"):
        raise InvalidInput("Choose a flat amount or a percentage.")
    if not isinstance(under_hours, int) or not 1 <= under_hours <= MAX_NOTICE_HOURS:
        raise InvalidInput(f"Notice must be between 1 and {MAX_NOTICE_HOURS} hours.")
    if kind == "percent" and not 0 < amount <= 10_000:
        raise InvalidInput("A percentage must be more than 0 and at most 100 %.")
    if kind == "flat":
        check_fee(amount, "The tier's fee")
    with write_transaction():
        if FeeTier.select().where(FeeTier.under_hours == under_hours).exists():
            raise InvalidInput(f"There is already a tier for under {under_hours} hours.")
        tier = FeeTier.create(under_hours=under_hours, kind=kind,
                              flat_amount=amount if kind == "flat" else 0,
                              percent_bp=amount if kind == "percent" else 0)
        audit.record("settings", Settings.current().id, "fee_tier_added", actor, "admin",
                     after={"under_hours": under_hours, "kind": kind, "amount": amount})
    return tier


def remove_fee_tier(tier_id, actor):
    with write_transaction():
        tier = FeeTier.get_or_none(FeeTier.id == tier_id)
        if tier is None:
            raise NotFound("That tier no longer exists. Reload the page.")
        tier.delete_instance()
        audit.record("settings", Settings.current().id, "fee_tier_removed", actor, "admin",
                     before={"under_hours": tier.under_hours, "kind": tier.kind,
                             "amount": tier.flat_amount or tier.percent_bp})
