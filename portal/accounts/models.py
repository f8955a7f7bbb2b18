"""One row per emailed account link: what makes a link single-use."""
from peewee import CharField, DateTimeField, ForeignKeyField

from ..kernel.clock import utcnow
from ..kernel.db import BaseModel
from ..people import Customer

INVITE = "invite"
RESET = "reset"
PURPOSES = (INVITE, RESET)


class AccountToken(BaseModel):
    """An invitation or reset link. Only a hash of its secret part is kept, so reading this
    table never yields a working link; `used_at` set means it can never work again."""
    customer = ForeignKeyField(Customer, backref="account_tokens", on_delete="CASCADE")
    purpose = CharField(max_length=10)
    token_hash = CharField(max_length=64, unique=True)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("customer", "purpose"), False),)
