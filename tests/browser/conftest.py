"""Real-browser fixtures: the test app on a live server, Debian's Chromium through Playwright.

Playwright's own browser download does not work here, so Chromium comes from /usr/bin/chromium.
Set REBOOK_SCREENSHOTS=1 to save screenshots into test-artifacts/.
"""
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from portal.kernel.db import database
from portal.ops.demo import load_demo
from tests.support.browsing import new_context

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def live_url(app):
    """The session app served over HTTP on a free loopback port, one thread per request."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def demo(app, live_url):
    """The demo business, loaded fresh into the tables clean_db just emptied."""
    database.connect(reuse_if_open=True)  # kept open: tests read the database afterwards
    load_demo(only_if_empty=False)
    return live_url


def _browser_env():
    """Chromium's environment: ours, less a faked clock. The suite is run under faketime to
    prove the server does not depend on the day; Chromium stalls with libfaketime preloaded,
    and the browser's clock is the visitor's own anyway."""
    return {k: v for k, v in os.environ.items()
            if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


@pytest.fixture(scope="session")
def browser():
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: run 'make browser' (as root)"
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             env=_browser_env())
        yield browser
        browser.close()


@pytest.fixture
def page(browser, demo):
    """A fresh page in a fresh context (no cookies) per test."""
    context = new_context(browser)
    yield context.new_page()
    context.close()


@pytest.fixture
def nojs_page(browser, demo):
    """Like `page`, with JavaScript switched off: the portal must work as plain pages."""
    context = new_context(browser, java_script_enabled=False)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, name): a full-page PNG in test-artifacts/, only with REBOOK_SCREENSHOTS=1."""
    enabled = os.environ.get("REBOOK_SCREENSHOTS") == "1"

    def take(page, name):
        if enabled:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    return take
