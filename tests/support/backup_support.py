"""Child processes for tests/slow/test_backup.py: a writer that keeps writing to a SQLite database,
and a browser that logs in (or comes back with a saved cookie) through the app the
environment describes. Run as `python -m tests.support.backup_support write|login|visit ...`."""
import re
import sqlite3
import sys
import time

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def write(db_path):
    """Append one audit event per commit, numbered from 1, until killed; 'ready' after the
    first. Any error ends the process with a non-zero code (the test checks it is alive)."""
    conn = sqlite3.connect(db_path, timeout=15, isolation_level=None)
    n = 0
    while True:
        n += 1
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO audit_event (subject_type, subject_id, action, actor_kind, actor_label,"
            " channel, before, after, note, created_at) VALUES ('settings', 0, 'writer',"
            " 'system', 'writer', 'system', '{}', '{}', ?, datetime('now'))", (str(n),))
        conn.execute("COMMIT")
        if n == 1:
            print("ready", flush=True)
        time.sleep(0.001)


def _app():
    from portal import create_app
    return create_app({"TESTING": True})


def login(email):
    client = _app().test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": email, "password": "demo",
                                           "csrf_token": token})
    assert response.status_code == 302, response.status_code
    print(client.get_cookie("session").value)


def visit(cookie, path):
    client = _app().test_client()
    client.set_cookie("session", cookie)
    response = client.get(path)
    print(response.status_code, response.headers.get("Location", ""))
    print(response.get_data(as_text=True))


if __name__ == "__main__":
    {"write": write, "login": login, "visit": visit}[sys.argv[1]](*sys.argv[2:])
