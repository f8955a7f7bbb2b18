"""Kept queries run their statements through kernel.compiled.execute, peewee's execute_sql
steps inlined, and writes open their transaction through kernel.db.write_transaction, peewee's
transaction object entered directly: both must do what peewee's own path does (same rows,
same log line, same errors, same BEGIN / COMMIT / ROLLBACK, savepoints when nested)."""
import sqlite3

import peewee
import pytest

from portal.kernel import compiled
from portal.kernel.db import database, is_postgres, write_transaction
from portal.settings import Settings
from tests.support.queries import statements

SELECT = 'SELECT "id", "business_name" FROM "settings" WHERE "id" > %s ORDER BY "id"'


def _param(sql):
    return sql if is_postgres() else sql.replace("%s", "?")


def test_execute_runs_and_logs_as_execute_sql(app, world):
    db, sql = database.obj, _param(SELECT)
    with statements() as plain:
        expected = db.execute_sql(sql, [0]).fetchall()
    with statements() as kept:
        got = compiled.execute(db, sql, [0]).fetchall()
    assert got == expected and got
    assert kept == plain == [(sql, [0])]


@pytest.mark.parametrize("sql", ['SELECT * FROM "no_such_table"', "SELEC 1"])
def test_execute_raises_what_execute_sql_raises(app, world, sql):
    db = database.obj
    with pytest.raises(peewee.PeeweeException) as plain, write_transaction():
        db.execute_sql(sql, ())
    with pytest.raises(peewee.PeeweeException) as kept, write_transaction():
        compiled.execute(db, sql, ())
    assert type(kept.value) is type(plain.value)
    assert str(kept.value) == str(plain.value)


def test_execute_turns_a_constraint_failure_into_peewees_integrity_error(app, world):
    db = database.obj
    row = _param('INSERT INTO "settings" ("id", "business_name") VALUES (%s, %s)')
    with pytest.raises(peewee.IntegrityError), write_transaction():
        compiled.execute(db, row, [Settings.get().id, "twice"])


def test_execute_on_a_closed_connection_opens_one_as_execute_sql_does(app, world):
    db = database.obj
    if not db.in_transaction():
        db.close()
    assert compiled.execute(db, _param(SELECT), [0]).fetchall()
    assert not db.is_closed()


def test_write_transaction_commits_and_rolls_back_as_atomic(app, world):
    name = Settings.get().business_name
    with write_transaction():
        assert database.in_transaction() and database.transaction_depth() == 1
        Settings.update(business_name="Committed").execute()
    assert not database.in_transaction()
    assert Settings.get().business_name == "Committed"
    with pytest.raises(RuntimeError), write_transaction():
        Settings.update(business_name="Rolled back").execute()
        raise RuntimeError
    assert not database.in_transaction()
    assert Settings.get().business_name == "Committed"
    Settings.update(business_name=name).execute()


def test_write_transaction_inside_another_is_a_savepoint(app, world):
    name = Settings.get().business_name
    ran = []
    with write_transaction():
        database.after_commit(lambda: ran.append("committed"))
        with pytest.raises(RuntimeError), write_transaction():
            assert database.transaction_depth() == 1  # a savepoint, not a transaction
            Settings.update(business_name="Inner").execute()
            raise RuntimeError
        assert Settings.get().business_name == name  # only the savepoint rolled back
        assert ran == []
    assert ran == ["committed"]  # peewee's commit callbacks run as after atomic()


def test_write_transaction_takes_sqlites_write_lock_at_once(app, world):
    if is_postgres():
        with write_transaction():
            conn = database.obj.connection()
            assert conn.info.transaction_status != 0  # psycopg: not idle, in a transaction
        return
    with write_transaction():  # BEGIN IMMEDIATE: another writer is refused before any write
        other = sqlite3.connect(database.obj.database, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
