"""Cold start and memory of a web process with the sorting knowledge, against bare baselines, in one run.

    .venv/bin/python -m bench.knowledge [--runs 3] [--workers 2] [--questions 30]

1. Cold start: fresh processes (median of --runs) time importing the app, loading the sorting
   engine, building the understanding and answering a first question through the webhook (Flask's
   test client, the embedded SQLite default), with RSS after each step and the CPU the whole
   process used. Baselines in the same run: `python -c pass`, and bare Flask (bench/bare_app.py).
2. Memory under gunicorn (gunicorn.conf.py, preloaded, N workers): after the workers answered
   --questions sorting questions through the webhook and the API, each worker's RSS, PSS, USS and
   private dirty memory (/proc/<pid>/smaps_rollup), the bare Flask app's beside them.

Wall times move with the machine's load (printed); CPU seconds and memory much less.
"""
import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench.procs import children, memory
from tests import processes

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
QUESTIONS = ("请问废电池是什么垃圾", "用过的纸巾扔哪", "电池和剩饭分别扔哪", "塑料瓶", "过期的药扔哪个桶",
             "旧衣服和玻璃瓶", "我想当志愿者", "奶茶杯是什么垃圾", "碎了的体温计咋整", "苹果手机")
COLD_STEPS = ("import", "engine", "understanding", "first answer")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def app_environment(tmp: Path) -> dict:
    env = {**os.environ, "WECHAT_TOKEN": TOKEN, "SECRET_KEY": "bench", "REDIS_URL": "",
           "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}", "WARM_UP": "0",
           "RATELIMIT_WEBHOOK": "1000000/minute", "RATELIMIT_PER_USER": "1000000/minute",
           "RATELIMIT_API": "1000000/minute", "BENCH_TMP": str(tmp)}
    processes.run([sys.executable, "-m", "flask", "--app", "bot", "migrate"], env=env, cwd=ROOT,
                  check=True, capture_output=True)
    return env


def signed_message(question: str, number: int) -> tuple[str, bytes]:
    """The query string and body WeChat would POST for a text question (a nonce of its own)."""
    from bot.webhook.simulate import WeChatSender, text_xml

    return WeChatSender(TOKEN).prepare(text_xml(f"o-bench-{number % 7}", question))


# --- 1. cold start, in a fresh process -------------------------------------------------------

def child(kind: str) -> None:
    """One cold start; prints its figures as one JSON line."""
    marks, started = {}, time.perf_counter()

    def mark(step: str) -> None:
        marks[step] = (time.perf_counter() - started, rss_mb())

    if kind == "flask":
        from bench.bare_app import create_app

        create_app().test_client().post("/wechat", data=b"<xml/>")
        mark("import")
    elif kind == "app":
        from bot import create_app

        app = create_app()
        mark("import")
        from handlers.sorting import get_engine

        get_engine()
        mark("engine")
        from handlers.understanding import get_understanding

        get_understanding()
        mark("understanding")
        query, body = signed_message(QUESTIONS[0], 0)
        reply = app.test_client().post(f"/wechat?{query}", data=body)
        assert reply.status_code == 200 and b"<Content>" in reply.data, reply.data[:200]
        mark("first answer")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"marks": marks, "cpu": usage.ru_utime + usage.ru_stime, "done": time.time()}))


def cold_start(kind: str, env: dict) -> dict:
    """Wall time from spawning the interpreter to its answer, and the child's own marks."""
    if kind == "python":
        command = [sys.executable, "-c", "import json, time; print(json.dumps({'marks': {}, 'cpu': 0, 'done': time.time()}))"]
    else:
        command = [sys.executable, "-m", "bench.knowledge", "--child", kind]
    spawned = time.time()
    out = processes.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    figures["total"] = figures["done"] - spawned
    return figures


def report_cold_starts(env: dict, runs: int) -> None:
    print(f"## cold start (median of {runs} fresh processes; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores)")
    print(f"{'process':<28}{'total s':>9}{'cpu s':>8}   steps: seconds since the process's own start, RSS MB")
    for kind, name in (("python", "python -c pass"), ("flask", "bare Flask, one request"),
                       ("app", "bot, first question answered")):
        results = [cold_start(kind, env) for _ in range(runs)]
        total = statistics.median(result["total"] for result in results)
        cpu = statistics.median(result["cpu"] for result in results)
        steps = []
        for step in COLD_STEPS:
            if step in results[0]["marks"]:
                seconds = statistics.median(result["marks"][step][0] for result in results)
                rss = statistics.median(result["marks"][step][1] for result in results)
                steps.append(f"{step} {seconds:.2f} s {rss:.0f} MB")
        print(f"{name:<28}{total:>9.2f}{cpu:>8.2f}   {';  '.join(steps)}")


# --- 2. memory per gunicorn worker ------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(app_spec: str, env: dict, workers: int, product: bool) -> tuple[subprocess.Popen, int]:
    """gunicorn as deployed for the product; for the bare app the same worker settings without the
    configuration file (whose when_ready loads the knowledge into the master)."""
    port = free_port()
    bare = Path(env["BENCH_TMP"]) / "bare.conf.py"  # gunicorn reads ./gunicorn.conf.py without -c
    bare.touch()
    settings = (["-c", str(ROOT / "gunicorn.conf.py")] if product
                else ["-c", str(bare), "--worker-class", "gthread", "--threads", "4", "--preload"])
    process = processes.start(
        [sys.executable, "-m", "gunicorn", *settings, "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec], env=env, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.2)
    else:
        processes.stop(process)
        raise RuntimeError(f"{app_spec} did not start")
    return process, port


def ask(port: int, questions: int, product: bool) -> None:
    """Sorting questions through the webhook and the sorting API; several connections, so both
    workers answer some."""
    for number in range(questions):
        question = QUESTIONS[number % len(QUESTIONS)]
        query, body = signed_message(question, number)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/wechat?{query}", data=body, method="POST")
        urllib.request.urlopen(request, timeout=10).read()
        if product:
            query = urllib.parse.quote(question)
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/sorting?q={query}", timeout=10).read()


def report_memory(env: dict, workers: int, questions: int) -> None:
    print(f"\n## memory under gunicorn ({workers} workers, preloaded), after {questions} questions "
          f"(MB)")
    print(f"{'process':<34}{'RSS':>8}{'PSS':>8}{'USS':>8}{'dirty':>8}")
    for name, spec, product in (("bare Flask", "bench.bare_app:create_app()", False),
                                ("bot", "bot:create_app()", True)):
        process, port = serve(spec, env, workers, product)
        try:
            ask(port, questions, product)
            rows = [("master", process.pid)] + [("worker", pid) for pid in children(process.pid)]
            for role, pid in rows:
                figures = memory(pid)
                print(f"{name + ' ' + role:<34}{figures['rss']:>8.1f}{figures['pss']:>8.1f}{figures['uss']:>8.1f}"
                      f"{figures['dirty']:>8.1f}")
        finally:
            processes.stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--child", choices=["flask", "app"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from bench.guard import guarded  # not in the children: they time their own imports

    with guarded(), tempfile.TemporaryDirectory() as tmp:
        env = app_environment(Path(tmp))
        report_cold_starts(env, args.runs)
        report_memory(env, args.workers, args.questions)


if __name__ == "__main__":
    main()
