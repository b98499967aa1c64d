"""What every benchmark that starts processes runs its main in, and where they keep data.

    with guarded(database="wufei_bench_x"):
        ...

However it ends (done, an exception, Ctrl-C, SIGTERM): the processes it started (tests/processes.py)
are stopped, its database is dropped and its Redis db emptied. If it finished (not interrupted)
with one of its processes still alive, it says which and exits 1: a benchmark that leaves a worker
behind fails. (tests/processes.py also stops them at exit, should anything skip this.)

PostgreSQL and Redis are this machine's unless BENCH_PG_ADMIN_URL and BENCH_REDIS_URL say otherwise
(a test that runs a benchmark points them at its own).
"""
import os
import signal
import sys
from contextlib import contextmanager

import psycopg
import redis

from tests import processes

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")  # tests leave db 14 alone


def database_url(name: str) -> str:
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def create_database(name: str) -> None:
    """A new, empty database `name` (dropping any a previous run left), and an empty Redis db."""
    drop_database(name)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    """Drop database `name` (closing its connections) and empty the benchmarks' Redis db."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    redis.Redis.from_url(REDIS_URL).flushdb()


class Interrupted(BaseException):
    """SIGINT or SIGTERM, raised in the main thread so every `finally` on the way out runs."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _interrupt(signum, frame):
    _ignore_interrupts()  # once: a second Ctrl-C must not cut the cleanup short
    raise Interrupted(signum)


def _ignore_interrupts():
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, signal.SIG_IGN)


@contextmanager
def guarded(database: str | None = None):
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, _interrupt)
    status = 0
    try:
        yield
    except Interrupted as interrupted:
        print(f"\ninterrupted ({interrupted}): stopping what this benchmark started", file=sys.stderr)
        status = 128 + interrupted.signum  # what a shell reports for a process killed by it
    finally:
        _ignore_interrupts()
        running = processes.stop_all()
        if database:
            drop_database(database)
        # Cut short, it is the guard's job to stop what was running; done, the benchmark's own.
        if running and not status:
            print("processes left behind (stopped now):", file=sys.stderr)
            for leftover in running:
                print(f"  {leftover.pid}: {leftover.command}", file=sys.stderr)
            status = 1
    if status:
        sys.exit(status)
