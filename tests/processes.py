"""Processes that tests and benchmarks start, and proof that none outlives its starter.

Each child starts in a process group of its own (start_new_session), so stopping it stops what it
forked too (an RQ worker's work-horse, gunicorn's workers), and a Ctrl-C meant for pytest does not
reach it before the fixture that owns it can stop it in order.

Each child also carries WUFEI_STARTED_BY in its environment: the tags of its starters, outermost
first ("/<pid>.<nonce>/<pid>.<nonce>": a test run, then a benchmark it started). Its own children
inherit it, even once orphaned or in another group. So "what did I start, at any depth, that is
still running" is a read of /proc (psutil is not a dependency), and a reused pid cannot fool it.

tests/process_check.py makes pytest use it; bench/guard.py, the benchmarks.
"""
import atexit
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

TAG_VARIABLE = "WUFEI_STARTED_BY"
TAG = f"{os.environ.get(TAG_VARIABLE, '')}/{os.getpid()}.{secrets.token_hex(4)}"

_running: set[subprocess.Popen] = set()


@dataclass(frozen=True)
class Running:
    pid: int
    group: int
    command: str
    tag: str  # its starters', outermost first; "" for a child started without `start`


def start(args: list[str], env: dict | None = None, **popen_kwargs) -> subprocess.Popen:
    """subprocess.Popen in a group of its own, tagged as ours. Stop it with `stop`."""
    env = {**(os.environ if env is None else env), TAG_VARIABLE: TAG}
    process = subprocess.Popen(args, env=env, start_new_session=True, **popen_kwargs)
    _running.add(process)
    return process


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM the process's group; SIGKILL what is left of it after `timeout` s."""
    if process.returncode is None:
        _signal_group(process, signal.SIGTERM)
        _wait_unreaped(process, timeout)
        # The group outlives its leader when a member ignores SIGTERM or is busy; finish it. The
        # leader is still a zombie here, so its pid (the group's id) cannot be anyone else's yet.
        _signal_group(process, signal.SIGKILL)
        process.wait()
    else:
        # Reaped already (wait, poll, communicate): pids come round again within minutes on a
        # busy machine, so only what carries our tag in its group is killed, one by one.
        for member in running():
            if member.group == process.pid:
                _kill(member.pid)
    _running.discard(process)


def run(args: list[str], *, timeout: float | None = None, check: bool = False,
        capture_output: bool = False, **popen_kwargs) -> subprocess.CompletedProcess:
    """subprocess.run, except that on a timeout or an interrupt the command's whole group is
    stopped (subprocess.run kills the command alone), and so is anything it left running."""
    if capture_output:
        popen_kwargs.update(stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process = start(args, **popen_kwargs)
    try:
        out, err = process.communicate(timeout=timeout)
    finally:
        stop(process, timeout=5)
    result = subprocess.CompletedProcess(args, process.returncode, out, err)
    if check:
        result.check_returncode()
    return result


def running() -> list[Running]:
    """Live processes this process started, at any depth, with or without `start`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            tag = _tag(entry)
            ours = tag == TAG or tag.startswith(TAG + "/") or _descends_from_me(entry)
            if ours and _state(entry) not in "ZX":  # a zombie has exited: it only awaits reaping
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
                found.append(Running(int(entry.name), int(_stat(entry)[2]), command, tag))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue  # gone while we looked, or someone else's
    return found


def stop_all() -> list[Running]:
    """Stop everything this process started; return what was still running beforehand."""
    left = running()
    for process in list(_running):
        stop(process, timeout=5)
    for leftover in left:  # orphans in other groups, children started without `start`
        _kill(leftover.pid)
    return left


# A safety net for paths that skip the finalisers (an exception raised inside one, say).
atexit.register(stop_all)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:  # the group is gone already
        pass


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait_unreaped(process: subprocess.Popen, timeout: float) -> None:
    """Wait until the process has exited, leaving it a zombie (waitid WNOWAIT)."""
    deadline = time.monotonic() + timeout
    while process.returncode is None and time.monotonic() < deadline:
        if os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
            return
        time.sleep(0.05)


def _tag(entry: Path) -> str:
    for variable in (entry / "environ").read_bytes().split(b"\0"):
        name, _, value = variable.partition(b"=")
        if name == TAG_VARIABLE.encode():
            return value.decode()
    return ""


def _stat(entry: Path) -> list[str]:
    # After the command name, which is in parentheses and may hold spaces: state, ppid, pgrp, …
    return (entry / "stat").read_text().rpartition(")")[2].split()


def _state(entry: Path) -> str:
    return _stat(entry)[0]


def _descends_from_me(entry: Path) -> bool:
    pid = int(entry.name)
    while pid > 1:
        pid = int(_stat(Path(f"/proc/{pid}"))[1])
        if pid == os.getpid():
            return True
    return False
