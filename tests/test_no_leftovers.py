"""Tests and benchmarks leave no process behind, however they end.

Each starts the run, or the benchmark, as a process of its own (tests/processes.py), so that it can
be interrupted or left to misbehave, and then looks in /proc for anything it started.
"""
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest
import redis

from tests import processes
from tests.services import PG_ADMIN_URL, PG_DATABASE, REDIS_URL

ROOT = Path(__file__).resolve().parent.parent


def started_by(process: subprocess.Popen) -> list[processes.Running]:
    """What `process` started, at any depth, still running (it tags them with its pid)."""
    return [p for p in processes.running() if p.tag.startswith(f"{processes.TAG}/{process.pid}.")]


def wait_for(condition, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)
    return found


def pytest_run(tmp_path: Path, test_file: str) -> subprocess.Popen:
    """A pytest run of `test_file` with the check tests/conftest.py installs, without its fixtures."""
    (tmp_path / "test_inner.py").write_text(textwrap.dedent(test_file))
    return processes.start([sys.executable, "-m", "pytest", "-q", "-p", "tests.process_check",
                            "-p", "no:cacheprovider", "test_inner.py"],
                           # No plugins of the environment: they take seconds to load, and are not tested.
                           cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT),
                                              "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"},
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_stop_stops_the_whole_group_even_once_its_leader_is_gone():
    # The shell is done at once; the sleep it forked lives on in its group, as the work-horse of
    # a SIGKILLed RQ worker does.
    shell = processes.start(["sh", "-c", "sleep 304 >/dev/null & echo started"], stdout=subprocess.PIPE)
    shell.communicate(timeout=10)
    assert [p.command for p in processes.running() if p.group == shell.pid] == ["sleep 304"]
    processes.stop(shell)
    assert [p for p in processes.running() if p.group == shell.pid] == []


def test_a_test_run_that_leaves_a_process_behind_fails_and_stops_it(tmp_path):
    run = pytest_run(tmp_path, """
        import subprocess
        from tests import processes

        def test_forgets_to_stop_what_it_started():
            processes.start(["sh", "-c", "sleep 300 & sleep 300"])  # an orphan-to-be too
            subprocess.Popen(["sleep", "301"])  # started without the helper
    """)
    try:
        output, _ = run.communicate(timeout=60)
    finally:
        processes.stop(run)
    assert run.returncode == pytest.ExitCode.TESTS_FAILED, output
    assert "processes left behind" in output
    assert "sleep 301" in output and "sleep 300 & sleep 300" in output
    assert started_by(run) == []


def test_sigterm_ends_a_test_run_as_ctrl_c_does_stopping_what_its_fixtures_started(tmp_path):
    run = pytest_run(tmp_path, """
        import subprocess
        import time

        import pytest
        from tests import processes

        @pytest.fixture
        def server():
            process = processes.start(["sleep", "300"])
            yield process
            processes.stop(process)
            print("fixture torn down")

        def test_takes_long(server):
            time.sleep(300)
    """)
    try:
        wait_for(lambda: started_by(run))  # the fixture's process is up: the test is running
        run.send_signal(signal.SIGTERM)
        output, _ = run.communicate(timeout=60)
    finally:
        processes.stop(run)
    assert run.returncode == pytest.ExitCode.INTERRUPTED, output
    assert "processes left behind" not in output, output
    assert started_by(run) == []


def benchmark(code: str) -> subprocess.Popen:
    """A benchmark's main, reduced to what it does with processes."""
    code = "from bench.guard import guarded\nfrom tests import processes\n" + textwrap.dedent(code)
    return processes.start([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)


def test_a_benchmark_that_leaves_a_process_behind_fails_and_stops_it():
    bench = benchmark("""
        import subprocess

        with guarded():
            subprocess.Popen(["sleep", "302"])
    """)
    try:
        _, errors = bench.communicate(timeout=60)
    finally:
        processes.stop(bench)
    assert bench.returncode == 1
    assert "processes left behind" in errors and "sleep 302" in errors
    assert started_by(bench) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_benchmark_stops_what_it_started_on_ctrl_c_or_sigterm(signum):
    bench = benchmark("""
        import time

        with guarded():
            worker = processes.start(["sleep", "303"])
            print("started", flush=True)
            time.sleep(300)
            processes.stop(worker)
    """)
    try:
        assert bench.stdout.readline() == "started\n"
        bench.send_signal(signum)
        _, errors = bench.communicate(timeout=60)
    finally:
        processes.stop(bench)
    assert bench.returncode == 128 + signum, errors
    assert "interrupted" in errors, errors
    assert started_by(bench) == []


def test_a_real_benchmark_interrupted_midway_leaves_nothing_behind():
    """bench.fanout, SIGTERMed while its RQ workers run; Ctrl-C takes the same path (above)."""
    database = f"{PG_DATABASE}_fanout"
    # On this run's Redis db and a database of its own, not on those of a benchmark run by hand.
    env = {**os.environ, "BENCH_PG_ADMIN_URL": PG_ADMIN_URL, "BENCH_REDIS_URL": REDIS_URL,
           "BENCH_FANOUT_DATABASE": database}
    bench = processes.start([sys.executable, "-m", "bench.fanout", "--residents", "2000"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        workers = wait_for(lambda: [p for p in started_by(bench) if "bot worker" in p.command])
        # The benchmark alone, as `kill` would: its workers are in groups of their own.
        bench.send_signal(signal.SIGTERM)
        _, errors = bench.communicate(timeout=60)
    finally:
        processes.stop(bench)

    assert bench.returncode == 128 + signal.SIGTERM, errors
    assert "interrupted" in errors, errors
    assert workers and started_by(bench) == []
    with psycopg.connect(PG_ADMIN_URL) as conn:
        assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone() is None
    assert redis.Redis.from_url(REDIS_URL).dbsize() == 0
