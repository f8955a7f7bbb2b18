"""The customer's booking page under gunicorn beside what it costs at least: a bare Flask hello,
the same page by hand (bench/by_hand.py: a bare Flask app that sends the database the statements
Rebook's page sent, captured when the data is made, and answers the HTML Rebook answered), the
same with the stack's own parts (Flask's session cookie, Flask-Login, a CSRF token for the
page's forms), and Rebook's floor and page; with BENCH_OLD (a `git worktree add` of the commit
to compare against, with static/vendor and the compiled catalogues copied in) an old tree's
floor and page too. The same gunicorn config (2 sync workers) and database for all; rounds
rotate through the routes.

    .venv/bin/python -m bench.side_by_side     (BENCH_KINDS=sqlite,postgres; BENCH_OLD=<tree>)

BENCH_STAFF=1 adds the admin's booking page and the fieldworker's job page for the same booking
(the demo's fieldworker, Fran, has the demo customer's next booking).

Per route: CPU ms per request of the workers (plus PostgreSQL's own processes), its range and
median over BENCH_ROUNDS rounds (default 5) and each round's ratio to the bare hello measured in
the same round; and the workers' voluntary context switches per request (each wait for the
database's answer is one; steadier than CPU on a shared machine). Every tree runs from this
checkout's virtualenv; gunicorn imports each tree's own code from its directory.
"""
import os
import re
import shutil
import statistics
import tempfile
from pathlib import Path

import bench.pages as pages
from bench.cancel_served import compared_trees
from bench.by_hand import capture_page, stack_session
from bench.serve import HELLO, ROOT, _log_in, _worker_pids, each_database, served_env

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
STAFF = os.environ.get("BENCH_STAFF") == "1"


def _switches(pids):
    total = 0
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        total += int(re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status, re.M).group(1))
    return total


def _measure(server, port, path, cookie, pg_dir):
    pids = _worker_pids(server.pid)
    pages._load(port, path, cookie, 1)  # warm-up
    before = _switches(pids)
    served = _served(port, path, cookie, pg_dir, server)
    return served, (_switches(pids) - before) / served[2]


def _served(port, path, cookie, pg_dir, server):
    """(app ms, database ms, requests) of one measured load."""
    pids = _worker_pids(server.pid)
    db_pids = pages._postgres_pids(pg_dir) if pg_dir else []
    cpu, db = pages._cpu_ticks(pids), pages._cpu_ticks(db_pids)
    done, bad = pages._load(port, path, cookie, pages.SECONDS)
    if bad:
        raise RuntimeError(f"{path}: {'; '.join(bad)}")
    db_after = pages._cpu_ticks(pages._postgres_pids(pg_dir)) if pg_dir else {}
    return (pages._cpu_ms(cpu, pages._cpu_ticks(pids)) / done,
            pages._cpu_ms(db, db_after) / done, done)


def _run(url, env, ref, pg_dir, hello_dir, trees):
    kept = hello_dir / "hand_page.pickle"
    _capture(url, ref, kept)
    page = {"HAND_PAGE": str(kept)}
    with pages.served_trees(url, env, hello_dir, trees, extra={
            "hand": ("bench.by_hand:app", str(ROOT), page),
            "stack": ("bench.by_hand:app", str(ROOT), dict(page, HAND_STACK="1"))}) as servers:
        routes = {"bare Flask hello": ("bare", "/", ""),
                  "booking page, by hand": ("hand", f"/bookings/{ref}", ""),
                  "by hand, with the stack": ("stack", f"/bookings/{ref}",
                                              stack_session(servers["stack"][1])[0])}
        for name in trees:
            cookie = _log_in(servers[name][1], "customer@example.com")
            routes[f"floor, {name}"] = (name, "/bench/floor", cookie)
            routes[f"GET /bookings/<ref>, {name}"] = (name, f"/bookings/{ref}", cookie)
            if STAFF:
                admin = _log_in(servers[name][1], "admin@example.com")
                fieldworker = _log_in(servers[name][1], "fieldworker@example.com")
                routes[f"admin booking page, {name}"] = (name, f"/admin/bookings/{ref}", admin)
                routes[f"fieldworker job page, {name}"] = (name, f"/fieldworker/jobs/{ref}",
                                                           fieldworker)
        samples = {route: [] for route in routes}
        for route in pages.rotation(list(routes), ROUNDS):
            name, path, cookie = routes[route]
            server, port = servers[name]
            samples[route].append(_measure(server, port, path, cookie,
                                           None if name == "bare" else pg_dir))
        return samples


def _capture(url, ref, path):
    """The booking page's statements and HTML, for bench.by_hand's HAND_PAGE."""
    from portal import create_app
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    capture_page(app, ref, path)


def _print(kind, samples):
    bare = [app + db for (app, db, _), _ in samples["bare Flask hello"]]
    print(f"\n{kind} demo, {ROUNDS} rounds of {pages.SECONDS:g} s (load {os.getloadavg()[0]:.1f})")
    for route, runs in samples.items():
        totals = [app + db for (app, db, _), _ in runs]
        dbs = [db for (_, db, _), _ in runs]
        ratios = " ".join(f"{t / b:.1f}" for t, b in zip(totals, bare))
        db_text = f" (PostgreSQL {statistics.median(dbs):.2f})" if any(dbs) else ""
        print(f"  {route:34} {min(totals):.2f}-{max(totals):.2f} ms, median "
              f"{statistics.median(totals):.2f}{db_text}; x bare by round: {ratios}; "
              f"{statistics.median(s for _, s in runs):.2f} waits/request")


def main():
    trees = compared_trees()
    env = served_env()
    tmp = Path(tempfile.mkdtemp(prefix="rebook-side-by-side-"))
    (tmp / "hello.py").write_text(HELLO)
    try:
        for kind, url, pg_dir in each_database(tmp):
            _print(kind, _run(url, env, pages._seed_demo(url), pg_dir, tmp, trees))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
