"""Background jobs on RQ. Jobs take ids, are safe to run twice, and go through `enqueue`.

With REDIS_URL the job waits in Redis for `flask --app bot worker` (any number, on any
machine); in the embedded default there is no worker, and the job runs at once, inline.
`enqueue_after_commit` queues a job only once the caller's transaction has committed, so a job
never runs on data that was rolled back, nor before it is visible.
"""
import logging
import threading

import redis
from flask import Flask, current_app
from rq import Queue, Retry, SimpleWorker
from rq.exceptions import DuplicateJobError
from rq.job import Job
from rq.utils import import_attribute
from sqlalchemy import event

from models import db

# Transient WeChat errors (system busy, quota) clear up within minutes.
DEFAULT_RETRY = Retry(max=3, interval=[10, 60, 300])

# RQ stores a job's function as a dotted path, and reminders and scheduled pushes wait in Redis
# for days: jobs queued before the code moved name these old paths. `flask --app bot old-jobs`
# counts those still waiting; once it says 0 an entry can go.
MOVED = {
    "bot.delivery.send_late_answer": "bot.webhook.late.send_late_answer",
    "handlers.volunteers.send_review_notice": "handlers.volunteers.records.send_review_notice",
    "handlers.activities.cancellation.send_notice":
        "handlers.schools.activities.cancellation.send_notice",
    "handlers.reminders.send_reminders": "handlers.schools.reminders.send_reminders",
    "handlers.reminders.send_reminder": "handlers.schools.reminders.send_reminder",
    "handlers.reminders.send_promotion_notice": "handlers.schools.reminders.send_promotion_notice",
    "handlers.push.deliver.prepare": "handlers.campaigns.push.deliver.prepare",
    "handlers.push.deliver.deliver_batch": "handlers.campaigns.push.deliver.deliver_batch",
}


def job_name(func) -> str:
    """What RQ stores and logs as a job's description: the function, never its arguments.

    RQ's default description is the whole call, and job arguments carry openids, names, phone
    numbers and what residents typed; the worker would log them with every job.
    """
    return f"{func.__module__}.{func.__qualname__}"


class NoJobArguments(logging.Filter):
    """Drops the arguments RQ's worker attaches to a failed job's log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name in ("arguments", "kwargs"):
            record.__dict__.pop(name, None)
        return True


logging.getLogger("rq.worker").addFilter(NoJobArguments())


class AppJob(Job):
    """An RQ job whose function is looked up at its current path, if it has moved."""

    def restore(self, raw_data) -> None:
        super().restore(raw_data)
        # Jobs queued before descriptions were set by `enqueue` still hold the whole call.
        if self.description and "(" in self.description:
            try:
                self.description = self.func_name
            except Exception:  # unreadable job data: RQ reports it when the job runs
                self.description = self.id

    @property
    def func(self):
        if self.func_name in MOVED and not self.instance:
            return import_attribute(MOVED[self.func_name])
        return super().func


def embedded_connection() -> redis.Redis:
    import fakeredis  # the embedded default only: a process with Redis never loads it

    return fakeredis.FakeRedis()


def init_app(app: Flask) -> None:
    url = app.config["REDIS_URL"]
    # RQ stores pickled jobs: it needs a connection that returns bytes.
    connection = redis.Redis.from_url(url) if url else embedded_connection()
    app.extensions["queues"] = {
        name: Queue(name, connection=connection, is_async=bool(url), job_class=AppJob,
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
                              description=job_name(func),
                              unique=bool(job_id) and target.is_async,
                              retry=retry if target.is_async else None)
    except DuplicateJobError:
        return None


def enqueue_after_commit(func, *args, **kwargs) -> None:
    """`enqueue`, once the current transaction commits (nothing if it is rolled back)."""
    app = current_app._get_current_object()

    done = False

    def after_commit(session) -> None:
        # SQLAlchemy also calls after_commit when a SAVEPOINT is released (begin_nested, as the
        # webhook's log row does): the outer transaction, and the caller's rows, are not committed
        # yet. (A listener cannot be removed while SQLAlchemy calls it: a flag, not once=True.)
        nonlocal done
        if done or session.in_nested_transaction():
            return
        done = True
        if queue(kwargs.get("queue_name", "default")).is_async:
            enqueue(func, *args, **kwargs)
            return
        # Inline, the job would run inside the committing session, which may emit no more SQL:
        # it runs at once in a thread of its own, with a session of its own.
        def run() -> None:
            with app.app_context():
                enqueue(func, *args, **kwargs)

        worker = threading.Thread(target=run, name="inline-job")
        worker.start()
        worker.join()

    event.listen(db.session(), "after_commit", after_commit)


def waiting_on_old_paths() -> dict[str, int]:
    """Jobs queued, scheduled or failed whose function still names a path in MOVED."""
    found: dict[str, int] = {}
    for target in current_app.extensions["queues"].values():
        ids = set(target.job_ids) | set(target.scheduled_job_registry.get_job_ids())
        ids |= set(target.failed_job_registry.get_job_ids())
        for job in AppJob.fetch_many(list(ids), connection=target.connection):
            if job is not None and job.func_name in MOVED:
                found[job.func_name] = found.get(job.func_name, 0) + 1
    return found


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
    worker = AppWorker(queues, connection=queues[0].connection, job_class=AppJob, maintenance_interval=interval,
                       worker_ttl=interval + 15)
    worker.app = app
    worker.work(burst=burst, with_scheduler=True)
