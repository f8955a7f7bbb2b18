"""Spawn target for the setup race in tests/slow/test_setup.py: one process, one browser, one form.

Kept apart from the test module so a spawned child imports only this and the app. Each child
builds its own production-mode app (its own database connection), loads /setup for a CSRF
token, waits at the barrier, then sends the form.
"""
import os
import traceback

from tests.support.racing import BARRIER_TIMEOUT, CSRF_RE


def setup_when_released(index, database_url, fields, barrier, results):
    try:
        os.environ["SECRET_KEY"] = "race-secret"  # never write instance/secret_key
        from portal import create_app
        app = create_app({"TESTING": True, "REBOOK_MODE": "production",
                          "DATABASE_URL": database_url, "SECRET_KEY": "race-secret",
                          "BASE_URL": "http://localhost"})
        client = app.test_client()
        page = client.get("/setup")
        if page.status_code != 200:
            raise AssertionError(f"/setup answered {page.status_code} before the race")
        token = CSRF_RE.search(page.get_data(as_text=True)).group(1)
        barrier.wait(BARRIER_TIMEOUT)
        response = client.post("/setup", data={**fields, "csrf_token": token})
        results.put({"index": index, "status": response.status_code,
                     "body": response.get_data(as_text=True)})
    except BaseException:
        barrier.abort()
        results.put({"index": index, "status": "error", "body": traceback.format_exc()})
