"""Reminder emails, queued by `flask reminders send` (safe to run every minute)."""
from datetime import timedelta

from ..bookings.models import SCHEDULED, Booking, Service
from ..people import Customer, utcnow
from ..settings import Settings
from .emails import queue_booking_reminder


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
    return sum(queue_booking_reminder(b, b.customer, b.service, settings, now)
               for b in due_bookings(now, settings.reminder_hours))
