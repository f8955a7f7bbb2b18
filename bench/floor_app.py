"""Rebook's app with one extra route, /bench/floor: a hello that runs every hook the app has
(connection, setup check, input guard, request log, session cookie, security headers) and
nothing of a page's own. What it costs beyond bare Flask is the floor every page stands on.

Served by bench/pages.py as `gunicorn bench.floor_app:app`; never part of the product.
"""
from portal import create_app

app = create_app()


@app.get("/bench/floor")
def floor():
    return "Hello"
