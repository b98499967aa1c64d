"""pytest plugin: a run stops what it started, even when interrupted, and proves it.

SIGTERM ends the run the way Ctrl-C does, so the fixtures' finalisers run; and the run fails if
anything it started (tests/processes.py) is still alive once every fixture is torn down.
"""
import signal

import pytest

from tests import processes


def _sigterm_is_an_interrupt(signum, frame):
    # pytest handles KeyboardInterrupt by tearing down every fixture set up so far; SIGTERM's
    # default (die at once) would skip that and orphan whatever the fixtures had started.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt(f"signal {signum}")


def pytest_configure(config):
    signal.signal(signal.SIGTERM, _sigterm_is_an_interrupt)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_sessionfinish(session):
    # After the yield every fixture has been torn down, and with it what it started; this runs
    # before the terminal summary is printed.
    result = yield
    left = processes.stop_all()
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.ensure_newline()
        reporter.section("processes left behind (stopped now): the run fails", sep="=", red=True, bold=True)
        for leftover in left:
            reporter.line(f"{leftover.pid}: {leftover.command}", red=True)
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
    return result
