"""Webhook and sorting-API throughput, p99 latency and worker memory under gunicorn, against a
bare Flask ceiling, in one run.

    .venv/bin/python -m bench.webhook [--seconds 15] [--connections 16] [--backend postgres|sqlite]

Needs `wrk` (Debian package). The product runs as in production on PostgreSQL + Redis (the
message log written behind the answers by the Procfile's ledger process, LEDGER_DRAIN=separate),
or on the embedded default; both apps get the same gunicorn settings. After the load the ledger
must hold every answered message exactly once (lost and doubled are printed). PostgreSQL database
wufei_bench (BENCH_WEBHOOK_DATABASE) and Redis db 14 (see bench/guard.py), dropped and emptied
at the end. Memory per worker: RSS, and PSS (shared pages split between the processes sharing them).
"""
import argparse
import json
import os
import runpy
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import redis

from bench.guard import REDIS_URL, create_database, database_url, guarded
from bench.procs import children, memory
from bot.webhook import simulate
from bot.webhook.simulate import sign
from handlers.people import ledger
from tests import processes

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
DATABASE = os.environ.get("BENCH_WEBHOOK_DATABASE", "wufei_bench")
PG_URL = database_url(DATABASE)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(backend: str, tmp: Path) -> dict:
    # The limiters stay on (their cost is part of the path), set above the load's rate.
    env = {**os.environ, "WECHAT_TOKEN": TOKEN, "SECRET_KEY": "bench",
           "RATELIMIT_WEBHOOK": "1000000/minute", "RATELIMIT_PER_USER": "1000000/minute",
           "RATELIMIT_API": "100000000/minute", "API_CHECK_RESPONSES": "0"}  # as the Procfile's web
    if backend == "postgres":
        create_database(DATABASE)
        env.update(DATABASE_URL=PG_URL, REDIS_URL=REDIS_URL, LEDGER_DRAIN="separate")
    else:
        env.update(DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}", REDIS_URL="")
    processes.run([sys.executable, "-m", "flask", "--app", "bot", "migrate"], env=env,
                  cwd=ROOT, check=True, capture_output=True)
    return env


def serve(app_spec: str, env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = processes.start(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         app_spec],
        env=env, cwd=ROOT)
    try:
        # Listening is not serving: gunicorn forks its workers only once when_ready has loaded
        # the knowledge in the master. Any HTTP answer means a worker is up.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                return process, port
            except urllib.error.HTTPError:
                return process, port
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{app_spec} did not start")
    except BaseException:  # an interrupt too: the caller never got the process to stop it
        processes.stop(process)
        raise


QUESTIONS = ("废电池是什么垃圾", "请问用过的纸巾是什么垃圾？", "电池和剩饭分别扔哪", "塑料瓶",
             "过期的药扔哪个桶", "旧衣服和玻璃瓶")
_batches = iter(range(1, 1000))


def webhook_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/wechat"


def signed_requests(path: Path, count: int) -> None:
    """`count` signed questions for webhook.lua, each with a nonce and a MsgId of its own; wrk
    puts the time of sending in CreateTime (a message seconds old could be WeChat's retry)."""
    batch, timestamp = next(_batches), str(int(time.time()))
    with path.open("w") as out:
        for n in range(count):
            nonce, msg_id = f"b{batch}n{n}", batch * 10_000_000 + n
            body = simulate.text_xml(f"o-bench-{n % 500}", QUESTIONS[n % len(QUESTIONS)], msg_id,
                                     create_time=1).replace(">1</CreateTime>", ">@NOW@</CreateTime>")
            out.write(f"signature={sign(TOKEN, timestamp, nonce)}&timestamp={timestamp}&nonce={nonce}"
                      f"\t{body.replace(chr(10), '')}\n")


def sorting_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/api/v1/sorting?q=%E5%A1%91%E6%96%99%E7%93%B6"  # 塑料瓶


def load(url: str, seconds: int, connections: int, rate: int | None = None) -> dict:
    """wrk's figures; `rate` (requests/s, webhook only) paces the load: each connection waits
    connections/rate s before each request. 'answered': the 2xx answers of warm-up and run."""
    # Signed messages, each with its own MsgId, for the webhook; plain GETs otherwise.
    script = ["-s", str(ROOT / ("bench/webhook.lua" if "/wechat" in url else "bench/summary.lua"))]
    # Warm up: the first question in each worker loads what it needs.
    warm_up = wrk(["wrk", "-t1", "-c2", "-d3s", *script, url])
    figures = wrk(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", *script, url],
                  seconds=seconds, delay_ms=connections * 1000 / rate if rate else None)
    figures["rps"] = figures["requests"] / figures["seconds"]
    figures["answered"] = sum(run["requests"] - run["non2xx"] for run in (warm_up, figures))
    return figures


