"""Admin > Customers through HTTP: the searchable list, adding (with the invitation email),
editing, the customer's page, and every refusal leaving the database as it was."""
import re
from datetime import timedelta

import pytest

from portal.accounts import tokens
from portal.accounts.models import INVITE, AccountToken
from portal.audit import AuditEvent
from portal.billing.invoices import open_invoice
from portal.billing.payments import record_payment
from portal.bookings.models import Booking
from portal.kernel.actors import Actor
from portal.kernel.clock import utcnow
from portal.kernel.errors import DomainError
from portal.messaging.models import OutboxMessage
from portal.orders.models import Product
from portal.orders.services import place_order
from portal.people import Customer
from tests.support.back_office import _push_request_context, admin_client, everything, post, text
from tests.support.factories import booking
from tests.support.queries import queries_for

NEW = {"name": "Nora Newcomer", "email": "Nora.Newcomer@Example.com",
       "phone": "+1 (555) 010-9999", "address": "3 Elm Road\nSpringfield",
       "may_book_online": "y"}


def add(client, **changes):
    data = {k: v for k, v in dict(NEW, **changes).items() if v is not None}
    return post(client, "/admin/customers/new", data)


def invitations(email):
    return list(OutboxMessage.select().where(
        (OutboxMessage.to_address == email)
        & OutboxMessage.dedupe_key.startswith("account_invite")))


def invite_token(message):
    return re.search(r"/account/invite/([^\s\"<]+)", message.body_text).group(1)


def test_admin_adds_a_customer_who_is_invited(app, admin_client, world):
    response = add(admin_client)
    customer = Customer.get(Customer.email == "nora.newcomer@example.com")
    assert response.status_code == 302
    assert response.location.endswith(f"/admin/customers/{customer.id}")
    assert (customer.name, customer.phone, customer.address, customer.may_book_online) == (
        "Nora Newcomer", "+1 (555) 010-9999", "3 Elm Road\nSpringfield", True)
    assert customer.password_hash == ""  # they choose it through the invitation
    (message,) = invitations(customer.email)
    assert "http://localhost/account/invite/" in message.body_text
    with app.app_context():
        assert tokens.read(INVITE, invite_token(message), utcnow()).customer_id == customer.id
    (event,) = AuditEvent.select().where(AuditEvent.subject_type == "customer")
    assert (event.action, event.subject_id, event.actor_id) == (
        "customer_created", customer.id, world.admin.id)
    assert event.after_data["email"] == "nora.newcomer@example.com"
    page = text(admin_client.get(response.location))
    assert "Nora Newcomer added. We've emailed nora.newcomer@example.com an invitation" in page
    assert "Customer created" in page


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "Enter the customer's name."),
    ("name", "x" * 121, "120 characters"),
    ("email", "", "Enter the customer's email address."),
    ("email", "not-an-email", "like name@example.com"),
    ("email", "a b@example.com", "like name@example.com"),
    ("email", "nora@example", "like name@example.com"),
    ("email", "x" * 250 + "@example.com", "254 characters"),
    ("phone", "555-01", "7 to 20 digits"),
    ("phone", "call me maybe", "7 to 20 digits"),
    ("phone", "555 010 4477 +1", "7 to 20 digits"),
    ("phone", "1" * 21, "7 to 20 digits"),
    ("phone", "1" * 41, "40 characters"),
    ("address", "x" * 501, "500 characters"),
])
def test_bad_input_is_refused_and_nothing_saved(admin_client, world, field, value, message):
    before = everything()
    response = add(admin_client, **{field: value})
    assert response.status_code == 422
    assert message in text(response) and 'aria-invalid="true"' in text(response)
    assert everything() == before and not AccountToken.select().exists()


@pytest.mark.parametrize("email", ["CUSTOMER@example.com", "customer@EXAMPLE.com",
                                   " Admin@Example.com ", "fw@example.com"])
