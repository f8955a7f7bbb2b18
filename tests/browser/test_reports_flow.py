"""Reports › Cancellations in a real browser: open it from the nav, change filters, and the
charts and tables swap in place (htmx) or reload (no JavaScript) with the right figures."""
import re

import pytest
from playwright.sync_api import expect
from werkzeug.datastructures import MultiDict

from portal.bookings.models import Service
from portal.kernel.clock import utcnow
from portal.kernel.timefmt import percent
from portal.reports.cancellations import cancellation_report
from portal.reports.page import late_hours, report_filter
from portal.settings import Settings
from tests.support.browsing import staff_log_in

pytestmark = pytest.mark.browser


def expected(**args):
    """The figures the page should show, straight from the report module."""
    settings = Settings.current()
    flt = report_filter(MultiDict(args), settings, utcnow())
    return cancellation_report(flt, late_hours(settings))


def test_admin_opens_the_report_and_a_filter_swaps_chart_and_table(page, demo, screenshot):
    staff_log_in(page, demo)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Cancellations", level=1)).to_be_visible()
    everything = expected()
    assert everything.cancelled > 0  # the demo history gives the report something to say
    expect(page.locator("#kpi-rate")).to_have_text(percent(everything.rate))
    trend = page.get_by_role("img", name=re.compile("Cancellation rate by week"))
    expect(trend).to_be_visible()
    expect(trend.locator(".series-current circle")).to_have_count(
        sum(w.rate is not None for w in everything.weeks))
    services = page.locator("#table-services tbody tr")
    expect(services).to_have_count(4)

    page.evaluate("window.__marker = 1")  # gone if anything reloads the page
    window = Service.get(Service.name == "Window cleaning")
    page.get_by_label("Service", exact=True).select_option(label="Window cleaning")
    expect(page).to_have_url(re.compile(rf"service={window.id}"))
    narrowed = expected(service=str(window.id))
    expect(page.locator("#kpi-rate")).to_have_text(percent(narrowed.rate))
    expect(services).to_have_count(1)
    expect(services.first).to_contain_text("Window cleaning")
    chart = page.get_by_role("img", name="Cancellations by service")
    expect(chart.locator(".chart-bar")).to_have_count(1)
    expect(chart.locator("desc")).to_have_text(
        f"Window cleaning: {narrowed.cancelled} of {narrowed.booked}.")
    assert page.evaluate("window.__marker") == 1

    page.get_by_label("Period", exact=True).select_option(label="Last 90 days")
    expect(page).to_have_url(re.compile(r"preset=90d"))
    longer = expected(preset="90d", service=str(window.id))
    expect(trend.locator(".series-current circle")).to_have_count(
        sum(w.rate is not None for w in longer.weeks))
    expect(page.locator("#kpi-rate")).to_have_text(percent(longer.rate))
    assert page.evaluate("window.__marker") == 1
    screenshot(page, "report-cancellations")

    page.reload()  # the pushed URL is the report it showed
    expect(page.get_by_label("Service", exact=True)).to_have_value(str(window.id))
    expect(page.locator("#kpi-rate")).to_have_text(percent(longer.rate))


def test_the_report_works_without_javascript(nojs_page, demo):
    page = nojs_page
    staff_log_in(page, demo)
    page.goto(f"{demo}/admin/reports/cancellations")
    page.get_by_label("Cancelled by", exact=True).select_option(label="Staff")
    page.get_by_role("button", name="Show report").click()
    expect(page).to_have_url(re.compile(r"initiator=staff"))
    staff = expected(initiator="staff")
    expect(page.locator("#kpi-rate")).to_have_text(percent(staff.rate))
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download these cancellations")).click()
    path = download.value.path()
    lines = open(path, encoding="utf-8-sig").read().splitlines()
    assert len(lines) == 1 + staff.cancelled
    assert "Cancelled by (name)" in lines[0]
