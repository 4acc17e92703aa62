"""``-j N``: items computed in N processes, gathered in item order; the first
failure in item order wins, as in one process."""
from __future__ import annotations

import os
import time

import pytest

from abicheck import limits, parallel
from abicheck.runs import Plan


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
