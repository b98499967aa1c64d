"""Fault run: Redis and PostgreSQL go away and come back under a load of signed messages, and
the ledger's drainer is killed in the middle of a batch.

    .venv/bin/python -m bench.faults [--seconds 40] [--rate 40]

gunicorn (2 workers) and the ledger's drainer (`flask drain-ledger`, as in the Procfile) reach
Redis and PostgreSQL through relays that are cut and restored mid-run (Redis at 25-40 % of the
run, PostgreSQL at 55-70 %). The drainer is killed (SIGKILL) during the PostgreSQL outage, when
it holds a batch it could not write, and a new one starts after it; the records the dead one left
are taken over once they have waited ledger.CLAIM_IDLE_MS. Every message is sent, then retried
once, as WeChat does. Reported: answered, errors, retries answered differently, messages logged
twice (must be 0), and messages answered outside an outage but not logged (lost; must be 0).
Loopback only; stops by itself.
"""
import argparse
import collections
import hashlib
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import redis
import requests

from bench.guard import guarded
from bench.webhook import DATABASE, PG_URL, REDIS_URL, TOKEN, app_environment, serve, start_drainer
from bot.webhook import simulate
from handlers.people import ledger
from tests import processes
from tests.outage import Relay


def run_load(port: int, seconds: float, rate: float, events: list) -> list[dict]:
    sender = simulate.WeChatSender(TOKEN)
    results, lock = [], threading.Lock()
    start = time.monotonic()

    def one(n: int):
        xml = simulate.text_xml(f"o-fault-{n % 40}", "电池和剩饭分别扔哪", msg_id=8_000_000 + n)
        replies = []
        for _ in range(2):  # the message, then WeChat's retry
            query, body = sender.prepare(xml)
            sent_at = time.monotonic() - start
            try:
                response = requests.post(f"http://127.0.0.1:{port}/wechat?{query}", data=body,
                                         timeout=6)
                replies.append((response.status_code, response.text, sent_at))
            except requests.RequestException as error:
                replies.append((0, str(error), sent_at))
        with lock:
            results.append({"n": n, "replies": replies})

    threads, n = [], 0
    while (elapsed := time.monotonic() - start) < seconds:
        for at, action in list(events):
            if elapsed >= at:
                action()
                events.remove((at, action))
        thread = threading.Thread(target=one, args=(n,))
        thread.start()
        threads.append(thread)
        n += 1
        time.sleep(max(0.0, start + n / rate - time.monotonic()))
    for thread in threads:
        thread.join()
    return results


def wait_for_ledger(limit: float = 120) -> int:
    """Until the drainers have written everything (the dead one's batch once it may be taken
    over); the records still waiting after `limit` s."""
    store = redis.Redis.from_url(REDIS_URL)
    deadline = time.monotonic() + limit
    while True:
        waiting = store.xlen(ledger.STREAM)
        if not waiting or time.monotonic() > deadline:
            return waiting
        time.sleep(1)


def logged_counts() -> collections.Counter:
    with psycopg.connect(PG_URL) as conn:
        rows = conn.execute("SELECT dedup_key FROM inbound_message").fetchall()
    return collections.Counter(row[0] for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--rate", type=float, default=40, help="new messages per second")
    args = parser.parse_args()
    redis_relay, pg_relay = Relay(6379), Relay(5432)
    with guarded(database=DATABASE), tempfile.TemporaryDirectory() as tmp:
        env = app_environment("postgres", Path(tmp))
        env["DATABASE_URL"] = PG_URL.replace(":5432/", f":{pg_relay.port}/")
        env["REDIS_URL"] = REDIS_URL.replace(":6379/", f":{redis_relay.port}/")
        process, port = serve("bot:create_app()", env, 2)
        drainers = [start_drainer(env)]
        s = args.seconds
        outages = {"redis": (0.25 * s, 0.40 * s), "postgres": (0.55 * s, 0.70 * s)}
        events = [(outages["redis"][0], redis_relay.cut), (outages["redis"][1], redis_relay.restore),
                  (outages["postgres"][0], pg_relay.cut),
                  (0.62 * s, lambda: os.kill(drainers[0].pid, signal.SIGKILL)),
                  (outages["postgres"][1], pg_relay.restore),
                  (0.72 * s, lambda: drainers.append(start_drainer(env)))]
        try:
            results = run_load(port, s, args.rate, events)
            waiting = wait_for_ledger()
        finally:
            processes.stop(process)
            for drainer in drainers:
                processes.stop(drainer)
        report(results, logged_counts(), outages)
        print(f"ledger: drainer killed mid-batch and replaced; records still waiting {waiting}")


def report(results: list[dict], logged: collections.Counter, outages: dict) -> None:
    def in_outage(at: float) -> bool:
        low, high = outages["postgres"]
        return low - 1 <= at <= high + 2  # a request in flight as the cut happens counts too

    posts = [reply for result in results for reply in result["replies"]]
    answered = sum(1 for status, text, _ in posts if status == 200 and text != "success")
    errors = sum(1 for status, _, _ in posts if status != 200)
    differing = sum(1 for r in results if r["replies"][0][0] == r["replies"][1][0] == 200
                    and simulate.reply_content(r["replies"][0][1])
                    != simulate.reply_content(r["replies"][1][1]))
    doubled = sum(1 for count in logged.values() if count > 1)
    lost, during, during_logged = 0, 0, 0
    for result in results:
        key = hashlib.sha256(f"msg:{8_000_000 + result['n']}".encode()).hexdigest()
        first_status, _, sent_at = result["replies"][0]
        if first_status == 200 and not in_outage(sent_at) and key not in logged:
            lost += 1
        if first_status == 200 and in_outage(sent_at):
            during += 1
            during_logged += key in logged
    print(f"messages {len(results)} (each sent twice: {len(posts)} posts)")
    print(f"answered {answered}   errors {errors}   retries answered differently {differing}")
    print(f"logged twice {doubled}   lost outside the database outage {lost}   logged {len(logged)}")
    print(f"answered while PostgreSQL was away: {during}, of them logged once it was back "
          f"(the ledger kept them in Redis): {during_logged}")


if __name__ == "__main__":
    main()
