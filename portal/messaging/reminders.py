"""Reminder emails, queued by the worker once a minute (`flask outbox work`) or by `flask
reminders send`: safe to run every minute, from any number of processes and machines at once.

Each reminder's outbox row has a unique dedupe key (booking and start time): of two runs that
race for one booking, one insert wins and the other queues nothing (and counts nothing).
Bookings whose reminder is already queued are skipped before their email is rendered, so a
run every minute costs one query when there is nothing new to send."""
from datetime import timedelta

from ..bookings.models import SCHEDULED, Booking, Service
from ..kernel.clock import utcnow
from ..people import Customer
from ..settings import Settings
from .emails import queue_booking_reminder, reminder_key
from .models import OutboxMessage


def due_bookings(now, hours):
    return (Booking.select(Booking, Service, Customer).join(Service)
            .switch(Booking).join(Customer)
            .where((Booking.status == SCHEDULED) & (Booking.starts_at > now)
                   & (Booking.starts_at <= now + timedelta(hours=hours)))
            .order_by(Booking.starts_at))


def send_due_reminders(now=None):
    """Queue a reminder for every booking starting within the reminder lead time that has
    not had one for its current start time. Returns how many were queued."""
    now = now or utcnow()
    settings = Settings.current()
    due = {reminder_key(b): b for b in due_bookings(now, settings.reminder_hours)}
    queued = {key for (key,) in OutboxMessage.select(OutboxMessage.dedupe_key)
              .where(OutboxMessage.dedupe_key.in_(list(due))).tuples()} if due else set()
    return sum(queue_booking_reminder(b, b.customer, b.service, settings, now)
               for key, b in due.items() if key not in queued)
