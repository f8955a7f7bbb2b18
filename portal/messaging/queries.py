"""Reads for the email log."""
from .models import OutboxMessage


def email_log(limit=200):
    return OutboxMessage.select().order_by(OutboxMessage.id.desc()).limit(limit)


def email_message(message_id):
    return OutboxMessage.get_or_none(OutboxMessage.id == message_id)
