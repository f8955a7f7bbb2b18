"""The email templates a business writes itself, one per email kind and language (Settings >
Emails), and the list of those on the settings row, so sending an email that has none (the
usual case) costs no query to find out."""
from peewee import *


def up(migrator, db):
    class EmailTemplate(Model):
        kind = CharField(max_length=40)
        language = CharField(max_length=8)
        subject = CharField(max_length=255)
        body_text = TextField()
        body_formatted = TextField()
        updated_at = DateTimeField()
        updated_by = CharField(max_length=200, default="")

        class Meta:
            database = db
            table_name = "email_template"
            indexes = ((("kind", "language"), True),)

    db.create_tables([EmailTemplate])
    migrator.migrate(migrator.add_column("settings", "custom_emails", TextField(default="")))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("settings", "custom_emails"))
    db.execute_sql("DROP TABLE email_template")
