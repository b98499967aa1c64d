"""This test run's own PostgreSQL database and Redis db: several runs can share one machine.

Not in tests/conftest.py: pytest imports that as `conftest`, so a test's `from tests.conftest
import …` runs it a second time, which claimed a second Redis db that nothing released or emptied.
A module of its own runs once; conftest's release_redis_db lets go of the one claim.
"""
import os

import redis

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DATABASE = os.environ.get("TEST_PG_DATABASE", f"wufei_test_{os.getpid()}")
REDIS_CLAIM = "wufei:test-run:db{}"


def claim_redis_db() -> str:
    if "TEST_REDIS_URL" in os.environ:
        return os.environ["TEST_REDIS_URL"]
    claims = redis.Redis(host="127.0.0.1", port=6379, db=0)
    for index in (15, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1):  # 14: the benchmarks'
        key, me = REDIS_CLAIM.format(index), str(os.getpid()).encode()
        if claims.set(key, me, nx=True, ex=3 * 3600):
            return f"redis://127.0.0.1:6379/{index}"
        holder = claims.get(key)
        # A run that died without letting go: take its db over, unless another run just did.
        if holder and not process_alive(int(holder)):
            if claims.set(key, me, ex=3 * 3600, get=True) == holder:
                return f"redis://127.0.0.1:6379/{index}"
    raise RuntimeError("every Redis db is claimed by a running test run")


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


REDIS_URL = claim_redis_db()
