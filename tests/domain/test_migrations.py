"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""
import re

from playhouse.db_url import connect
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from portal.kernel.migrate import MIGRATIONS
from portal.models import ALL_MODELS


def _index_parts(index):
    """What an index is on: its columns, or, for an expression (SQLite names no column for
    it), the expressions in its CREATE INDEX text, without quotes, spaces or case. PostgreSQL
    gives each part as its own canonical text (`lower((name)::text)`) either way."""
    if None not in index.columns:
        return tuple(index.columns)
    inside = re.search(r"\((.*)\)\s*$", index.sql, re.S).group(1)
    parts, depth, part = [], 0, ""
    for ch in inside:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(part)
            part = ""
        else:
            part += ch
    return tuple(re.sub(r'[\s"`]', "", p).lower() for p in [*parts, part])


def _schema(db):
    tables = {}
    for table in sorted(m._meta.table_name for m in ALL_MODELS):
        columns = sorted((c.name, c.data_type.lower(), c.null, c.primary_key)
                         for c in db.get_columns(table))
        indexes = sorted((_index_parts(i), i.unique) for i in db.get_indexes(table))
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


def test_expression_indexes_are_compared_by_expression(make_database_url):
    """LOWER(name) and UPPER(name) are different indexes, though neither names a column."""
    db = connect(make_database_url("rebook_expressions"))
    db.execute_sql("CREATE TABLE person (id INTEGER PRIMARY KEY, name VARCHAR(80))")
    db.execute_sql('CREATE INDEX by_lower ON person (LOWER("name"), id)')
    db.execute_sql("CREATE INDEX by_upper ON person (upper(name), id)")
    parts = sorted(_index_parts(i) for i in db.get_indexes("person") if i.name.startswith("by_"))
    assert parts[0] != parts[1]
    assert all(part[1] == "id" and "name" in part[0] for part in parts)
    assert [p[0].startswith(("lower", "upper")) for p in parts] == [True, True]
    db.close()


def test_running_migrations_twice_is_a_no_op(make_database_url):
    db = connect(make_database_url("rebook_twice"))
    Runner(db, str(MIGRATIONS)).up()
    assert Runner(db, str(MIGRATIONS)).up() == []
    db.close()
