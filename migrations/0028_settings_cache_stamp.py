"""settings.cache_stamp: a random value the database gives the settings row again whenever a
fee tier or an integration is added, changed or removed (triggers, in the same transaction as
the change, whoever makes it: a page, a command, a restore, another server). Every request
reads the settings row anyway, so a process may keep the tiers and the webhook subscribers
while the stamp it reads is the one it kept them under (portal/settings/kept.py), and sees a
change made anywhere on its next request.

tests/web/test_kept_lookups.py changes tiers and integrations from another process, by plain
SQL, and checks that the app's next cancellation sees them.
"""
from peewee import CharField, PostgresqlDatabase

TABLES = ("fee_tier", "integration")
SQLITE_STAMP = "lower(hex(randomblob(8)))"
POSTGRES_STAMP = "substr(md5(random()::text || clock_timestamp()::text), 1, 16)"
SQLITE_TRIGGERS = {
    f"{table}_stamp_{op.lower()}": (
        f"CREATE TRIGGER {table}_stamp_{op.lower()} AFTER {op} ON {table} "
        f"BEGIN UPDATE settings SET cache_stamp = {SQLITE_STAMP}; END")
    for table in TABLES for op in ("INSERT", "UPDATE", "DELETE")}
POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION settings_new_cache_stamp() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    f"UPDATE settings SET cache_stamp = {POSTGRES_STAMP}; RETURN NULL; END $$")
POSTGRES_TRIGGERS = {
    f"{table}_stamp": (
        f"CREATE TRIGGER {table}_stamp AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION settings_new_cache_stamp()")
    for table in TABLES}


def up(migrator, db):
    migrator.migrate(migrator.add_column("settings", "cache_stamp",
                                         CharField(max_length=32, default="")))
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(f"UPDATE settings SET cache_stamp = {POSTGRES_STAMP}")
        db.execute_sql(POSTGRES_FUNCTION)
        for sql in POSTGRES_TRIGGERS.values():
            db.execute_sql(sql)
    else:
        db.execute_sql(f"UPDATE settings SET cache_stamp = {SQLITE_STAMP}")
        for sql in SQLITE_TRIGGERS.values():
            db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for name, table in zip(POSTGRES_TRIGGERS, TABLES):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        db.execute_sql("DROP FUNCTION IF EXISTS settings_new_cache_stamp()")
    else:
        for name in SQLITE_TRIGGERS:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    migrator.migrate(migrator.drop_column("settings", "cache_stamp"))
