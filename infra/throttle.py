"""WeChat's 60 mass-send calls a minute, counted for every worker on every machine in Redis."""
import time
import uuid

import redis

from infra import state

KEY = "push:mass-calls"


def take_mass_slot(per_minute: int, now: float | None = None) -> float:
    """0 when a mass call may go now (and counts it), else the seconds to wait for a slot."""
    store = state.store()
    for _ in range(20):  # optimistic: another worker changed the window meanwhile, try again
        now = time.time() if now is None else now
        with store.pipeline() as pipe:
            try:
                pipe.watch(KEY)
                calls = [score for _, score in pipe.zrange(KEY, 0, -1, withscores=True)
                         if score > now - 60]
                if len(calls) >= per_minute:
                    return max(calls[-per_minute] + 60 - now, 0.01)
                pipe.multi()
                pipe.zremrangebyscore(KEY, 0, now - 60)
                pipe.zadd(KEY, {f"{now}:{uuid.uuid4().hex[:8]}": now})
                pipe.expire(KEY, 120)
                pipe.execute()
                return 0.0
            except redis.WatchError:
                now = None
                continue
    return 1.0
