"""The per-request floor: connections kept between requests, the settings row and the hot
queries built once, and none of it ever serving a stale answer."""
import logging

import pytest
import requests
from peewee import InterfaceError, OperationalError

from portal.accounts.sessions import LoginSession, resume, start
from portal.bookings.models import Booking, Service
from portal.bookings.queries import booking_detail
from portal.kernel.compiled import Compiled
from portal.kernel.db import database, drop_connection, is_postgres, release_connection
from portal.settings import Settings
from tests.support.servers import Browser, app_env, app_server


def test_a_settings_change_in_one_process_is_seen_by_the_next_request_in_another(
        app, world, database_url, tmp_path):
    Settings.current()
    with app_server(app_env(database_url), 2, tmp_path) as url:
        # A logged-in page reads the settings in the statement that loads the person.
        customer = Browser(url)
        assert customer.log_in(world.customer.email).status_code == 302
        # Every worker has read (and kept) the row before it changes.
        before = [requests.get(url + "/login", timeout=30).text for _ in range(8)]
        mine = [customer.get(f"/bookings/{world.upcoming.ref}").text for _ in range(8)]
        assert all("Sparkle &amp; Co. Cleaning" in page for page in before + mine)
        Settings.update(business_name="Tidy Homes").execute()  # this process, its own connection
        after = [requests.get(url + "/login", timeout=30).text for _ in range(8)]
        mine = [customer.get(f"/bookings/{world.upcoming.ref}").text for _ in range(8)]
        assert all("Tidy Homes" in page and "Sparkle" not in page for page in after + mine)
    assert Settings.current().business_name == "Tidy Homes"
    # A write that bypasses the model (a restore, another tool) is seen too: the row is read.
    database.execute_sql("UPDATE settings SET business_name = 'Shiny Ltd'")
    assert Settings.current().business_name == "Shiny Ltd"


def test_the_settings_object_is_fresh_each_call_and_follows_the_row(app, world):
    first = Settings.current()
    first.business_name = "Changed but never saved"
    assert Settings.current().business_name == "Sparkle & Co. Cleaning"
    Settings.update(cancel_notice_hours=48, customers_may_cancel=False).execute()
    again = Settings.current()
    assert (again.cancel_notice_hours, again.customers_may_cancel) == (48, False)
    assert again.customers_may_cancel is False  # converted as peewee converts it
    again.business_name = "Saved"
    again.save()
    assert Settings.select().count() == 1 and Settings.current().business_name == "Saved"


def test_a_request_keeps_sqlites_connection_and_hands_postgresqls_back_to_the_pool(app, world):
    # (pytest-flask keeps a request context open around each test, so the test client's
    # requests never reach the teardown: run it as the end of a request would.)
    database.connect(reuse_if_open=True)
    kept = database.connection()
    release_connection()
    if is_postgres():
        assert database.is_closed()  # back in the pool, for the next request to take
        database.connect()
        assert database.connection() is kept  # the pool gave the same one back
    else:
        assert not database.is_closed() and database.connection() is kept
    with database.atomic():
        release_connection()  # never closes under an open transaction
        assert not database.is_closed()
    drop_connection()  # after an outage: the next request starts on a new connection
    assert database.is_closed()


def test_a_kept_connection_sees_what_other_connections_commit(customer_client, world):
    assert "Regular" in customer_client.get(f"/bookings/{world.upcoming.ref}").get_data(True)
    # Another connection (as another worker would) renames the service and logs everyone out.
    other = database.obj.__class__(database.obj.database, **database.obj.connect_params)
    with other.connection_context():
        other.execute_sql("UPDATE service SET name = 'Spring clean'")
    page = customer_client.get(f"/bookings/{world.upcoming.ref}").get_data(True)
    assert "Spring clean" in page
    key = start(world.customer).session_key
    assert resume(key) == world.customer
    with other.connection_context():
        other.execute_sql("DELETE FROM login_session")
    assert resume(key) is None and LoginSession.select().count() == 0


def test_resuming_a_session_reads_the_person_and_the_settings_in_one_statement(app, world):
    from tests.support.queries import count_queries
    key = start(world.customer).session_key
    Settings.update(business_name="Tidy Homes", cancel_notice_hours=48).execute()
    with count_queries() as ran:
        person = resume(key)
    assert len(ran) == 1
    expected = LoginSession.get(LoginSession.customer == world.customer)
    assert person == world.customer and person.__data__ == world.customer.__data__
    assert person.login_session.__data__ == expected.__data__  # converted as peewee does
    assert person.read_settings.__data__ == Settings.current().__data__
    assert (person.read_settings.business_name, person.read_settings.cancel_notice_hours) == (
        "Tidy Homes", 48)
    # No settings row yet (a fresh database): the person still resumes; the row is made later.
    Settings.delete().execute()
    again = resume(key)
    assert again == world.customer and again.read_settings is None


def test_a_compiled_query_gives_what_peewee_gives_for_any_values(app, world):
    for ref, customer in [(world.upcoming.ref, world.customer.id), ("BK-NOSUCH", 1),
                          (world.upcoming.ref, world.customer.id + 999)]:
        booking, staff = booking_detail(ref, customer_id=customer)
        expected = (Booking.select().where((Booking.ref == ref)
                                           & (Booking.customer == customer)).get_or_none())
        assert (booking and booking.id) == (expected and expected.id)
        if booking is not None:
            assert booking.service.name == world.upcoming.service.name  # joined, no query
            assert [s.id for s in staff] == [world.fw.id, world.fw2.id]  # by name
    with pytest.raises(ValueError, match="not every argument"):
        Compiled(lambda name, unused: Service.select().where(Service.name == name), 2).rows("x", 1)