def test_an_address_already_in_use_is_refused(admin_client, world, email):
    before = everything()
    response = add(admin_client, email=email)
    assert response.status_code == 422
    assert "already belongs to an account" in text(response)
    assert everything() == before and not AccountToken.select().exists()


def test_admin_edits_a_customer(admin_client, world):
    url = f"/admin/customers/{world.customer.id}/edit"
    page = text(admin_client.get(url))
    assert 'value="Casey Customer"' in page and "12 Maple Street" in page
    response = post(admin_client, url, {"name": "Casey C. Customer", "email": "casey@example.com",
                                        "phone": "555 010 2000", "address": "14 Maple Street"})
    assert response.status_code == 302
    casey = Customer.get_by_id(world.customer.id)
    assert (casey.name, casey.email, casey.phone, casey.address, casey.may_book_online) == (
        "Casey C. Customer", "casey@example.com", "555 010 2000", "14 Maple Street", False)
    (event,) = AuditEvent.select().where(AuditEvent.action == "customer_updated")
    assert event.before_data["email"] == "customer@example.com"
    assert event.after_data == {"name": "Casey C. Customer", "email": "casey@example.com",
                                "phone": "555 010 2000", "address": "14 Maple Street",
                                "may_book_online": False}
    assert "Customer details saved." in text(admin_client.get(response.location))


def test_a_new_email_voids_links_sent_to_the_old_one(app, admin_client, world):
    add(admin_client)
    nora = Customer.get(Customer.email == "nora.newcomer@example.com")
    token = invite_token(invitations(nora.email)[0])
    post(admin_client, f"/admin/customers/{nora.id}/edit",
         dict(NEW, email="nora@example.org"))
    assert Customer.get_by_id(nora.id).email == "nora@example.org"
    with app.app_context(), pytest.raises(DomainError):
        tokens.read(INVITE, token, utcnow())


def test_editing_refusals_change_nothing(admin_client, world):
    url = f"/admin/customers/{world.customer.id}/edit"
    before = everything()
    for data, message in [({"email": "OTHER@example.com"}, "already belongs to an account"),
                          ({"phone": "12"}, "7 to 20 digits"),
                          ({"name": " "}, "Enter the customer's name.")]:
        response = post(admin_client, url, dict(NEW, **data))
        assert response.status_code == 422 and message in text(response)
    assert everything() == before


def test_saving_unchanged_writes_nothing(admin_client, world):
    casey = world.customer
    post(admin_client, f"/admin/customers/{casey.id}/edit",
         {"name": casey.name, "email": casey.email, "phone": casey.phone,
          "address": casey.address, "may_book_online": "y"})
    assert not AuditEvent.select().where(AuditEvent.subject_type == "customer").exists()


def test_missing_csrf_token_changes_nothing(admin_client, world):
    before = everything()
    for url in ["/admin/customers/new", f"/admin/customers/{world.customer.id}/edit",
                f"/admin/customers/{world.customer.id}/invite"]:
        response = admin_client.post(url, data=NEW)
        assert response.status_code == 400 and "security token" in text(response)
    assert everything() == before


def test_unknown_customer_is_404(admin_client, world):
    for url in ["/admin/customers/999999", "/admin/customers/999999/edit"]:
        response = admin_client.get(url)
        assert response.status_code == 404 and "couldn't find that customer" in text(response)
    before = everything()
    assert post(admin_client, "/admin/customers/999999/invite", {},
                page="/admin/customers").status_code == 404
    assert everything() == before


def test_resend_invitation(admin_client, world):
    add(admin_client)
    nora = Customer.get(Customer.email == "nora.newcomer@example.com")
    url = f"/admin/customers/{nora.id}"
    assert "Invited; no password set yet" in text(admin_client.get(url))
    response = post(admin_client, f"{url}/invite", {}, page=url)
    assert response.status_code == 302
    assert len(invitations(nora.email)) == 2
    assert "Invitation sent again to nora.newcomer@example.com." in text(admin_client.get(url))
    assert AuditEvent.select().where(AuditEvent.action == "invitation_sent").count() == 1


