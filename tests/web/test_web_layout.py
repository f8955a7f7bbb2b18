"""The web layer's map holds: an endpoint names where its view lives
(`<audience>.<area>.<view>` is `portal/web/<audience>/<area>.py`, function `<view>`), every page
under /admin and /fieldworker sits under the parent blueprint that checks who may open it, and
the addresses people hold (bookmarks, links in sent emails) stay what they were.
"""
import pytest
from flask import url_for

AUDIENCES = ("admin", "customer", "fieldworker", "links")
# App-wide endpoints that belong to no audience (login, setup, health, static files) and the API.
APP_WIDE = {"auth", "setup", "health", "static", "favicon", "api"}


def test_an_endpoint_names_the_module_and_function_of_its_view(app):
    for endpoint, view in app.view_functions.items():
        head = endpoint.split(".")[0]
        if head in APP_WIDE:
            continue
        audience, area, name = endpoint.split(".")
        assert audience in AUDIENCES, endpoint
        assert view.__module__ == f"portal.web.{audience}.{area}", endpoint
        assert view.__name__ == name, endpoint


@pytest.mark.parametrize("prefix,audience", [("/admin", "admin"),
                                             ("/fieldworker", "fieldworker")])
def test_every_back_office_page_sits_under_its_audience_check(app, prefix, audience):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith(prefix)]
    assert rules
    for rule in rules:
        assert rule.endpoint.startswith(f"{audience}."), rule.rule
    # The check is the parent blueprint's own hook, so it runs for every nested area.
    assert app.before_request_funcs.get(audience), f"{audience} has no role check"


# Addresses sent in emails and kept as bookmarks (a sample per audience; the authorization
# matrix pins every /admin and /fieldworker address).
ADDRESSES = [
    ("customer.bookings.home", {}, "/"),
    ("customer.bookings.index", {}, "/bookings"),
    ("customer.bookings.show", {"ref": "BK-AAAAAA"}, "/bookings/BK-AAAAAA"),
    ("customer.bookings.schedule", {}, "/book"),
    ("customer.orders.show", {"ref": "OR-AAAAAA"}, "/orders/OR-AAAAAA"),
    ("customer.account.invite", {"token": "t"}, "/account/invite/t"),
    ("customer.account.reset", {"token": "t"}, "/account/reset/t"),
    ("customer.account.confirm_email", {"token": "t"}, "/account/email/t"),
    ("links.booking.show", {"token": "t"}, "/l/t"),
    ("links.booking.cancel", {"token": "t"}, "/l/t/cancel"),
    ("links.booking.reschedule", {"token": "t"}, "/l/t/reschedule"),
    ("fieldworker.jobs.show", {"ref": "BK-AAAAAA"}, "/fieldworker/jobs/BK-AAAAAA"),
    ("fieldworker.jobs.index", {}, "/fieldworker/jobs"),
    ("admin.bookings.show", {"ref": "BK-AAAAAA"}, "/admin/bookings/BK-AAAAAA"),
    ("admin.emails.index", {}, "/admin/emails"),
    ("admin.reports.index", {}, "/admin/reports/"),
    ("admin.api_tokens.index", {"integration_id": 3}, "/admin/integrations/3/tokens"),
]


@pytest.mark.parametrize("endpoint,values,path", ADDRESSES, ids=[a[0] for a in ADDRESSES])
def test_addresses_people_hold_are_unchanged(app, endpoint, values, path):
    with app.test_request_context():
        assert url_for(endpoint, **values) == path
