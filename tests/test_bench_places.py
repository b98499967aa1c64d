"""The benchmarks touch only the database and the Redis db the environment names."""
import subprocess

import psycopg
import redis


class Recorder:
    """Stands in for PostgreSQL, Redis and subprocesses: what a bench run would have done."""

    def __init__(self):
        self.statements, self.flushed, self.commands = [], [], []

    def connect(self, url, **kwargs):
        recorder = self

        class Connection:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def execute(self, query, *args):
                text = query.as_string(None) if hasattr(query, "as_string") else str(query)
                recorder.statements.append(text)

        return Connection()

    def redis_from_url(self, url, **kwargs):
        recorder = self

        class Client:
            def flushdb(self):
                recorder.flushed.append(url)

        return Client()


def test_a_bench_run_uses_the_database_and_redis_db_the_environment_names(monkeypatch, tmp_path):
    from bench import places
    from bench.webhook import app_environment

    recorder = Recorder()
    monkeypatch.setattr(psycopg, "connect", recorder.connect)
    monkeypatch.setattr(redis.Redis, "from_url", recorder.redis_from_url)
    monkeypatch.setattr(subprocess, "run", lambda command, **kwargs: recorder.commands.append(command))
    monkeypatch.setenv("BENCH_PG_DATABASE", "wufei_bench_run_7")
    monkeypatch.setenv("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    env = app_environment("postgres", tmp_path)
    assert env["DATABASE_URL"] == "postgresql://postgres@127.0.0.1:5432/wufei_bench_run_7"
    assert env["REDIS_URL"] == "redis://127.0.0.1:6379/9"
    assert recorder.flushed == ["redis://127.0.0.1:6379/9"]
    assert all("wufei_bench_run_7" in statement for statement in recorder.statements)
    assert len(recorder.statements) == 2  # DROP and CREATE of that database only
    # bench.faults reaches the same two through its relays.
    assert places.via_port(env["DATABASE_URL"], 40001) == "postgresql://postgres@127.0.0.1:40001/wufei_bench_run_7"
    assert places.via_port(env["REDIS_URL"], 40002) == "redis://127.0.0.1:40002/9"
