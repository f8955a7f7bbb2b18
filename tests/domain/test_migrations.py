"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
from playhouse.db_url import connect
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from portal.kernel.migrate import MIGRATIONS
from portal.models import ALL_MODELS


def _schema(db):
    tables = {}
    for table in sorted(m._meta.table_name for m in ALL_MODELS):
        columns = sorted((c.name, c.data_type.lower(), c.null, c.primary_key)
                         for c in db.get_columns(table))
        indexes = sorted((tuple(i.columns), i.unique) for i in db.get_indexes(table))
        foreign_keys = sorted((f.column, f.dest_table) for f in db.get_foreign_keys(table))
        tables[table] = (columns, indexes, foreign_keys)
    return tables


def test_migrations_match_models(make_database_url):
    migrated = connect(make_database_url("rebook_migrated"))
    applied = Runner(migrated, str(MIGRATIONS)).up()
    assert applied and applied[0] == "0001_initial"
    assert not diff_models(migrated, ALL_MODELS), diff_models(migrated, ALL_MODELS)

    from_models = connect(make_database_url("rebook_from_models"))
    with from_models.bind_ctx(ALL_MODELS):
        from_models.create_tables(ALL_MODELS)
    assert _schema(migrated) == _schema(from_models)
    migrated.close()
    from_models.close()


def test_running_migrations_twice_is_a_no_op(make_database_url):
    db = connect(make_database_url("rebook_twice"))
    Runner(db, str(MIGRATIONS)).up()
    assert Runner(db, str(MIGRATIONS)).up() == []
    db.close()
