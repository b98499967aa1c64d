"""Background jobs on RQ. Jobs take ids, are safe to run twice, and go through `enqueue`.

With REDIS_URL the job waits in Redis for `flask --app bot worker` (any number, on any
machine); in the embedded default there is no worker, and the job runs at once, inline.
"""
import fakeredis
import redis
from flask import Flask, current_app
from rq import Queue, Retry, SimpleWorker
from rq.exceptions import DuplicateJobError
from rq.job import Job

from models import db

# Transient WeChat errors (system busy, quota) clear up within minutes.
DEFAULT_RETRY = Retry(max=3, interval=[10, 60, 300])


def init_app(app: Flask) -> None:
    url = app.config["REDIS_URL"]
    # RQ stores pickled jobs: it needs a connection that returns bytes.
    connection = redis.Redis.from_url(url) if url else fakeredis.FakeRedis()
    app.extensions["queues"] = {
        name: Queue(name, connection=connection, is_async=bool(url),
                    default_timeout=app.config["JOB_TIMEOUT"])
        for name in ("default", "push")
    }


def queue(name: str = "default") -> Queue:
    return current_app.extensions["queues"][name]


def enqueue(func, *args, queue_name: str = "default", retry: Retry | None = DEFAULT_RETRY,
            job_id: str | None = None, **kwargs) -> Job | None:
    """Run func(*args, **kwargs) in a worker.

    A job_id names the work: enqueueing it again while that job exists does nothing (None).
    """
    target = queue(queue_name)
    try:
        return target.enqueue(func, args=args, kwargs=kwargs, job_id=job_id,
                              unique=bool(job_id) and target.is_async,
                              retry=retry if target.is_async else None)
    except DuplicateJobError:
        return None


class AppWorker(SimpleWorker):
    """An RQ worker that runs each job in the app's context with a fresh database session.

    SimpleWorker runs jobs in this process: the app and the sorting knowledge load once, not
    once per job. When a worker dies mid-job (SIGKILL, a lost machine), its job's claim lapses
    HEARTBEAT_SLACK seconds after the job's timeout, and the next maintenance round of any live
    worker retries it (RQ retries abandoned jobs that have retries left): no operator needed.
    """

    HEARTBEAT_SLACK = 15
    app: Flask

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        # RQ allows 60 s past the timeout; the job runs here and is stopped at its timeout.
        if job.timeout and job.timeout > 0:
            return int(job.timeout) + self.HEARTBEAT_SLACK
        return super().get_heartbeat_ttl(job, working_time)

    def execute_job(self, job, queue):
        with self.app.app_context():
            try:
                return super().execute_job(job, queue)
            finally:
                db.session.remove()


def run_worker(app: Flask, queue_names: list[str], burst: bool = False) -> None:
    queues = [app.extensions["queues"][name] for name in queue_names]
    interval = app.config["WORKER_MAINTENANCE_INTERVAL"]
    # An idle worker waits for jobs at most worker_ttl - 15 s, then does its maintenance.
    worker = AppWorker(queues, connection=queues[0].connection, maintenance_interval=interval,
                       worker_ttl=interval + 15)
    worker.app = app
    worker.work(burst=burst, with_scheduler=True)
