"""Fan-out benchmark: one push to 100,000 residents across a district's streets, through the
fake WeChat API, delivered by 1 and then 2 RQ worker processes; then a run where one of two
workers is SIGKILLed in the middle and the push is resumed.

    .venv/bin/python -m bench.fanout [--residents 100000] [--kill-at 0.4]

The residents of 南关区's 14 streets are a realistic mix: 5 % wrote in the last 48 h
(customer-service message), 15 % accepted template messages, the rest go by openid-list mass
send (10,000 a call). Reported per run: time to prepare (recipients resolved and written) and
to deliver, deliveries per second end to end, peak RSS (VmHWM) of every worker process and of
this process (which also hosts the fake WeChat API), and what the fake saw: duplicates (a
resident reached twice) and missing (a targeted resident never reached) — both must be 0.
PostgreSQL database wufei_bench_fanout and Redis db 14 on this machine (or BENCH_PG_DATABASE + "_fanout" and
BENCH_REDIS_URL, see bench/places.py); not run in CI.
"""
import argparse
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import psycopg
import redis

from bench import places

ROOT = Path(__file__).resolve().parent.parent
# The run's own database and Redis db, named by the environment (bench/places.py).
PG_URL = places.pg_url("_fanout")
REDIS_URL = places.redis_url()
DISTRICT = "220102"


def environment(base_url: str) -> dict:
    return {**os.environ, "DATABASE_URL": PG_URL, "REDIS_URL": REDIS_URL,
            "WECHAT_API_BASE_URL": base_url, "WARM_UP": "0", "LOG_JSON": "0", "LOG_LEVEL": "WARNING",
            "SECRET_KEY": "bench-fanout", "PUSH_LOCK_TTL": "5"}


def flask(*args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "bot", *args]