def wrk(command: list[str], seconds: int = 3, delay_ms: float | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        requests = Path(tmp) / "requests.tsv"
        if "/wechat" in command[-1]:
            signed_requests(requests, 5000 * seconds)  # more than wrk can send here
        env = {**os.environ, "BENCH_REQUESTS": str(requests)}
        if delay_ms:
            env["BENCH_DELAY_MS"] = f"{delay_ms:.1f}"
        out = processes.run(command, capture_output=True, text=True, check=True, env=env,
                            cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def worker_memory(master: int) -> tuple[float, float]:
    """Mean RSS and PSS of gunicorn's workers, in MB."""
    workers = [memory(pid) for pid in children(master)]
    return (sum(w["rss"] for w in workers) / len(workers), sum(w["pss"] for w in workers) / len(workers))


def measure(name: str, app_spec: str, env: dict, args, urls, paced: bool = False) -> list[dict]:
    process, port = serve(app_spec, env, args.workers)
    try:
        results = []
        for kind, url in urls:
            ledger_written()  # the drainer's backlog from the run before must not share the CPU
            figures = load(url(port), args.seconds, args.connections)
            figures["rss"], figures["pss"] = worker_memory(process.pid)
            figures["kind"] = kind
            print(f"{name + ', ' + kind:<34} {figures['rps']:8.0f} req/s   p50 {figures['p50_ms']:7.2f} ms"
                  f"   p99 {figures['p99_ms']:8.2f} ms   errors {figures['errors'] + figures['non2xx']:<4}"
                  f"  RSS {figures['rss']:4.0f} MB  PSS {figures['pss']:4.0f} MB")
            results.append(figures)
        if paced:  # p99 at 70 % of the rate it reached
            ledger_written()
            rate = int(results[0]["rps"] * 0.7)
            figures = load(urls[0][1](port), args.seconds, args.connections, rate=rate)
            figures["kind"] = urls[0][0]
            print(f"{name + ', webhook at ' + str(rate) + '/s':<34} {figures['rps']:8.0f} req/s   "
                  f"p50 {figures['p50_ms']:7.2f} ms   p99 {figures['p99_ms']:8.2f} ms")
            results.append(figures)
    finally:
        processes.stop(process)
    return results


def ledger_written(limit: float = 60) -> int:
    """Wait until the ledger's drainer has written what is waiting; what still waits after `limit` s."""
    deadline = time.monotonic() + limit
    while (waiting := redis.Redis.from_url(REDIS_URL).xlen(ledger.STREAM)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return waiting


def ledger_check(env: dict, answered: int) -> None:
    """After the load: every answered message logged once (the drainer has caught up)."""
    database = psycopg.connect(PG_URL)
    waiting = ledger_written()
    logged, distinct = database.execute(
        "SELECT count(*), count(DISTINCT dedup_key) FROM inbound_message").fetchone()
    database.close()
    print(f"ledger: {answered} messages answered, {logged} logged, "
          f"{max(0, answered - logged)} lost, {logged - distinct} doubled, {waiting} still waiting")


def start_drainer(env: dict):
    return processes.start([sys.executable, "-m", "flask", "--app", "bot", "drain-ledger"],
                           env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench.webhook needs wrk: apt-get install wrk")

    database = DATABASE if args.backend == "postgres" else None
    with guarded(database=database), tempfile.TemporaryDirectory() as tmp:
        env = app_environment(args.backend, Path(tmp))
        threads = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["threads"]  # WEB_THREADS, or its default
        print(f"gunicorn {args.workers} workers x {threads} threads, wrk 2 threads {args.connections} "
              f"connections, {args.seconds} s, backend {args.backend}, {os.cpu_count()} cores")
        urls = [("webhook", webhook_url), ("GET /api/v1/sorting", sorting_url)]
        ceiling = measure("bare Flask", "bench.bare_app:create_app()", env, args, urls)
        drainer = start_drainer(env) if args.backend == "postgres" else None
        try:
            product = measure("product", "bot:create_app()", env, args, urls, paced=True)
            if drainer:
                ledger_check(env, sum(f["answered"] for f in product if f["kind"] == "webhook"))
        finally:
            if drainer:
                processes.stop(drainer)
    for (kind, _), bare, ours in zip(urls, ceiling, product):
        print(f"{kind}: throughput ratio (product / bare) {ours['rps'] / bare['rps']:.2f}   "
              f"p99 ratio {ours['p99_ms'] / bare['p99_ms']:.1f}x")


if __name__ == "__main__":
    main()
