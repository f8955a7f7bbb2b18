"""Reads for the email log."""
from .models import OutboxMessage


def email_log(limit=200):
    return OutboxMessage.select().order_by(OutboxMessage.id.desc()).limit(limit)


def email_message(message_id):
    return OutboxMessage.get_or_none(OutboxMessage.id == message_id)


def push_log(limit=200):
    """The latest pushes, each with its staff member's name and the notification's text, in
    one query."""
    from ..people import Staff
    from .models import Notification
    from .push_models import PushDelivery
    return (PushDelivery
            .select(PushDelivery, Staff.name.alias("staff_name"),
                    Notification.message.alias("message"))
            .join(Staff, on=(PushDelivery.staff == Staff.id))
            .join(Notification, on=(PushDelivery.notification == Notification.id))
            .order_by(PushDelivery.id.desc()).limit(limit).objects())