def prepare_database(env: dict, residents: int) -> list[str]:
    places.fresh_database("_fanout")
    places.fresh_redis()
    for command in (flask("migrate"), flask("import-regions")):
        subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
    with psycopg.connect(PG_URL) as conn:
        streets = [row[0] for row in conn.execute(
            "SELECT code FROM region WHERE parent_code = %s AND level = 3 ORDER BY code", (DISTRICT,))]
        buffer = io.StringIO()
        for n in range(residents):
            kind = "c" if n % 20 == 0 else ("t" if n % 20 < 4 else "m")  # 5 % / 15 % / 80 %
            buffer.write(f"o-{kind}-{n:06d}\t{streets[n % len(streets)]}\t{kind}\n")
        conn.execute("CREATE TEMP TABLE seed (openid text, region_code text, kind text)")
        with conn.cursor().copy("COPY seed FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        conn.execute("""INSERT INTO resident (openid, subscribed, first_seen_at, last_message_at, region_code)
                        SELECT openid, true, now() - interval '30 days',
                               CASE WHEN kind = 'c' THEN now() AT TIME ZONE 'UTC' - interval '1 hour'
                                    ELSE now() AT TIME ZONE 'UTC' - interval '10 days' END, region_code
                        FROM seed""")
        conn.execute("""INSERT INTO message_opt_in (resident_id, kind, remaining, granted_at)
                        SELECT id, 'template', 1, now() FROM resident WHERE openid LIKE 'o-t-%'""")
    return streets


def clear_pushes() -> None:
    with psycopg.connect(PG_URL) as conn:
        conn.execute("TRUNCATE link_click, delivery, push_batch, push RESTART IDENTITY CASCADE")
    redis.Redis.from_url(REDIS_URL).flushdb()


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        pass
    return float("nan")


def start_workers(env: dict, n: int) -> list[subprocess.Popen]:
    return [subprocess.Popen(flask("worker"), cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for _ in range(n)]


def wait_until_listening(n: int) -> None:
    from rq import Worker

    connection = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + 60
    while len(Worker.all(connection=connection)) < n and time.monotonic() < deadline:
        time.sleep(0.1)


def stop(workers: list[subprocess.Popen]) -> list[float]:
    peaks = [peak_rss_mb(w.pid) for w in workers]
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    return peaks


def push_status(push_id: int) -> tuple[str, int, int]:
    with psycopg.connect(PG_URL) as conn:
        status = conn.execute("SELECT status FROM push WHERE id = %s", (push_id,)).fetchone()[0]
        done, total = conn.execute(
            "SELECT count(*) FILTER (WHERE status <> 'pending'), count(*) FROM delivery WHERE push_id = %s",
            (push_id,)).fetchone()
    return status, done, total


def outcome(push_id: int) -> dict:
    with psycopg.connect(PG_URL) as conn:
        return dict(conn.execute("SELECT status, count(*) FROM delivery WHERE push_id = %s GROUP BY status",
                                 (push_id,)).fetchall())


def new_push(app, streets: list[str]) -> int:
    from handlers.campaigns import authoring as campaigns
    from handlers.campaigns.push import deliver
    from handlers.campaigns.push.targeting import check
    from models import db

    with app.app_context():
        staff = SimpleNamespace(region_code=DISTRICT, username="bench")
        campaign = campaigns.create(staff, "无废城市宣传月")
        item = campaigns.add_item(staff, campaign, "news", "垃圾分类，从我做起", body="一起做好垃圾分类",
                                  url="https://example.org/article/1")
        push = deliver.create(staff, campaign, item, check(staff, streets))
        db.session.commit()
        deliver.start(push)  # queued in Redis
        return push.id


def run(app, env: dict, fake, streets: list[str], workers: int, kill_at: float | None = None) -> dict:
    clear_pushes()
    fake.reset()
    procs = start_workers(env, workers)
    wait_until_listening(workers)  # worker start-up (app load) is not part of the figures
    started = time.monotonic()
    push_id = new_push(app, streets)
    prepared_at, killed = None, None
    while True:
        status, done, total = push_status(push_id)
        if prepared_at is None and status != "scheduled":
            prepared_at = time.monotonic()
        if kill_at is not None and killed is None and total and done >= kill_at * total:
            victim = procs[0]
            killed = {"at_done": done, "peak_rss_mb": peak_rss_mb(victim.pid)}
            victim.send_signal(signal.SIGKILL)
            victim.wait()
            # Re-run: enqueue the pending batches again, and a fresh worker takes the dead one's place.
            subprocess.run(flask("push-resume", str(push_id)), cwd=ROOT, env=env, check=True,
                           capture_output=True)
            procs = procs[1:] + start_workers(env, 1)
        if status in ("done", "cancelled"):
            break
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    peaks = stop(procs)
    seen = fake.deliveries()
    reached = {row["openid"] for row in seen["deliveries"]}
    with psycopg.connect(PG_URL) as conn:
        targeted = {row[0] for row in conn.execute(
            "SELECT r.openid FROM delivery d JOIN resident r ON r.id = d.resident_id "
            "WHERE d.push_id = %s AND d.status <> 'unreachable'", (push_id,))}
    return {"workers": workers, "elapsed": elapsed,
            "prepare": (prepared_at or started) - started, "targeted": len(targeted),
            "per_second": len(targeted) / elapsed, "peaks": peaks, "killed": killed,
            "duplicates": seen["duplicates"], "missing": len(targeted - reached),
            "extra": len(reached - targeted), "outcomes": outcome(push_id),
            "calls": len(fake.calls())}


def report(result: dict) -> None:
    name = f"{result['workers']} worker{'s' if result['workers'] > 1 else ''}"
    if result["killed"]:
        name += f", one SIGKILLed at {result['killed']['at_done']:,} done and the push resumed"
    print(f"\n{name}")
    print(f"  {result['targeted']:,} recipients in {result['elapsed']:.1f} s "
          f"(prepare {result['prepare']:.1f} s): {result['per_second']:,.0f} deliveries/s end to end")
    peaks = ", ".join(f"{p:.0f}" for p in result["peaks"])
    killed = f"; killed worker {result['killed']['peak_rss_mb']:.0f}" if result["killed"] else ""
    print(f"  peak RSS per worker (MB): {peaks}{killed}; this process (fake API + bench): "
          f"{peak_rss_mb(os.getpid()):.0f}")
    print(f"  outcomes: {result['outcomes']}")
    print(f"  fake WeChat saw: duplicates {result['duplicates']}, missing {result['missing']}, "
          f"not targeted {result['extra']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--kill-at", type=float, default=0.4, help="fraction done when a worker is killed")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bot import create_app
    from fake_wechat import FakeWeChatServer, create_fake_wechat

    fake = FakeWeChatServer(create_fake_wechat(max_calls=10)).start()
    env = environment(fake.base_url)
    os.environ.update({k: v for k, v in env.items() if k.isupper()})
    print(f"seeding {args.residents:,} residents across {DISTRICT}'s streets …", flush=True)
    streets = prepare_database(env, args.residents)
    app = create_app({"WARM_UP": False, "LOG_JSON": False})
    results = [run(app, env, fake, streets, 1), run(app, env, fake, streets, 2),
               run(app, env, fake, streets, 2, kill_at=args.kill_at)]
    for result in results:
        report(result)
    fake.shutdown()
    bad = [r for r in results if r["duplicates"] or r["missing"]]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
