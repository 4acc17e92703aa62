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


def test_growing_freezes_at_each_step_and_hands_back_once_at_the_outer_end():
    assert gc.get_freeze_count() == 0
    with collector.growing() as outer:
        assert gc.get_freeze_count() == 0          # nothing frozen before a step
        kept = [[i] for i in range(1000)]
        outer.step()
        first = gc.get_freeze_count()
        assert first >= len(kept)
        with collector.growing() as inner:        # nested (a diff under the CLI's block)
            more = [[i] for i in range(1000)]
            inner.step()
            assert gc.get_freeze_count() >= first + len(more)
        assert gc.get_freeze_count() >= first + len(more)    # not handed back by the inner end
        with collector.settled():
            pass
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    del kept, more


def test_growing_leaves_someone_elses_freeze_alone():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.growing() as growth:
            [[i] for i in range(100)]
            growth.step()                           # not ours: no freeze
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()


def test_a_failed_translation_holds_no_frame_and_so_nothing_of_its_batch(tmp_path, monkeypatch):
    """An error handed back by translate_each holds no traceback: one would
    hold the frames it passed through, and their locals (the other
    translations of the batch), in a cycle only a full collection breaks;
    the good translation beside it is freed as soon as it is dropped (with
    the cache off: the layout store keeps what it wrote to the end)."""
    from abicheck.frontend import translate_each
    monkeypatch.setenv("ABICHECK_CACHE", "0")
    from abicheck.targets import get_target
    (tmp_path / "good.h").write_text("struct good { int a; };\n")
    (tmp_path / "bad.h").write_text("struct bad { undeclared_t a; };\n")
    (tmp_path / "badcpp.h").write_text("#include <nowhere.h>\n")
    # the diagnosis reads on past the unknown type and lays out what it
    # can: the incomplete member's error is one it weighs (``first_error``)
    (tmp_path / "worse.h").write_text("struct worse { undeclared_t a; struct gone g; };\n")
    t = get_target("x86_64")
    gc.disable()
    try:
        got = translate_each([([h], t, [str(tmp_path)])
                              for h in ("good.h", "bad.h", "badcpp.h", "worse.h")])
        good, errors = got[0], got[1:]
        assert all(isinstance(e, Exception) for e in errors)
        assert all(e.__traceback__ is None and (e.__context__ is None or
                                                e.__context__.__traceback__ is None)
                   for e in errors)
        probe = weakref.ref(good)
        del got, good
        assert probe() is None
    finally:
        gc.enable()
