"""Gunicorn settings for `make serve` (production: DEBUG off, PostgreSQL).

BIND             address to listen on (default 127.0.0.1:8000; a proxy in front terminates TLS)
WEB_CONCURRENCY  worker processes (default 2 × CPU cores + 1, at most 8: a справка PDF holds a worker
                 for several seconds, and each worker keeps matplotlib and WeasyPrint in memory)
GUNICORN_TIMEOUT seconds a request may take before its worker is restarted (default 120: large imports)
FORWARDED_ALLOW_IPS  read by gunicorn itself: proxies whose X-Forwarded-* headers are trusted
"""

import multiprocessing
import os

wsgi_app = "talentbank.wsgi:application"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 120)
graceful_timeout = 30
# Restart workers now and then, so that memory a long PDF or import took comes back.
max_requests = 1000
max_requests_jitter = 100
# No control socket: it is a file in the home directory, and nothing here uses `gunicornc`.
control_socket_disable = True
accesslog = "-"  # access log to stdout
errorlog = "-"  # errors and start-up to stderr
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(L)ss'  # default + seconds taken
