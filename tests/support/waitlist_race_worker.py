"""Spawn target for tests/slow/test_waitlist_race.py: one process opens a waitlist offer link
(for its CSRF token), waits at the barrier with the others, then confirms it: a real POST
through its own app and database connection. Kept apart from the test module so a spawned
child imports only this and the app."""
import time
import traceback

from tests.support.racing import BARRIER_TIMEOUT, CSRF_RE, child_app


def confirm_when_released(index, database_url, path, barrier, results):
    """Put {"index", "status", "body"} on `results` (status "error" and a traceback on failure;
    a child failing before the barrier breaks it so the others stop waiting)."""
    try:
        app = child_app(database_url,
                        LINK_RATE_LIMIT="1000 per minute")  # 20 of us share 127.0.0.1
        client = app.test_client()
        page = client.get(path)
        match = CSRF_RE.search(page.get_data(as_text=True))
        if page.status_code != 200 or match is None:
            raise AssertionError(f"the offer page answered {page.status_code}")
        barrier.wait(BARRIER_TIMEOUT)
        response = client.post(path, data={"csrf_token": match.group(1)})
        results.put({"index": index, "status": response.status_code,
                     "body": response.get_data(as_text=True), "answered": time.time()})
    except BaseException:
        barrier.abort()
        results.put({"index": index, "status": "error", "body": traceback.format_exc()})
