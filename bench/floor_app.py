"""Rebook's app with two extra routes. /bench/floor: a hello that runs every hook the app has
(connection, setup check, input guard, request log, session cookie, security headers) and
nothing of a page's own; what it costs beyond bare Flask is the floor every page stands on.
POST /bench/floor/post: the same for a customer's form POST (the CSRF check, the person, the
form read, a flash message, the cookie written again, a redirect), with nothing of a cancel's.

Served by bench/pages.py as `gunicorn bench.floor_app:app`; never part of the product.

`python -m bench.floor_app [--postgres]` measures the floor in-process beside a bare five-line
Flask app: each app called as WSGI with a prepared environ (no test client, so nothing but the
apps is counted), anonymous and with a logged-in customer's session cookie (the cookie
verified, the person loaded, as every real page pays). Python calls per request (cProfile) and
CPU ms per request over ROUNDS rounds of RUNS requests, the routes alternating.
"""
import sys

if __name__ != "__main__":  # gunicorn's app; the benchmark below builds its own
    from portal import create_app

    app = create_app()

    @app.get("/bench/floor")
    def floor():
        return "Hello"

    @app.post("/bench/floor/post")
    def floor_post():
        """What a customer's POST pays before its own work: the CSRF check, the person, the
        form, a flash message and the session cookie written again (bench/cancel_served.py)."""
        from flask import abort, flash, redirect, request
        from flask_login import current_user
        if not current_user.is_authenticated or request.form.get("version") != "1":
            abort(400)
        flash("Your booking is cancelled. We've emailed you a confirmation.", "success")
        return redirect("/bookings")

ROUNDS = 5
RUNS = 10_000


def _wsgi_call(app, path, cookie=None):
    """A function calling `app` for GET `path` as a WSGI server would, its environ built once
    (the test client's address and User-Agent: those the login session was started with)."""
    from werkzeug.test import EnvironBuilder
    headers = {"Cookie": cookie} if cookie else {}
    prepared = EnvironBuilder(path=path, headers=headers, environ_base={
        "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "Werkzeug/bench"}).get_environ()
    body = prepared.pop("wsgi.input")

    def start_response(status, headers, exc_info=None):
        pass

    def call():
        environ = dict(prepared)
        environ["wsgi.input"] = body
        result = app(environ, start_response)
        for _ in result:
            pass
        if hasattr(result, "close"):
            result.close()
    return call


def _calls(call, runs=50):
    import cProfile
    import pstats
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        call()
    profile.disable()
    return pstats.Stats(profile).total_calls / runs


def _cpu_ms(call, runs):
    import time
    start = time.process_time()
    for _ in range(runs):
        call()
    return (time.process_time() - start) * 1000 / runs


def main(postgres=False, rounds=ROUNDS, runs=RUNS):
    import logging
    import statistics

    from flask import Flask
    from flask_login import current_user

    from bench.common import demo_app
    logging.getLogger("rebook.request").setLevel(logging.WARNING)  # a line per request
    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "Hello")
    with demo_app(postgres, "floor") as app:
        app.add_url_rule("/bench/floor", "bench_floor", lambda: "Hello")
        # what every logged-in page does first: ask who is logged in (the person loaded)
        app.add_url_rule("/bench/floor/person", "bench_person",
                         lambda: "Hello" if current_user.is_authenticated else "Who?")
        client = app.test_client()
        client.environ_base["HTTP_USER_AGENT"] = "Werkzeug/bench"
        client.post("/login", data={"email": "customer@example.com", "password": "demo"})
        cookie = client.get_cookie("session")
        routes = {"bare": _wsgi_call(bare, "/"),
                  "floor": _wsgi_call(app, "/bench/floor"),
                  "floor, logged in": _wsgi_call(app, "/bench/floor/person",
                                                 f"session={cookie.value}")}
        for call in routes.values():
            call()  # warm-up: first-request work done, lookups kept
        calls = {name: _calls(call) for name, call in routes.items()}
        cpu = {name: [] for name in routes}
        for _ in range(rounds):
            for name, call in routes.items():
                cpu[name].append(_cpu_ms(call, runs))
    name = "PostgreSQL (the server's own CPU not counted)" if postgres else "SQLite"
    print(f"{name}: Python calls per request; CPU ms per request, median of {rounds} rounds "
          f"of {runs:,} (range), x the bare route")
    base = statistics.median(cpu["bare"])
    for label, values in cpu.items():
        mid = statistics.median(values)
        print(f"  {label:<18} {calls[label]:5.0f} calls  {mid:.4f} ms "
              f"({min(values):.4f}-{max(values):.4f})  {mid / base:.2f}x")


if __name__ == "__main__":
    main(postgres="--postgres" in sys.argv,
         runs=int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else RUNS)
