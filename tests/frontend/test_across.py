"""One header set on many targets (frontend/across.py): each target's
translation comes as soon as its own cpp run is done, in target order,
errors too; runs started ahead are taken over, not run twice; nothing is
left running."""
from __future__ import annotations

import sys
import threading

import pytest

from abicheck import cache, limits
from abicheck.errors import AbicheckError
from abicheck.frontend import across, clear_memo
from abicheck.frontend.preprocess import _gcc
from abicheck.targets import get_target

pytestmark = pytest.mark.skipif(not _gcc(), reason="needs gcc")

NAMES = ["x86_64", "i386", "aarch64", "riscv64"]


@pytest.fixture
def header(tmp_path):
    # the header spells each target's own macro, so that no target's run
    # stands in for another's (frontend/stand_in.py): every target runs cpp
    (tmp_path / "h.h").write_text("struct s { long v; }; /* __x86_64__ __i386__ __aarch64__ __riscv */\n")
    clear_memo()
    with cache.use(False), limits.use(limits.Limits(jobs=2)):
        yield str(tmp_path)


def _counting(monkeypatch, hold: threading.Event | None = None):
    """Count the cpp runs (by the target's own macro); with ``hold``, the runs
    after the first target's wait for it (at most 10 s) and note whether it
    was set when they went on."""
    calls: list[tuple[str, bool]] = []
    pp = sys.modules["abicheck.frontend.preprocess"]
    real = pp.run
    own = {"__x86_64__": "x86_64", "__i386__": "i386", "__aarch64__": "aarch64", "__riscv": "riscv64"}

    def spy(req):
        name = next(n for m, n in own.items() if m in req.macros)
        waited = True
        if hold is not None and name != NAMES[0]:
            waited = hold.wait(10)
        calls.append((name, waited))
        return real(req)
    monkeypatch.setattr(pp, "run", spy)
    return calls


def test_the_first_target_comes_before_the_last_run_ends(header, monkeypatch):
    hold = threading.Event()
    calls = _counting(monkeypatch, hold)
    ts = [get_target(n) for n in NAMES]
    stream = across.translate_stream(["h.h"], ts, [header])
    first = next(stream)
    hold.set()              # only now may the other targets' cpp runs go on
    rest = list(stream)
    assert [tr.target.name for tr in [first, *rest]] == NAMES
    assert sorted(calls) == sorted((n, True) for n in NAMES)
    assert [tr.unit.records[("struct", "s")].fields[0].name for tr in [first, *rest]] == ["v"] * 4


def test_the_first_failing_target_in_target_order_raises(tmp_path):
    # i386 fails in cpp, x86_64 (before it) in the parse: the parse wins
    (tmp_path / "h.h").write_text("#ifdef __i386__\n#error no port\n#endif\n"
                                  "#ifdef __x86_64__\nstruct s { int v }\n#endif\n")
    clear_memo()
    with cache.use(False), limits.use(limits.Limits(jobs=2)):
        with pytest.raises(AbicheckError, match=r"\(target x86_64\)$"):
            across.translate_all(["h.h"], [get_target(n) for n in NAMES], [str(tmp_path)])
        with pytest.raises(AbicheckError, match=r"no port \(target i386\)$"):
            across.translate_all(["h.h"], [get_target(n) for n in NAMES[1:]], [str(tmp_path)])


def test_an_early_stop_leaves_no_thread_running(header):
    before = threading.active_count()
    stream = across.translate_stream(["h.h"], [get_target(n) for n in NAMES], [header])
    next(stream)
    stream.close()
    assert threading.active_count() == before


def test_runs_started_ahead_are_taken_over(header, monkeypatch):
    calls = _counting(monkeypatch)
    ts = [get_target(n) for n in NAMES]
    across.start(["h.h"], ts, [header])
    got = across.translate_all(["h.h"], ts, [header])
    assert [tr.target.name for tr in got] == NAMES
    assert sorted(n for n, _ in calls) == sorted(NAMES)       # once each, not twice
    assert not across._AHEAD


def test_runs_started_for_another_request_are_not_used(header, monkeypatch):
    before = threading.active_count()
    calls = _counting(monkeypatch)
    ts = [get_target(n) for n in NAMES]
    across.start(["h.h"], ts, [header], ["X=1"])
    got = across.translate_all(["h.h"], ts, [header])
    assert "X" not in got[0].macro_map
    assert len(calls) == 8 and across._AHEAD        # the other request's runs are kept
    across._AHEAD.popitem()[1].close()
    assert threading.active_count() == before


def test_runs_started_on_other_rows_of_the_same_names_are_closed(header):
    import dataclasses
    before = threading.active_count()
    ts = [get_target(n) for n in NAMES]
    across.start(["h.h"], [dataclasses.replace(ts[0], biggest_alignment=8), *ts[1:]], [header])
    got = across.translate_all(["h.h"], ts, [header])
    assert [tr.target for tr in got] == ts and not across._AHEAD
    assert threading.active_count() == before       # the other runs were closed


def test_the_front_end_starts_cpp_without_the_model():
    # what a cold `check` imports before its cpp runs start (subcommands/check.py)
    from fresh_imports import modules_after
    got = modules_after("import abicheck.subcommands.check, abicheck.frontend.across, "
                        "abicheck.checks.spec_load")
    assert not {"abicheck.model", "pycparser", "abicheck.layout"} & set(got)


def test_a_warm_run_starts_no_thread(tmp_path, monkeypatch):
    # the cpp cache is looked up in the calling thread: only misses need threads
    # the header spells each target's own macro, so that no target's run
    # stands in for another's (frontend/stand_in.py): every target runs cpp
    (tmp_path / "h.h").write_text("struct s { long v; }; /* __x86_64__ __i386__ __aarch64__ __riscv */\n")
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    ts = [get_target(n) for n in NAMES]
    with cache.use(True), limits.use(limits.Limits(jobs=2)):
        first = across._Runs(["h.h"], ts, [str(tmp_path)], [], False, None)
        assert first.pool is not None
        [f.result() for f in first.futures]
        first.close()
        again = across._Runs(["h.h"], ts, [str(tmp_path)], [], False, None)
        assert again.pool is None and all(f.done() for f in again.futures)


def test_the_default_check_runs_cpp_once_per_target(monkeypatch, capsys):
    # check starts its runs before importing the checks (subcommands/check.py);
    # the stream its pieces read must take them over, not run cpp again: each
    # target's run is asked for once (and some are written from another
    # target's, frontend/stand_in.py)
    from abicheck.cli import main
    from abicheck.frontend import stand_in
    from abicheck.targets import all_targets
    asked, ran = [], []
    pp = sys.modules["abicheck.frontend.preprocess"]
    real, kin_run = pp.run, stand_in.Kin.run
    monkeypatch.setattr(pp, "run", lambda req: ran.append(1) or real(req))
    monkeypatch.setattr(stand_in.Kin, "run", lambda self, req: asked.append(tuple(req.macros.items())) or kin_run(self, req))
    monkeypatch.setenv("ABICHECK_JOBS", "")
    clear_memo()
    assert main(["check", "--no-cache"]) == 0
    assert len(set(asked)) == len(asked) == len(all_targets()) and not across._AHEAD
    assert 0 < len(ran) < len(asked)
