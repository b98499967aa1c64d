"""Steady load for minutes: throughput, p99 and memory over time, against a bare-Flask ceiling.

    .venv/bin/python -m bench.load [--minutes 5] [--rate 0.8]

First measures each app's capacity with wrk (closed loop), then sends signed webhook messages
open-loop at `rate` x the product's capacity for `minutes`, from 2,000 residents, sampling the
RSS of all gunicorn processes every 5 s. Latency counts from when a request was due, so a stall
is not hidden. Each message is signed with the time it is due, as WeChat would. Loopback only;
the load stops by itself.
"""
import argparse
import http.client
import statistics
import threading
import time
from pathlib import Path

from bench.guard import guarded
from bench.procs import children
from bench.webhook import DATABASE, TOKEN, app_environment, load, serve, start_drainer, webhook_url
from bot.webhook import simulate
from tests import processes

QUESTIONS = ["废电池是什么垃圾", "请问用过的纸巾是什么垃圾？", "电池和剩饭分别扔哪", "塑料瓶",
             "过期的药扔哪个桶", "旧衣服和玻璃瓶"]


def rss_mb(pid: int) -> float:
    total = 0
    for child in [pid] + children(pid):
        try:
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def signed_requests(thread: int, offsets: list[float]) -> list[tuple[str, bytes]]:
    """Built before the clock starts, so the load generator spends its CPU on sending; each is
    signed with the time it will be due (now + offset), so long runs are not refused as replays."""
    requests, now = [], time.time()
    for n, offset in enumerate(offsets):
        sender = simulate.WeChatSender(TOKEN, clock=lambda: now + offset)
        xml = simulate.text_xml(f"o-load-{thread}-{n % 250}", QUESTIONS[n % len(QUESTIONS)],
                                (thread + 1) * 10_000_000 + n)
        requests.append(sender.prepare(xml))
    return requests


def open_loop(port: int, rate: float, seconds: float, threads: int = 8) -> dict:
    latencies, errors, lock = [], [0], threading.Lock()
    per_thread_interval = threads / rate
    count = int(seconds / per_thread_interval) + 1
    batches = [signed_requests(i, [i / rate + n * per_thread_interval for n in range(count)])
               for i in range(threads)]
    start = time.monotonic() + 0.5

    def run(index: int):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        due = start + index / rate
        for query, body in batches[index]:
            if due >= start + seconds:
                break
            time.sleep(max(0.0, due - time.monotonic()))
            try:
                connection.request("POST", f"/wechat?{query}", body,
                                   {"Content-Type": "application/xml"})
                response = connection.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            took = time.monotonic() - due
            with lock:
                latencies.append(took)
                errors[0] += not ok
            due += per_thread_interval

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies.sort()
    return {"sent": len(latencies), "errors": errors[0],
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
            "rps": len(latencies) / seconds}


def sample_memory(pid: int, stop: threading.Event, samples: list) -> None:
    while not stop.wait(5):
        samples.append(rss_mb(pid))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--rate", type=float, default=0.8,
                        help="share of the product's measured capacity, sent to both apps")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    import tempfile

    with guarded(database=DATABASE), tempfile.TemporaryDirectory() as tmp:
        env = app_environment("postgres", Path(tmp))
        rate = None
        # The product first: its capacity sets the rate both apps are loaded at.
        for name, spec in (("webhook", "bot:create_app()"),
                           ("bare Flask", "bench.bare_app:create_app()")):
            process, port = serve(spec, env, args.workers)
            drainer = start_drainer(env) if spec.startswith("bot:") else None  # the Procfile's ledger
            try:
                capacity = load(webhook_url(port), 10, 16)["rps"]
                rate = rate or args.rate * capacity
                samples, stop = [rss_mb(process.pid)], threading.Event()
                sampler = threading.Thread(target=sample_memory, args=(process.pid, stop, samples))
                sampler.start()
                figures = open_loop(port, rate, args.minutes * 60)
                stop.set()
                sampler.join()
            finally:
                processes.stop(process)
                if drainer:
                    processes.stop(drainer)
            growth = samples[-1] - statistics.mean(samples[: max(1, len(samples) // 4)])
            print(f"{name:<11} capacity {capacity:7.0f} req/s | open loop at {rate:6.0f} req/s for "
                  f"{args.minutes:g} min: served {figures['rps']:6.0f} req/s, p50 "
                  f"{figures['p50_ms']:6.1f} ms, p99 {figures['p99_ms']:7.1f} ms, errors "
                  f"{figures['errors']} | RSS {samples[0]:.0f} → {samples[-1]:.0f} MB "
                  f"(late vs early {growth:+.1f} MB, {len(samples)} samples)")
            print(f"{'':<11} RSS every 30 s, MB: " + " ".join(f"{mb:.0f}" for mb in samples[::6]))


if __name__ == "__main__":
    main()
