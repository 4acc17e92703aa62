"""Confinement verdicts kept in cpp cache entries (abicheck.cache.preprocessed):
a hit whose files are unchanged skips the check; every way the verdict
could go stale (a link retargeted out of the roots behind identical
content, ``--allow-include-outside`` on the run that stored it, a lower
size bound, a dependency too recent to trust) checks again and refuses
what a run with the cache off refuses."""
from __future__ import annotations

import dataclasses
import importlib
import os

import pytest

from abicheck import api, cache, limits
from abicheck.cache import preprocessed
from abicheck.errors import AbicheckError, ConfinementError, LimitError
from abicheck.frontend import clear_memo, confine
from abicheck.targets import get_target

pp = importlib.import_module("abicheck.frontend.preprocess")


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """inc/a.h includes "b.h", a link to inc/sub/b.h; out/b.h (outside the
    include directory) has the very same bytes."""
    if pp._gcc() is None:
        pytest.skip("no gcc: pcpp runs, and pcpp is never cached")
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ABICHECK_CPP", raising=False)
    inc, out = tmp_path / "inc", tmp_path / "out"
    (inc / "sub").mkdir(parents=True)
    out.mkdir()
    (inc / "a.h").write_text('#include "b.h"\nstruct s { B x; };\n')
    for d in (inc / "sub", out):
        (d / "b.h").write_text("typedef long B;\n")
    os.symlink(inc / "sub" / "b.h", inc / "b.h")
    clear_memo()
    yield tmp_path
    clear_memo()


@pytest.fixture
def trusted(monkeypatch):
    """Files written by the test count as aged (their stat is trusted)."""
    monkeypatch.setattr(preprocessed, "_RACY_NS", -10 ** 12)


@pytest.fixture
def checks(monkeypatch):
    count = [0]
    real = confine.check_entries

    def counting(*a, **k):
        count[0] += 1
        return real(*a, **k)
    monkeypatch.setattr(confine, "check_entries", counting)
    return count


def _size(tree, no_cache=False) -> int | AbicheckError:
    clear_memo()
    try:
        if no_cache:
            with cache.use(False):
                tr = api.translate(["a.h"], get_target("x86_64"), [str(tree / "inc")])
        else:
            tr = api.translate(["a.h"], get_target("x86_64"), [str(tree / "inc")])
    except AbicheckError as e:
        return e
    return api.layout_translation(tr, ["struct s"])[0].size


def test_an_unchanged_hit_is_not_checked_again(tree, trusted, checks):
    assert _size(tree) == 8                         # gcc: long is 8 bytes on x86_64
    ran = checks[0]
    assert ran == 1
    assert _size(tree) == 8
    assert checks[0] == ran                         # the verdict kept in the entry
    assert _size(tree, no_cache=True) == 8 and checks[0] == ran + 1


def test_a_link_retargeted_out_of_the_roots_is_refused(tree, trusted, checks):
    assert _size(tree) == 8 and _size(tree) == 8
    os.unlink(tree / "inc" / "b.h")
    os.symlink(tree / "out" / "b.h", tree / "inc" / "b.h")     # same bytes, outside
    got = _size(tree)
    want = _size(tree, no_cache=True)
    assert isinstance(got, ConfinementError) and str(got) == str(want)
    assert "leaves the include directories" in str(got)


def test_a_verdict_under_allow_include_outside_does_not_carry_over(tree, trusted):
    os.unlink(tree / "inc" / "b.h")
    os.symlink(tree / "out" / "b.h", tree / "inc" / "b.h")
    with limits.use(dataclasses.replace(limits.active(), allow_include_outside=True)):
        assert _size(tree) == 8 and _size(tree) == 8
    got = _size(tree)
    assert isinstance(got, ConfinementError) and str(got) == str(_size(tree, no_cache=True))


def test_a_lower_input_size_is_still_enforced(tree, trusted):
    assert _size(tree) == 8 and _size(tree) == 8
    with limits.use(dataclasses.replace(limits.active(), input_size=10)):
        got = _size(tree)
        want = _size(tree, no_cache=True)
    assert isinstance(got, LimitError) and str(got) == str(want)


def test_a_dependency_too_recent_to_trust_is_checked(tree, checks):
    # no ``trusted``: the files were just written, their stat may not show
    # a change within the clock's granularity, so no verdict is reused
    assert _size(tree) == 8
    ran = checks[0]
    assert _size(tree) == 8 and checks[0] == ran + 1
    assert _size(tree) == 8 and checks[0] == ran + 2      # not even after a check on a hit


def test_a_stat_refreshed_drops_the_verdicts(tree, trusted, checks):
    assert _size(tree) == 8 and _size(tree) == 8
    ran = checks[0]
    os.utime(tree / "inc" / "sub" / "b.h", ns=(1, 10 ** 18))   # touched: same bytes, new stat
    assert _size(tree) == 8 and checks[0] == ran + 1
