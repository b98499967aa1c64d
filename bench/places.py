"""Where the benchmarks keep their data: a PostgreSQL database and a Redis db of their own.

Each run drops and re-creates its database and empties its Redis db, so these are named by the
environment, and a run can go beside tests or another run (each `make test` run claims a Redis
db of its own, see tests/conftest.py; 14 is the benchmarks' by default):

    BENCH_PG_ADMIN_URL   a database to connect to for DROP/CREATE (default the local `postgres`)
    BENCH_PG_DATABASE    the run's database (default wufei_bench; bench.fanout adds _fanout)
    BENCH_REDIS_URL      the run's Redis db (default redis://127.0.0.1:6379/14)
"""
import os
from urllib.parse import urlsplit

import psycopg
import redis
from psycopg import sql

DEFAULT_PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def pg_admin_url() -> str:
    return os.environ.get("BENCH_PG_ADMIN_URL") or DEFAULT_PG_ADMIN_URL


def pg_database(suffix: str = "") -> str:
    return (os.environ.get("BENCH_PG_DATABASE") or "wufei_bench") + suffix


def pg_url(suffix: str = "") -> str:
    return f"{pg_admin_url().rsplit('/', 1)[0]}/{pg_database(suffix)}"


def redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/14"


def port_of(url: str, default: int) -> int:
    return urlsplit(url).port or default


def via_port(url: str, port: int) -> str:
    """The same URL reached on another local port (a relay in front of the service)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)
    address = f"127.0.0.1:{port}"
    return parts._replace(netloc=f"{host[0]}@{address}" if len(host) == 2 else address).geturl()


def fresh_database(suffix: str = "") -> str:
    """Drop and create the run's database (nothing else); its URL."""
    name = pg_database(suffix)
    with psycopg.connect(pg_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return pg_url(suffix)


def fresh_redis() -> str:
    """Empty the run's Redis db (nothing else); its URL."""
    url = redis_url()
    redis.Redis.from_url(url).flushdb()
    return url
