"""gunicorn settings for the web process (see README: Deployment)."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# Threads: a webhook call mostly waits on PostgreSQL and Redis; 2-4 workers per core.
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
# WeChat gives up after 5 s, so a request that takes 30 s is a bug; kill the worker.
timeout = 30
graceful_timeout = 20
# Load the app and the sorting knowledge once in the master: workers share it copy-on-write
# and answer their first question as fast as their thousandth.
preload_app = True
raw_env = ["WARM_UP=0"]  # when_ready below loads it, synchronously, in the master
accesslog = "-" if os.environ.get("ACCESS_LOG") else None
# The path without its query string: WeChat puts the sender's openid there.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms %({x-request-id}o)s'


def when_ready(server):
    import gc

    from bot import warm_up

    warm_up()  # the sorting engine, the intent classifier, the pinyin table, the chat routes
    # What the master holds now lives as long as it does: out of the collector's sight, so that
    # a collection in a worker does not write to (and so copy) every page the workers share.
    gc.freeze()


def child_exit(server, worker):
    # Prometheus multi-process mode: a dead worker's live gauges must not linger.
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
