"""The cycle collector's threshold is raised while parsing and put back
after, however the parses nest or overlap (frontend/collector.py)."""
from __future__ import annotations

import gc
import threading
import weakref

import pytest

from abicheck.frontend import collector, parse


@pytest.fixture
def threshold():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*before)


def test_raised_while_parsing_and_put_back(threshold):
    seen = []
    real = parse._parse

    def spy(*a):
        seen.append(gc.get_threshold())
        return real(*a)
    parse._parse, saved = spy, parse._parse
    try:
        parse.parse("struct s { int a; };\n")
    finally:
        parse._parse = saved
    assert seen == [(collector.THRESHOLD, 10, 10)]
    assert gc.get_threshold() == (700, 10, 10)


def test_put_back_after_an_error(threshold):
    with pytest.raises(Exception):
        parse.parse("struct s { int a }\n")
    assert gc.get_threshold() == (700, 10, 10)


def test_overlapping_threads_restore_once(threshold):
    inside = threading.Barrier(2)
    leave = threading.Event()

    def worker():
        with collector.fewer_collections():
            inside.wait()
            leave.wait()
    t = threading.Thread(target=worker)
    t.start()
    with collector.fewer_collections():
        inside.wait()
        with collector.fewer_collections():
            assert gc.get_threshold()[0] == collector.THRESHOLD
    assert gc.get_threshold()[0] == collector.THRESHOLD      # the thread still parses
    leave.set()
    t.join()
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("own", [0, 100_000])
def test_a_callers_own_setting_stays(own):
    before = gc.get_threshold()
    gc.set_threshold(own, 10, 10)
    try:
        with collector.fewer_collections():
            assert gc.get_threshold()[0] == own
        assert gc.get_threshold()[0] == own
    finally:
        gc.set_threshold(*before)


class _Node:
    me: object = None


def test_settled_keeps_what_lives_out_of_collections_and_hands_it_back():
    assert gc.get_freeze_count() == 0
    kept = [[i] for i in range(1000)]
    with collector.settled():
        assert gc.get_freeze_count() >= len(kept)
        # garbage made in the block is still collected
        node = _Node()
        node.me = node                  # a cycle: only the collector frees it
        probe = weakref.ref(node)
        del node
        gc.collect()
        assert probe() is None
    assert gc.get_freeze_count() == 0
    del kept                            # alive through the block, on purpose


def test_settled_leaves_someone_elses_freeze_alone():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.settled():
            pass
        assert gc.get_freeze_count() == frozen        # not unfrozen by us
    finally:
        gc.unfreeze()
