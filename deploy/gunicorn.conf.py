"""gunicorn settings for Rebook: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

Used by `make run` (through `flask --app wsgi serve`) and by deploy/rebook-web.service. Every
value can be changed from the environment (or the .env / rebook.env file) without editing this.
"""
import os
from pathlib import Path

from dotenv import load_dotenv

# The project's .env, as the app reads it (portal/kernel/config.py): real environment variables win.
load_dotenv(Path(__file__).resolve().parent.parent / ".env", override=False)

# Loopback only: in production nginx (deploy/nginx-rebook.conf) is the one facing the network.
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '5000')}")

# Sync workers, one request at a time each. Two suit a small business on a small VPS; raise
# WEB_CONCURRENCY with the cores (about 2 per core). Each worker keeps its own PostgreSQL pool
# (DATABASE_POOL_SIZE), so workers x pool size must stay under the server's max_connections.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "sync"
# Each worker imports the app itself (no preload), so no database connection crosses a fork.
preload_app = False

# A request running longer than this is killed and its worker replaced; a graceful stop
# (SIGTERM, systemctl stop) lets requests in flight finish for up to graceful_timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then (staggered) so slow leaks never build up.
max_requests = 2000
max_requests_jitter = 200
limit_request_line = 8190

# No access log: gunicorn's would write the full path, and signed links carry their token in
# it. The app writes one line per request itself, with the route pattern instead
# (portal/web/app/request_log.py). Errors and worker events still go to stderr (the journal).
accesslog = None
errorlog = "-"
# Never debug: gunicorn's debug lines include each request's path, tokens and all. LOG_LEVEL=DEBUG
# still applies to the app's own loggers.
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if loglevel == "debug":
    loglevel = "info"

# Behind nginx on the same machine: trust its X-Forwarded-Proto (https) from loopback only.
forwarded_allow_ips = "127.0.0.1,::1"
# The heartbeat file in RAM: a disk under load never makes gunicorn think a worker hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# gunicorn 27's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl), which
# two instances on one machine (web + a benchmark, tests) would fight over; we do not use it.
control_socket_disable = True
proc_name = "rebook"
