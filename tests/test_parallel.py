"""``-j N``: items computed in N processes, gathered in item order; the first
failure in item order wins, as in one process."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from abicheck import limits, parallel
from abicheck.runs import Plan


@pytest.fixture(autouse=True)
def _enough_cpus(monkeypatch):
    """The tests ask for up to 3 workers; a 1-CPU runner would cap them to 1."""
    monkeypatch.setattr(parallel, "_cpus", lambda: 8)


def _plan(compute, n=6):
    return Plan("test", {}, [str(i) for i in range(n)], list(range(n)), compute,
                lambda c, p: ("", 0))


def test_items_run_in_other_processes_in_order():
    with limits.use(limits.Limits(jobs=3)):
        got = parallel.compute_all(_plan(lambda i: {"i": i, "pid": os.getpid(),
                                                    "jobs": limits.jobs()}))
    assert [p["i"] for p in got] == list(range(6))
    assert os.getpid() not in {p["pid"] for p in got}
    assert {p["jobs"] for p in got} == {1}, "a worker runs its own cpp one at a time"


def test_one_process_without_j(monkeypatch):
    monkeypatch.delenv("ABICHECK_JOBS", raising=False)
    got = parallel.compute_all(_plan(lambda i: {"pid": os.getpid()}))
    assert {p["pid"] for p in got} == {os.getpid()}
    monkeypatch.setenv("ABICHECK_JOBS", "2")
    got = parallel.compute_all(_plan(lambda i: {"pid": os.getpid()}))
    assert os.getpid() not in {p["pid"] for p in got}


def test_first_failure_in_item_order_wins():
    def compute(i):
        if i == 1:
            time.sleep(0.5)          # finishes after item 4 has failed
            raise ValueError("item 1")
        if i == 4:
            raise ValueError("item 4")
        return {"i": i}
    with limits.use(limits.Limits(jobs=3)):
        with pytest.raises(ValueError, match="item 1"):
            parallel.compute_all(_plan(compute))


_SLOW_RUN = """
import os, sys, time
sys.path.insert(0, os.getcwd())
from abicheck import limits, parallel
from abicheck.runs import Plan
out = sys.argv[1]
parallel._cpus = lambda: 2      # two workers even on a 1-CPU runner
def compute(i):
    with open(out, "a") as f:
        f.write(f"{os.getpid()}\\n")
    time.sleep(60)
    return {}
plan = Plan("test", {}, ["0", "1"], [0, 1], compute, lambda c, p: ("", 0))
with limits.use(limits.Limits(jobs=2)):
    parallel.compute_all(plan)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs /proc (Linux)")
def test_workers_die_with_the_parent(tmp_path):
    """A CI runner's SIGTERM to abicheck (parent) must not leave -j workers
    running their items."""
    pids_file = tmp_path / "pids"
    parent = subprocess.Popen([sys.executable, "-c", _SLOW_RUN, str(pids_file)])
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if pids_file.exists() and len(pids_file.read_text().split()) == 2:
                break
            time.sleep(0.05)
        pids = [int(x) for x in pids_file.read_text().split()]
        assert len(pids) == 2 and all(_alive(p) for p in pids)
        parent.send_signal(signal.SIGTERM)
        parent.wait(10)
        deadline = time.monotonic() + 5
        while any(_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [p for p in pids if _alive(p)]
        for p in left:
            os.kill(p, signal.SIGKILL)
        assert not left, "workers outlived their parent"
    finally:
        parent.kill()
        parent.wait()


def test_pool_is_capped_by_items_cpus_and_max(monkeypatch):
    monkeypatch.setattr(parallel, "_cpus", lambda: 4)
    with limits.use(limits.Limits(jobs=1000)):
        assert parallel.pool_size(3) == 3
        assert parallel.pool_size(100) == 4
        monkeypatch.setattr(parallel, "_cpus", lambda: 1000)
        assert parallel.pool_size(10**6) == parallel.MAX_WORKERS == 64


def test_j_beyond_the_cpus_forks_no_more_workers(monkeypatch):
    monkeypatch.setattr(parallel, "_cpus", lambda: 2)

    def compute(i):
        time.sleep(0.2)
        return {"pid": os.getpid()}
    with limits.use(limits.Limits(jobs=50)):
        got = parallel.compute_all(_plan(compute))
    assert len({p["pid"] for p in got}) <= 2


@pytest.mark.parametrize("value", ["abc", "0", "-2", "\u0663", "\u00b2"])
def test_bad_abicheck_jobs_is_a_usage_error(monkeypatch, capsys, value):
    """As ``-j abc`` is: one line, exit 2 (before: silently one process)."""
    from abicheck.cli import main
    monkeypatch.setenv("ABICHECK_JOBS", value)
    assert main(["check", "--headers", "pkeys-v1", "-t", "x86_64"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1 and "ABICHECK_JOBS" in out.err


@pytest.mark.parametrize("value", ["\u0663", "\u00b2", "0", ""])
def test_bad_j_is_a_usage_error(capsys, value):
    from abicheck.cli import main
    assert main(["check", "--headers", "pkeys-v1", "-t", "x86_64", "-j", value]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err.count("\n") == 1 and "-j/--jobs" in out.err
