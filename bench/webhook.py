"""Webhook throughput and p99 latency under gunicorn, against a bare Flask ceiling, in one run.

    .venv/bin/python -m bench.webhook [--seconds 15] [--connections 16] [--backend postgres|sqlite]

Needs `wrk` (Debian package). The product runs on PostgreSQL + Redis (as in production) or on
the embedded default; both apps get the same gunicorn settings.
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench import places
from bot.webhook.simulate import sign

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_environment(backend: str, tmp: Path) -> dict:
    # The limiters stay on (their cost is part of the path), set above the load's rate.
    env = {**os.environ, "WECHAT_TOKEN": TOKEN, "SECRET_KEY": "bench",
           "RATELIMIT_WEBHOOK": "1000000/minute", "RATELIMIT_PER_USER": "1000000/minute"}
    if backend == "postgres":
        # The run's own database and Redis db (bench/places.py: from the environment).
        env.update(DATABASE_URL=places.fresh_database(), REDIS_URL=places.fresh_redis())
    else:
        env.update(DATABASE_URL=f"sqlite:///{tmp / 'bench.sqlite3'}", REDIS_URL="")
    subprocess.run([sys.executable, "-m", "flask", "--app", "bot", "migrate"], env=env,
                   cwd=ROOT, check=True, capture_output=True)
    return env


def serve(app_spec: str, env: dict, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
         "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         app_spec],
        env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, port
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{app_spec} did not start")


def load(port: int, seconds: int, connections: int) -> dict:
    timestamp, nonce = str(int(time.time())), "bench"
    url = (f"http://127.0.0.1:{port}/wechat?signature={sign(TOKEN, timestamp, nonce)}"
           f"&timestamp={timestamp}&nonce={nonce}")
    # Warm up: the first question in each worker loads the sorting engine.
    subprocess.run(["wrk", "-t1", "-c2", "-d3s", "-s", str(ROOT / "bench/webhook.lua"), url],
                   capture_output=True)
    out = subprocess.run(
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
        process.terminate()
        process.wait()
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

    with tempfile.TemporaryDirectory() as tmp:
        env = app_environment(args.backend, Path(tmp))
        print(f"gunicorn {args.workers} workers x 4 threads, wrk 2 threads {args.connections} "
              f"connections, {args.seconds} s, backend {args.backend}, {os.cpu_count()} cores")
        ceiling = measure("bare Flask ('success')", "bench.bare_app:create_app()", env, args)
        product = measure("webhook, text question", "bot:create_app()", env, args)
    print(f"throughput ratio (webhook / bare): {product['rps'] / ceiling['rps']:.2f}   "
          f"p99 ratio: {product['p99_ms'] / ceiling['p99_ms']:.1f}x")


if __name__ == "__main__":
    main()
