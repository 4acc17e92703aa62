"""The preprocessing side in a forked process (frontend/cpp_fork.py) hands
back what the threads of one process give, in the same order: the
threads' results are the oracle (they are what every run gave before),
and cpp's own output and errors are theirs."""
from __future__ import annotations

import os
import threading

import pytest

from abicheck.errors import AbicheckError
from abicheck.frontend import clear_memo, cpp_fork, translate_each
from abicheck.targets import get_target

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this system")


def _headers(tmp_path, n: int) -> list[str]:
    """``n`` headers: most plain, some cpp refuses, some with a diagnostic
    (run alone by the batch), some that do not parse."""
    names = []
    (tmp_path / "common.h").write_text("#pragma once\ntypedef unsigned int u32;\n")
    for k in range(n):
        name = f"h{k}.h"
        if k % 11 == 3:
            body = "#include <nowhere.h>\n"
        elif k % 11 == 5:
            body = '#warning "look"\nstruct w%d { char c; };\n' % k
        elif k % 11 == 7:
            body = "struct bad%d { undeclared_t a; };\n" % k
        else:
            body = '#include "common.h"\n#define H%d %d\nstruct s%d { u32 a; char b[H%d]; };\n' % (
                k, k + 1, k, k)
        (tmp_path / name).write_text(body)
        names.append(name)
    return names


def _translated(names, folder, fork: bool, monkeypatch) -> list:
    monkeypatch.setattr(cpp_fork, "ENABLED", fork)
    clear_memo()
    t = get_target("x86_64")
    out = []
    for tr in translate_each([([h], t, [str(folder)]) for h in names]):
        if isinstance(tr, AbicheckError):
            out.append((type(tr).__name__, str(tr)))
        else:
            out.append((tr.pre.text, tr.pre.entries, tr.pre.search_dirs, tr.pre.macros,
                        tr.pre.macros_exact, sorted(tr.unit.records)))
    return out


def test_forked_preprocessing_gives_what_the_threads_give(tmp_path, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE", "0")
    names = _headers(tmp_path, cpp_fork.MIN_JOBS + 10)
    forks = []
    real = cpp_fork.forked
    monkeypatch.setattr(cpp_fork, "forked", lambda *a: (forks.append(1), real(*a))[1])
    threads = _translated(names, tmp_path, False, monkeypatch)
    assert not forks
    if threading.active_count() != 1:
        pytest.skip("another test left a thread running: no fork then")
    forked = _translated(names, tmp_path, True, monkeypatch)
    assert forks == [1]                                 # it did go to a child
    assert forked == threads
    kinds = {x[0] for x in threads if isinstance(x[0], str) and len(x) == 2}
    assert {"PreprocessError", "ParseError"} <= kinds   # failures crossed the pipe too
    assert any("look" not in x[0] and len(x) > 2 for x in threads)


def test_forked_results_are_stored_in_the_cpp_cache_as_ever(tmp_path, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE", "1")
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "h"
    folder.mkdir()
    names = _headers(folder, cpp_fork.MIN_JOBS + 2)
    first = _translated(names, folder, True, monkeypatch)
    runs = []
    from abicheck.frontend import batch
    real = batch.preprocess_each
    monkeypatch.setattr(batch, "preprocess_each", lambda jobs, *a: (runs.append(len(jobs)),
                                                                    real(jobs, *a))[1])
    again = _translated(names, folder, True, monkeypatch)
    assert again == first
    # every good header came from the cache: only what failed in cpp runs again
    assert sum(runs) <= len([n for n in range(len(names)) if n % 11 == 3])


def _numbers(n):
    yield from range(n)


def test_a_child_that_dies_leaves_the_rest_to_the_parent():
    def dying():
        for k in range(10):
            if k == 5:
                os._exit(3)
            yield k
    got = list(cpp_fork.forked(dying, lambda n: iter(range(n, 10))))
    assert got == list(range(10))


def test_an_error_in_the_child_is_raised_in_the_parent():
    def failing():
        yield 1
        raise AbicheckError("a bug of ours, or a bound", None)
    items = cpp_fork.forked(failing, _numbers)
    assert next(items) == 1
    with pytest.raises(AbicheckError, match="a bug of ours"):
        next(items)


def test_a_parent_that_stops_early_stops_the_child(tmp_path):
    """The child is told at once (it may be waiting on cpp, writing
    nothing), cleans up as a closed generator does (``batch`` kills the cpp
    runs it started), and is waited for."""
    import time
    cleaned = tmp_path / "cleaned"

    def slow():
        try:
            yield 0
            time.sleep(120)         # a long cpp run, say
            yield 1
        finally:
            cleaned.write_text("yes")
    items = cpp_fork.forked(slow, _numbers)
    assert next(items) == 0
    began = time.monotonic()
    items.close()                   # SIGTERM, then the child is waited for
    assert time.monotonic() - began < 60
    assert cleaned.read_text() == "yes"
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)   # no child left behind (not even a zombie)


def test_no_fork_with_another_thread_running_or_few_jobs(monkeypatch):
    monkeypatch.setattr(cpp_fork, "_cpus", lambda: 2)
    assert cpp_fork.worth_it(cpp_fork.MIN_JOBS)
    assert not cpp_fork.worth_it(cpp_fork.MIN_JOBS - 1)
    stop = threading.Event()
    t = threading.Thread(target=stop.wait)
    t.start()
    try:
        assert not cpp_fork.worth_it(cpp_fork.MIN_JOBS)
    finally:
        stop.set()
        t.join()
    monkeypatch.setattr(cpp_fork, "_cpus", lambda: 1)
    assert not cpp_fork.worth_it(cpp_fork.MIN_JOBS)
