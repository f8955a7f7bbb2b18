"""The demo data the README promises, and that loading it twice keeps what is there."""
from portal.bookings.models import Booking
from portal.kernel.clock import utcnow
from portal.ops.demo import load_demo
from portal.people import Customer, Staff
from tests.support.forms import csrf_from, logout


def test_demo_has_what_the_readme_promises(app, client):
    assert load_demo(only_if_empty=True) is True
    roles = {s.email: s.role for s in Staff.select()}
    assert roles["admin@example.com"] == "admin"
    assert roles["fieldworker@example.com"] == "fieldworker"
    casey = Customer.get(Customer.email == "customer@example.com")
    assert Customer.get_or_none(Customer.email == "other@example.com") is not None
    now = utcnow()
    mine = list(Booking.select().where(Booking.customer == casey))
    ahead = [(b.starts_at - now).total_seconds() / 3600 for b in mine if b.status == "scheduled"]
    assert sum(h > 24 for h in ahead) >= 3, "several upcoming bookings days ahead"
    assert any(0 < h < 12 for h in ahead), "one within the next 12 hours"
    assert any(h < 0 for h in ahead), "one whose time has passed"
    assert {b.status for b in mine} >= {"completed", "cancelled"}
    for email in ("admin@example.com", "fieldworker@example.com", "customer@example.com"):
        page = client.get("/login").get_data(as_text=True)
        response = client.post("/login", data={"email": email, "password": "demo",
                                               "csrf_token": csrf_from(page)})
        assert response.status_code == 302
        logout(client)


def test_loading_again_keeps_the_data(app):
    load_demo(only_if_empty=True)
    count = Booking.select().count()
    Booking.update(address="changed").execute()
    assert load_demo(only_if_empty=True) is False
    assert Booking.select().count() == count
    assert Booking.select().where(Booking.address == "changed").count() == count
