"""Admin › Customers reads its page of customers in order from the LOWER(name), id index
(migration 0029), on SQLite and PostgreSQL, instead of sorting every customer first."""
from portal.kernel.clock import utcnow
from portal.kernel.db import database, is_postgres
from portal.people import Customer
from portal.people.customer_queries import CustomerFilter, find_customers
from tests.support.factories import person
from tests.support.queries import statements

INDEX = "customer_lower_name_id"


def _plan(sql, params):
    if is_postgres():
        # With a few rows PostgreSQL rightly prefers reading the table and sorting; forbidding
        # that shows the index can answer the query (the planner's choice at scale).
        with database.atomic():
            database.execute_sql("SET LOCAL enable_seqscan = off")
            return " ".join(row[0] for row in database.execute_sql("EXPLAIN " + sql, params))
    return " ".join(row[-1] for row in database.execute_sql("EXPLAIN QUERY PLAN " + sql,
                                                            params).fetchall())


def test_the_customer_list_reads_the_lower_name_index(app):
    names = ["bea Brown", "Al Adams", "carl Cole", "Ada adams", "Bob Black"] * 7
    for n, name in enumerate(names):
        person(Customer, name=name, email=f"c{n}@example.com")
    with statements() as seen:
        page = find_customers(CustomerFilter(page=2), utcnow())
    listed = [c.name for c, _, _ in page.rows]
    assert listed == sorted(names, key=str.lower)[25:]
    sql, params = next(s for s in seen if "ORDER BY LOWER" in s[0])
    plan = _plan(sql, params)
    assert INDEX in plan, plan
    if not is_postgres():
        # the page's 25 rows are sorted again once joined; the customers themselves are not
        assert plan.count("TEMP B-TREE") <= 1, plan


def test_the_index_is_on_lower_name_then_id(app):
    if is_postgres():
        (definition,) = database.execute_sql(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", (INDEX,)).fetchone()
        assert "(lower((name)::text), id)" in definition, definition
    else:
        (definition,) = database.execute_sql(
            "SELECT sql FROM sqlite_master WHERE name = ?", (INDEX,)).fetchone()
        assert 'ON "customer" (LOWER("name"), "id")' in definition, definition