def test_no_invitation_once_the_password_is_set(admin_client, world):
    url = f"/admin/customers/{world.customer.id}"
    page = text(admin_client.get(url))
    assert "Password set" in page and "Resend invitation" not in page
    before = everything()
    response = post(admin_client, f"{url}/invite", {}, page=url)
    assert response.status_code == 409 and "Forgot password" in text(response)
    assert everything() == before


def test_search_by_name_email_or_phone(admin_client, world):
    Customer.update(phone="(555) 010-2000").where(Customer.id == world.customer.id).execute()
    for q in ["casey", "CUSTOMER@", "010-2000", "5550102000", "555 010 2000"]:
        page = text(admin_client.get("/admin/customers", query_string={"q": q}))
        assert "Casey Customer" in page and "Olive Other" not in page, q
    page = text(admin_client.get("/admin/customers?q=nobody"))
    assert "No customers match “nobody”" in page


def test_search_with_htmx_answers_with_the_table(admin_client, world):
    response = admin_client.get("/admin/customers?q=olive", headers={"HX-Request": "true"})
    body = text(response)
    assert body.lstrip().startswith('<section id="customers-table"')
    assert "Olive Other" in body and "Casey Customer" not in body
    assert response.headers["HX-Push-Url"] == "/admin/customers?q=olive"


def test_list_pages_and_bad_arguments_become_notes(admin_client, world):
    Customer.insert_many([{"name": f"Bulk {n:03d}", "email": f"bulk{n}@example.com"}
                          for n in range(60)]).execute()
    page = text(admin_client.get("/admin/customers?page=3"))
    assert "Showing 51–62 of 62" in page
    page = text(admin_client.get("/admin/customers?page=abc"))
    assert "is not a page number; showing page 1" in page and "Showing 1–25 of 62" in page
    page = text(admin_client.get("/admin/customers?page=99"))
    assert "There is no page 99; showing page 3, the last." in page
    page = text(admin_client.get("/admin/customers", query_string={"q": "b" * 150}))
    assert "Searches are limited to 100 characters" in page


def test_customer_page_shows_bookings_orders_invoices_and_history(app, admin_client, world):
    admin = Actor("admin", world.admin.id, world.admin.name)
    invoice = open_invoice(world.upcoming, world.service, world.settings)
    record_payment(invoice.id, 4000, "cash", "", admin)
    spray = Product.create(name="Spray", price=850, stock=5)
    with app.app_context():  # placing an order renders the customer's confirmation email
        order = place_order(world.customer.id, [(spray.id, 2)], admin, channel="admin")
    page = text(admin_client.get(f"/admin/customers/{world.customer.id}"))
    for expected in [world.upcoming.ref, world.cancelled.ref, "Fred Worker, Gina Helper",
                     order.ref, "$90.00", "$40.00", "$50.00", "Payment recorded"]:
        assert expected in page, expected
    assert world.others.ref not in page  # Olive's booking
    assert f"/admin/bookings/new?customer={world.customer.id}" in page


def test_customer_pages_use_constant_queries(app, admin_client, world):
    admin = Actor("admin", world.admin.id, world.admin.name)
    urls = ["/admin/customers", "/admin/customers?q=casey&page=1",
            f"/admin/customers/{world.customer.id}"]
    before = {url: queries_for(admin_client, url) for url in urls}
    spray = Product.create(name="Spray", price=850, stock=500)
    for n in range(60):
        made = booking(world.customer, world.service, timedelta(days=20 + n), world.fw)
        invoice = open_invoice(made, world.service, world.settings)
        record_payment(invoice.id, 1000, "card", "", admin)
        with app.app_context():
            place_order(world.customer.id, [(spray.id, 1)], admin, channel="admin")
        Customer.create(name=f"Casey {n}", email=f"casey{n}@example.com")
    after = {url: queries_for(admin_client, url) for url in urls}
    assert after == before
    assert max(after.values()) <= 14, after
    assert Booking.select().where(Booking.customer == world.customer.id).count() > 60