def test_compiled_rows_are_the_objects_peewee_builds(app, world):
    """Rows after the first are read by kernel.compiled's own reader: the same objects, data,
    links and clean state as peewee's, with fieldworkers and without (the outer join)."""
    from peewee import JOIN

    from portal.bookings.models import Assignment
    from portal.people import Customer, Staff
    alone = Booking.create(ref="BK-ALONE1", customer=world.customer, service=world.service,
                           starts_at=world.upcoming.starts_at, ends_at=world.upcoming.ends_at,
                           price=100, address="")

    def build(ref):
        return (Booking.select(Booking, Service, Customer, Staff).join(Service)
                .switch(Booking).join(Customer).switch(Booking)
                .join(Assignment, JOIN.LEFT_OUTER).join(Staff, JOIN.LEFT_OUTER)
                .where(Booking.ref == ref).order_by(Staff.name, Staff.id))

    def typed(data):  # equal values of another type (True == 1) would pass unseen
        return data and [(k, v, type(v)) for k, v in data.items()]

    def shape(row):
        assignment = getattr(row, "assignment", None)
        staff = assignment and assignment.__rel__.get("staff")
        return (typed(row.__data__), row._dirty, typed(row.service.__data__),
                typed(row.customer.__data__), assignment and typed(assignment.__data__),
                assignment and assignment._dirty, staff and typed(staff.__data__),
                sorted(row.__rel__))

    compiled = Compiled(build, 1)
    for _ in range(2):  # the first call reads through peewee, later ones through our reader
        for ref in (world.upcoming.ref, alone.ref):
            assert [shape(r) for r in compiled.rows(ref)] == [shape(r) for r in build(ref)]
    assert type(compiled._readers[type(compiled._database())]).__name__ == "Reader"


def test_the_session_signer_is_kept_per_key_and_a_new_key_refuses_old_cookies(app):
    interface = app.session_interface
    signer = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is signer  # made once, not per request
    cookie = signer.dumps({"_user_id": "customer:x"})
    old_key = app.secret_key
    app.secret_key = "a-rotated-key"
    try:
        rotated = interface.get_signing_serializer(app)
        assert rotated is not signer
        with pytest.raises(Exception, match="[Ss]ignature"):
            rotated.loads(cookie)
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]  # rotation: the old key still reads
        assert interface.get_signing_serializer(app).loads(cookie) == {"_user_id": "customer:x"}
    finally:
        app.secret_key = old_key
        app.config["SECRET_KEY_FALLBACKS"] = []
    assert interface.get_signing_serializer(app).loads(cookie) == {"_user_id": "customer:x"}


def _statements(action):
    """The statements peewee logs while `action` runs."""
    seen = []
    handler = logging.Handler(logging.DEBUG)
    handler.emit = lambda record: seen.append(record.getMessage())
    logger = logging.getLogger("peewee")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        action()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    return [s for s in seen if "Returning" not in s]


def test_compiled_queries_are_planned_once_per_postgresql_connection(app, world):
    ref, customer = world.upcoming.ref, world.customer.id
    database.close()
    if is_postgres():
        database.obj.close_all()  # the pool's idle connections too: the next one is new
    database.connect()  # a connection new to this query, first used inside a transaction
    with database.atomic():
        inside = _statements(lambda: booking_detail(ref, customer_id=customer))
    outside = _statements(lambda: booking_detail(ref, customer_id=customer))
    assert len(inside) == len(outside) == 1  # the booking joined to its staff
    assert booking_detail(ref, customer_id=customer)[0].id == world.upcoming.id
    if is_postgres():  # prepared on its first run, inside the transaction, and kept after it
        assert all("EXECUTE rebook_compiled_" in s for s in inside + outside)
    else:
        assert not any("EXECUTE" in s for s in inside + outside)


def _kill_this_connection():
    """End this thread's PostgreSQL connection from another one, as a server restart would."""
    import psycopg2
    pid = database.connection().info.backend_pid
    killer = psycopg2.connect(**database.obj.connect_params, dbname=database.obj.database)
    killer.autocommit = True
    with killer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    killer.close()
    return pid


def test_a_pooled_connection_that_broke_is_replaced(app, world, monkeypatch):
    """Handed back a moment ago: reused unchecked, so a broken one fails once (the request's
    503) and is dropped. Idle longer: checked first, and replaced without anyone noticing."""
    if not is_postgres():  # SQLite has no server to lose; its connection is kept as is
        database.connect(reuse_if_open=True)
        release_connection()
        assert not database.is_closed()
        return
    database.connect(reuse_if_open=True)
    first = _kill_this_connection()
    release_connection()
    database.connect()
    with pytest.raises((OperationalError, InterfaceError)):
        Settings.current()
    drop_connection()
    assert Settings.current().business_name  # a new connection
    second = _kill_this_connection()
    assert second != first
    release_connection()
    monkeypatch.setattr("portal.kernel.db.POOL_RECHECK_SECONDS", 0.0)  # as if idle for a while
    database.connect()
    assert Settings.current().business_name  # checked, found dead, replaced: no error
    assert database.connection().info.backend_pid not in (first, second)
