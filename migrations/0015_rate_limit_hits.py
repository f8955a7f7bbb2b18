"""Rate limits counted in the database, so they hold across processes and machines: one row
per allowed hit, read by a range scan on (scope, key, at); expired rows swept by expires_at."""
from peewee import *


def up(migrator, db):
    class RateLimitHit(Model):
        scope = CharField(max_length=32)
        key = CharField(max_length=128)
        at = DateTimeField()
        expires_at = DateTimeField(index=True)

        class Meta:
            database = db
            table_name = "rate_limit_hit"
            indexes = ((("scope", "key", "at"), False),)

    db.create_tables([RateLimitHit])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("rate_limit_hit"))
