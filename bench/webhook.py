"""Webhook throughput and p99 latency under gunicorn, against a bare Flask ceiling, in one run.

    .venv/bin/python -m bench.webhook [--seconds 15] [--connections 16] [--backend postgres|sqlite]

Needs `wrk` (Debian package). The product runs on PostgreSQL + Redis (as in production) or on
the embedded default; both apps get the same gunicorn settings. PostgreSQL database wufei_bench
(BENCH_WEBHOOK_DATABASE) and Redis db 14 (see bench/guard.py), dropped and emptied at the end.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.guard import REDIS_URL, create_database, database_url, guarded
from bot.webhook.simulate import sign
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
           "RATELIMIT_WEBHOOK": "1000000/minute", "RATELIMIT_PER_USER": "1000000/minute"}
    if backend == "postgres":
        create_database(DATABASE)
        env.update(DATABASE_URL=PG_URL, REDIS_URL=REDIS_URL)
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


def load(port: int, seconds: int, connections: int) -> dict:
    timestamp, nonce = str(int(time.time())), "bench"
    url = (f"http://127.0.0.1:{port}/wechat?signature={sign(TOKEN, timestamp, nonce)}"
           f"&timestamp={timestamp}&nonce={nonce}")
    # Warm up: the first question in each worker loads the sorting engine.
    processes.run(["wrk", "-t1", "-c2", "-d3s", "-s", str(ROOT / "bench/webhook.lua"), url],
                  capture_output=True)
    out = processes.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
         "-s", str(ROOT / "bench/webhook.lua"), url],
        capture_output=True, text=True, check=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / figures["seconds"]
    return figures


def measure(name: str, app_spec: str, env: dict, args) -> dict:
    process, port = serve(app_spec, env, args.workers)
    try:
        figures = load(port, args.seconds, args.connections)
    finally:
        processes.stop(process)
    print(f"{name:<28} {figures['rps']:9.0f} req/s   p50 {figures['p50_ms']:7.2f} ms   "
          f"p99 {figures['p99_ms']:7.2f} ms   errors {figures['errors'] + figures['non2xx']}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("bench.webhook needs wrk: apt-get install wrk")
    import tempfile

    database = DATABASE if args.backend == "postgres" else None
    with guarded(database=database), tempfile.TemporaryDirectory() as tmp:
        env = app_environment(args.backend, Path(tmp))
        print(f"gunicorn {args.workers} workers x 4 threads, wrk 2 threads {args.connections} "
              f"connections, {args.seconds} s, backend {args.backend}, {os.cpu_count()} cores")
        ceiling = measure("bare Flask ('success')", "bench.bare_app:create_app()", env, args)
        product = measure("webhook, text question", "bot:create_app()", env, args)
    print(f"throughput ratio (webhook / bare): {product['rps'] / ceiling['rps']:.2f}   "
          f"p99 ratio: {product['p99_ms'] / ceiling['p99_ms']:.1f}x")


if __name__ == "__main__":
    main()
