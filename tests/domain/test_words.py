"""Who did it, where a phone or address points, a timezone: as people read them."""
import pytest

from portal.audit.text import who
from portal.kernel.timefmt import zone_name
from portal.web.app.contact_links import maps_href, tel_href


@pytest.mark.parametrize("label,kind,channel,expected", [
    ("Ada Admin", "admin", "admin", "by Ada Admin (admin)"),
    ("Fred Worker", "fieldworker", "fieldworker", "by Fred Worker (fieldworker)"),
    ("Casey Customer", "customer", "portal", "by Casey Customer (customer)"),
    ("Casey Customer", "customer", "email_link",
     "by Casey Customer (customer, from an email link)"),
    ("Ada Admin", "admin", "fieldworker", "by Ada Admin (admin, on the job pages)"),
    ("ClinicPro", "integration", "integration", "by ClinicPro (connected system)"),
    ("Rebook", "system", "system", "automatically"),
    ("", "fieldworker", "fieldworker", "by a fieldworker"),
    ("", "admin", None, "by an admin"),
])
def test_who(label, kind, channel, expected):
    assert who(label, kind, channel) == expected


@pytest.mark.parametrize("phone,expected", [
    ("+1 (555) 010-2000", "tel:+15550102000"),
    ("(555) 010-4477", "tel:5550104477"),
    ("call the office", None), ("", None), (None, None),
])
def test_tel_href(phone, expected):
    assert tel_href(phone) == expected


@pytest.mark.parametrize("address,query", [
    ("12 Maple Street", "12%20Maple%20Street"),
    ("Flat #4, 10 Main St & 2nd", "Flat%20%234%2C%2010%20Main%20St%20%26%202nd"),
    ("  1 Rue d'Été\n Paris ", "1%20Rue%20d%27%C3%89t%C3%A9%20Paris"),
    ("a/b?c=d", "a%2Fb%3Fc%3Dd"),
])
def test_maps_href_escapes_everything_that_means_something_in_a_url(address, query):
    assert maps_href(address) == "https://www.google.com/maps/search/?api=1&query=" + query


def test_no_address_no_map():
    assert maps_href("  ") is None and maps_href(None) is None


@pytest.mark.parametrize("tz,expected", [
    ("America/New_York", "New York time"), ("Europe/London", "London time"),
    ("America/Argentina/Buenos_Aires", "Buenos Aires time"), ("UTC", "UTC"),
])
def test_zone_name(tz, expected):
    assert zone_name(tz) == expected
