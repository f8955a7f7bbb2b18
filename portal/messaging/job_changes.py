"""Telling fieldworkers that a job's details changed: who now has it, who no longer does, and
(when the address or notes changed) who stays on it. An in-app notice and an email each, queued
in the change's transaction."""
from flask import render_template

from ..kernel.timefmt import when
from ..kernel.urls import external_url
from .notify import notify_staff
from .outbox import enqueue_email

SUBJECTS = {"added": "New job for you: {service} on {at} ({ref})",
            "removed": "Job no longer yours: {service} on {at} ({ref})",
            "changed": "Job details changed: {service} on {at} ({ref})"}


def _fieldworkers(members):
    return {m.id: m for m in members if m.active and m.role == "fieldworker"}


def _what(changed):
    return " and ".join(name for name in ("address", "notes") if name in changed)


def tell_fieldworkers(booking, customer, service, old_staff, new_staff, changed, settings):
    """Notices and emails for a details change; `changed` names the fields that changed
    (address, notes, staff). Returns how many people were told."""
    before, after = _fieldworkers(old_staff), _fieldworkers(new_staff)
    at = when(booking.starts_at, settings.timezone)
    facts = dict(service=service.name, at=at, ref=booking.ref)
    told = {"added": [m for i, m in after.items() if i not in before],
            "removed": [m for i, m in before.items() if i not in after],
            "changed": [m for i, m in after.items() if i in before] if _what(changed) else []}
    notify_staff(told["added"], booking, "booking_assigned",
                 f"New job {booking.ref}: {service.name} for {customer.name} on {at}.")
    # No booking on the notice: its "Open job" link would lead to a page no longer theirs.
    notify_staff(told["removed"], None, "booking_unassigned",
                 f"Job {booking.ref} ({service.name} on {at}) is no longer yours.")
    notify_staff(told["changed"], booking, "booking_details_changed",
                 f"Job {booking.ref} on {at}: the {_what(changed)} changed."
                 + (f" Address: {booking.address}." if "address" in changed else ""))
    for change, members in told.items():
        for member in members:
            url = external_url("fieldworker.jobs.index" if change == "removed"
                               else "fieldworker.jobs.show",
                               **({} if change == "removed" else {"ref": booking.ref}))
            context = dict(booking=booking, customer=customer, service=service, staff=member,
                           settings=settings, tz=settings.timezone, change=change,
                           what=_what(changed), job_url=url)
            enqueue_email(
                dedupe_key=f"staff_job_changed:{booking.id}:v{booking.version}:{member.id}",
                to=member.email, subject=SUBJECTS[change].format(**facts),
                text=render_template("emails/staff_job_changed.txt", **context),
                html=render_template("emails/staff_job_changed.html", **context))
    return sum(len(members) for members in told.values())
