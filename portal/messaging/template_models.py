"""An email template the business wrote: one per email kind and language (Settings > Emails).
Emails with none are made from the files in templates/emails/ as before."""
from peewee import CharField, DateTimeField, TextField

from ..kernel.clock import utcnow
from ..kernel.db import BaseModel


class EmailTemplate(BaseModel):
    kind = CharField(max_length=40)  # a key of messaging/business_templates.KINDS
    language = CharField(max_length=8)  # a code of kernel/languages.SUPPORTED
    subject = CharField(max_length=255)
    body_text = TextField()
    body_formatted = TextField()  # the small Markdown subset of messaging/placeholders.py
    updated_at = DateTimeField(default=utcnow)
    updated_by = CharField(max_length=200, default="")  # who saved it, as the audit names them

    class Meta:
        indexes = ((("kind", "language"), True),)
