"""Two queries built once (kernel.compiled) answered in one statement, the second matched to
the first's row: the session's person and the booking its page shows, say.

On PostgreSQL every statement is a round trip: the worker sleeps until the server answers, the
server's process runs, and the worker's code runs slower after the switch. A page whose reads
are the person (with the settings row) and then one thing of that person's can ask for both
at once:

    WITH "a"("c0", …) AS (<the first's SQL>), "b"("c0", …) AS (<the second's SQL>)
    SELECT "a".*, "b".* FROM "a" LEFT OUTER JOIN "b" ON ("b"."cJ" = "a"."cI")
    ORDER BY <the second's own order>

Each query keeps its own text (its table aliases stay in their own WITH); the column lists name
every column apart. The first must give at most one row (a LIMIT 1): it comes back beside each
matching row of the second, or alone with the second's columns empty, so the second never
decides whether the first is found. Only the second's rows whose match column equals the
first's are read, so a second query without that condition reads nobody else's rows.
With no match column (`on=(first's field, None)`) every row of the second comes back beside
the first's: for a page that decides itself whether this person may see them (the admin area's
gate, a fieldworker's own jobs); the second's primary key, which it must select, tells its rows
from the empty ones.
PostgreSQL (12 on) plans a WITH used once as part of the statement, so the second still
finds its rows by their index; SQLite does the same.
"""
from typing import NamedTuple

from peewee import Alias, Field, Ordering

from .compiled import Compiled


class Along(NamedTuple):
    """A read to make in the statement of a `kind` person's session (accounts.sessions.resume):
    `query`'s rows for `args` whose `match` column is the person's id, or all of them with
    `match` None (the page then checks that this person may see them, before or after)."""
    kind: str
    query: Compiled
    args: tuple
    match: Field

    def same(self, other) -> bool:
        """The same read (web/app/current.py hands its rows over by this). Not ==: a peewee
        field's == builds an SQL expression, which is always true."""
        return (other.kind == self.kind and other.query is self.query
                and other.match is self.match and other.args == self.args)

    def any_person(self) -> bool:
        return self.match is None


class Beside(Compiled):
    """`Beside(first, second, on=(first's field, second's field))`; `cursor(*first_args,
    *second_args)` runs the statement, `split(raw_rows)` gives (the first's raw row or None,
    the second's rows as its rows() would give them)."""

    def __init__(self, first: Compiled, second: Compiled, on: tuple[Field, Field]):
        self.first, self.second, self._on = first, second, on
        super().__init__(None, first._arity + second._arity)

    def forget(self):
        super().forget()
        self._shapes = {}

    def _database(self):
        return self.first._database()

    def _for_database(self, db):
        kind = type(db)
        entry = self._kinds.get(kind)
        if entry is None:
            entry = self._kinds[kind] = self._together(db)
        return entry

    def _together(self, db):
        q1, sql1, slots1, _ = self.first._for_database(db)
        q2, sql2, slots2, _ = self.second._for_database(db)
        n1, n2 = len(q1._returning), len(q2._returning)
        i = _position(q1, self._on[0])
        if self._on[1] is None:  # every row of the second; its key tells them from none
            j, on = _position(q2, q2.model._meta.primary_key), "1 = 1"
        else:
            j = _position(q2, self._on[1])
            on = f'"b"."c{j}" = "a"."c{i}"'
        order = ", ".join(f'"b"."c{_position(q2, node)}" {direction}'
                          for node, direction in _order(q2))
        sql = (f'WITH "a"({_columns(n1)}) AS ({sql1}), "b"({_columns(n2)}) AS ({sql2}) '
               f'SELECT "a".*, "b".* FROM "a" LEFT OUTER JOIN "b" ON ({on})'
               + (f" ORDER BY {order}" if order else ""))
        shift = self.first._arity
        slots = slots1 + [(k if k is None else k + shift, value) for k, value in slots2]
        description = [(_name(node, n),) for n, node in enumerate(q2._returning)]
        self._shapes[type(db)] = (n1, n1 + j, description)
        return None, sql, slots, self._prepared_form(sql, slots, db)

    def split(self, rows):
        """(the first's raw row, or None when it found none; the second's matching rows)."""
        if not rows:
            return None, []
        db = self._database()
        self._for_database(db)
        width, match, description = self._shapes[type(db)]
        seconds = [row[width:] for row in rows if row[match] is not None]
        return rows[0][:width], self.second.read_rows(seconds, description)


def _columns(count):
    return ", ".join(f'"c{n}"' for n in range(count))


def _position(query, node):
    """Where `node` (a field the query selects, that very object) is in its columns."""
    for n, selected in enumerate(query._returning):
        if selected is node:
            return n
    raise ValueError(f"{node} is not among the columns the query selects")


def _order(query):
    """(field, direction) of the query's ORDER BY, each a column it selects."""
    for node in query._order_by or ():
        if isinstance(node, Ordering):
            if node.nulls or node.collation:
                raise ValueError("an ORDER BY with NULLS or COLLATE is not carried over")
            yield node.node, node.direction
        else:
            yield node, "ASC"


def _name(node, n):
    """The column's name as a cursor of the query alone describes it, where peewee reads it:
    an alias's (a field's own name peewee takes from the field)."""
    if isinstance(node, Field):
        return f"c{n}"
    alias = node._alias if isinstance(node, Alias) else getattr(node, "_alias", None)
    if not alias:
        raise ValueError(f"column {n} needs an alias or a field to be read beside another")
    return alias

