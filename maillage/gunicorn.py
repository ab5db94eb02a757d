"""gunicorn's settings for Maillage: `gunicorn -c python:maillage.gunicorn maillage.wsgi`.

The bind address is given on the command line (`--bind 127.0.0.1:8000`, behind the reverse
proxy); everything else has a production default here. docs/operations.md explains each value.
"""

import multiprocessing
import os

# Sync workers: Maillage's requests are short and CPU-bound (templates, the in-memory search
# index), so one process per request in flight, about two per core. WEB_CONCURRENCY is the
# usual variable of platforms that run gunicorn.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# Load the application once before forking: workers start at once and share its memory.
preload_app = True
# The slowest legitimate request is the PDF report (a few seconds); a worker stuck for longer
# is killed and replaced. Long work runs in the background worker, not here.
timeout = 60
graceful_timeout = 30
# Recycle workers now and then so that memory stays bounded whatever happens.
max_requests = 5000
max_requests_jitter = 500
# The request queue of the listening socket: bursts wait here instead of being refused.
backlog = 2048
# Logs on standard output/error, kept by the process supervisor (systemd's journal).
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'
# The reverse proxy on this machine says which requests came over HTTPS.
forwarded_allow_ips = "127.0.0.1,::1"
