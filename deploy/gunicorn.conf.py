"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py rainbow_portal.wsgi`.

Every value can be set from the environment (docs/deploy.md lists them). Threaded workers, one
process per core with a few threads each: a request spends part of its time waiting on
PostgreSQL and Redis, and another thread runs meanwhile; nginx keeps its upstream connections
open, which the threaded worker honours and the sync one does not (it closes every connection
after its answer). Measured through bench/http.py, the same code served `/api/v1/me/` and the
directory search 40-75 % faster this way than with sync workers (docs/performance.md,
2026-12-04). nginx buffers slow clients' bodies and answers, so no thread waits on a slow
network.
"""

import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count())
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
# With threads, gunicorn kills a worker whose main loop stops answering, not a slow request:
# a request stuck on a dead peer holds one thread, and nginx answers its client with 504
# after proxy_read_timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)
keepalive = 75  # nginx keeps up to 16 upstream connections open per worker (upstream keepalive)
# A worker is replaced after this many requests (jittered), bounding any slow leak.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 10000)
max_requests_jitter = max_requests // 10
# Header limits (request bodies are limited by nginx and by UPLOAD_MAX_BYTES).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 16380

# X-Forwarded-* are judged by Django (TrustedProxyMiddleware, TRUSTED_PROXIES) and by nothing
# else: gunicorn itself would believe X-Forwarded-Proto from 127.0.0.1 by default, so a local
# client could claim HTTPS. No peer is trusted here and no header maps to the scheme.
forwarded_allow_ips = ""
secure_scheme_headers = {}
proxy_allow_ips = ""

# Logs: gunicorn's errors to stderr (journald); no gunicorn access log — Django writes one line
# per request with the route pattern only (ACCESS_LOG, rainbow_portal.metrics), never the
# client's address or the query string.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
if os.environ.get("LOG_FORMAT", "json") == "json":
    # gunicorn's own lines (boot, worker exits, timeouts) as JSON too, through the same
    # redacting filter as the portal's (rainbow_portal/logjson.py).
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "rainbow_portal.logjson.JsonFormatter"}},
        "filters": {"redact": {"()": "rainbow_portal.logjson.RedactPersonalData"}},
        "handlers": {
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "filters": ["redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": ["error_console"]},
        "loggers": {
            "gunicorn.error": {
                "level": loglevel.upper(),
                "handlers": ["error_console"],
                "propagate": False,
            }
        },
    }

# gunicorn 27's control socket (`gunicornc`) defaults to ~/.gunicorn/gunicorn.ctl, one path
# for every gunicorn of the user: off (reload and stop go through signals and systemd).
control_socket_disable = True

# Prometheus multiprocess mode: each worker writes its samples to files here, /metrics adds
# them up. Emptied when the server starts; a dead worker's live gauges are dropped.
_var = Path(os.environ.get("PORTAL_VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(_var / "prometheus-multiproc"))


def on_starting(server):
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, mode=0o700)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
