"""Fault run: Redis and PostgreSQL go away and come back under a load of signed messages.

    .venv/bin/python -m bench.faults [--seconds 40] [--rate 40]

gunicorn (2 workers) reaches Redis and PostgreSQL through relays that are cut and restored
mid-run (Redis at 25-40 % of the run, PostgreSQL at 55-70 %). Every message is sent, then
retried once, as WeChat does. Reported: answered, errors, retries answered differently,
messages logged twice (must be 0), and messages answered outside an outage but not logged
(lost; must be 0). Loopback only; stops by itself. Its database and Redis db are named by
BENCH_PG_DATABASE and BENCH_REDIS_URL (bench/places.py).
"""
import argparse
import collections
import hashlib
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import requests

from bench import places
from bench.webhook import TOKEN, app_environment, serve
from bot.webhook import simulate
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


def logged_counts() -> collections.Counter:
    with psycopg.connect(places.pg_url()) as conn:
        rows = conn.execute("SELECT dedup_key FROM inbound_message").fetchall()
    return collections.Counter(row[0] for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--rate", type=float, default=40, help="new messages per second")
    args = parser.parse_args()
    redis_relay = Relay(places.port_of(places.redis_url(), 6379))
    pg_relay = Relay(places.port_of(places.pg_url(), 5432))
    with tempfile.TemporaryDirectory() as tmp:
        env = app_environment("postgres", Path(tmp))  # the run's own database and Redis db
        env["DATABASE_URL"] = places.via_port(env["DATABASE_URL"], pg_relay.port)
        env["REDIS_URL"] = places.via_port(env["REDIS_URL"], redis_relay.port)
        process, port = serve("bot:create_app()", env, 2)
        s = args.seconds
        outages = {"redis": (0.25 * s, 0.40 * s), "postgres": (0.55 * s, 0.70 * s)}
        events = [(outages["redis"][0], redis_relay.cut), (outages["redis"][1], redis_relay.restore),
                  (outages["postgres"][0], pg_relay.cut), (outages["postgres"][1], pg_relay.restore)]
        try:
            results = run_load(port, s, args.rate, events)
        finally:
            process.terminate()
            process.wait()
    report(results, logged_counts(), outages)


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
    lost = 0
    for result in results:
        key = hashlib.sha256(f"msg:{8_000_000 + result['n']}".encode()).hexdigest()
        first_status, _, sent_at = result["replies"][0]
        if first_status == 200 and not in_outage(sent_at) and key not in logged:
            lost += 1
    print(f"messages {len(results)} (each sent twice: {len(posts)} posts)")
    print(f"answered {answered}   errors {errors}   retries answered differently {differing}")
    print(f"logged twice {doubled}   lost outside the database outage {lost}   "
          f"logged {len(logged)} (not logged: sent while PostgreSQL was away, answered from memory)")


if __name__ == "__main__":
    main()
