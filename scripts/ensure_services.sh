#!/usr/bin/env bash
# Make sure Redis and PostgreSQL answer on 127.0.0.1, starting the local ones if they are
# installed but not running. Installs nothing: on a machine without them, say so and fail.
set -euo pipefail

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; }
postgres_up() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

if ! redis_up && command -v redis-server >/dev/null; then
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/wufei-redis.log
fi
if ! postgres_up && command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
fi
for _ in $(seq 1 30); do
  redis_up && postgres_up && exit 0
  sleep 1
done
redis_up || echo "Redis is not reachable on 127.0.0.1:6379" >&2
postgres_up || echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2
exit 1
