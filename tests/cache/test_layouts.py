"""Stored layouts (abicheck.cache.layouts): a warm run answers from them
without reading the unit, and must answer exactly what laying out afresh
with the cache off answers (those layouts are checked against the oracles
by tests/test_oracle_headers.py and the layout tests).  Each stale case
changes one thing a stored answer depends on (the header's bytes behind an
unchanged stat, the target row, the entry, the code), then compares with a
run whose cache is off."""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys

import pytest

from abicheck import api, cache, limits
from abicheck.cache import layouts
from abicheck.errors import LimitError
from abicheck.frontend import LazyTranslation, clear_memo
from abicheck.layout import Layouter
from abicheck.targets import all_targets, get_target
from abicheck.views import pahole
from abicheck.views.pahole_options import TextOptions
from debian_headers import include_dirs

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADERS = ["linux/types.h", "linux/signal.h", "linux/stat.h", "linux/input.h", "linux/perf_event.h",
           "linux/if_link.h", "asm/sigcontext.h", "linux/bpf.h"]
ABIS = ("amd64", "arm64", "armhf", "i386", "s390x", "mips64el", "powerpc", "m68k")  # Debian's names


def _cases():
    out = []
    for t in all_targets():
        if t.debian_arch in ABIS:
            dirs = include_dirs(t)
            if dirs:
                out.append((t, dirs))
    return out


CASES = _cases()


def _run(target, dirs, headers=HEADERS):
    """Every record each header declares (else its typedefs): JSON and
    pahole text (the text reads ``Member.facts``, whose engine a stored
    layout gets back lazily), as a fresh process would see them."""
    clear_memo()
    out, lazy = [], []
    for h, tr in zip(headers, api.translate_each([([h], target, dirs) for h in headers])):
        if isinstance(tr, Exception):
            out.append(("error", str(tr)))
            continue
        lazy.append(isinstance(tr, LazyTranslation))
        names = api.declared_records(tr, [h]) or api.declared_typedefs(tr, [h])
        lays = api.layout_translation(tr, names)
        json_only = [x.to_json() for x in lays]
        unread = "unit" not in tr.__dict__           # a lazy unit not read by the JSON
        opts = TextOptions(layouter=Layouter(tr.unit, tr.target))
        out.append((names, json_only, [pahole.render(x, opts) for x in lays]))
        lazy[-1] = lazy[-1] and unread
    layouts.flush()
    return out, lazy


@pytest.mark.skipif(not CASES, reason="no Debian cross headers installed")
@pytest.mark.parametrize("target,dirs", CASES, ids=[t.name for t, _ in CASES])
def test_warm_layouts_are_the_cold_ones(target, dirs, tmp_path, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path))
    with cache.use(False):
        plain, _ = _run(target, dirs)
    filling, lazy_filling = _run(target, dirs)
    warm, lazy_warm = _run(target, dirs)
    assert plain == filling == warm
    assert not any(lazy_filling)
    assert lazy_warm and all(lazy_warm)        # answered from the store, the unit never read for JSON
    assert sum(len(p[1]) for p in plain if p[0] != "error") > 20


# --- stale cases, on a small header (host gcc's x86_64 is the oracle) ----------

@pytest.fixture
def inc(tmp_path, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ABICHECK_CPP", raising=False)
    d = tmp_path / "inc"
    d.mkdir()
    (d / "a.h").write_text("struct s { char a; char b; };\n")
    clear_memo()
    yield d
    layouts.flush()
    clear_memo()


def _layout(inc, target=None, no_cache=False):
    t = target or get_target("x86_64")

    def go():
        clear_memo()
        (tr,) = api.translate_each([(["a.h"], t, [str(inc)])])
        got = [x.to_json() for x in api.layout_translation(tr, api.declared_records(tr, ["a.h"]))]
        layouts.flush()
        return got, tr
    if no_cache:
        with cache.use(False):
            return go()
    return go()


def test_a_hidden_edit_of_the_header_is_seen(inc):
    _layout(inc)
    _, tr = _layout(inc)
    assert isinstance(tr, LazyTranslation)
    h = inc / "a.h"
    st = os.stat(h)
    h.write_text("struct s { long a; char b; };\n")       # same size; same mtime put back below
    assert os.stat(h).st_size == st.st_size
    os.utime(h, ns=(st.st_atime_ns, st.st_mtime_ns))
    got, _ = _layout(inc)
    assert got == _layout(inc, no_cache=True)[0]
    assert got[0]["size"] == 16                 # gcc: long at 0, char at 8, padded to 16


def test_another_target_row_is_another_entry(inc):
    base = get_target("x86_64")
    _layout(inc, base)
    other = dataclasses.replace(base, record_min_align=4)
    assert layouts.key("x", (), base) != layouts.key("x", (), other)
    got, tr = _layout(inc, other)
    assert not isinstance(tr, LazyTranslation)
    assert got == _layout(inc, other, no_cache=True)[0]
    assert got != _layout(inc, base)[0]            # the row's change shows: not the stored answer


def _entries(tmp):
    root = tmp / "cache" / cache.generation() / layouts.KIND
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs]


@pytest.mark.parametrize("damage", ["truncate", "flip", "planted"])
def test_a_damaged_entry_is_ignored(inc, damage):
    import pickle
    want = _layout(inc, no_cache=True)[0]
    _layout(inc)
    (path,) = _entries(inc.parent)
    raw = open(path, "rb").read()
    if damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "flip":
        raw = raw[:-5] + bytes([raw[-5] ^ 0xFF]) + raw[-4:]
    if damage == "planted":     # a whole, well-formed entry whose layout is not one
        k = os.path.basename(os.path.dirname(path)) + os.path.basename(path)
        payload = pickle.dumps((0, {("records", "a.h"): ("struct s",)},
                                {"struct s": pickle.dumps(os.getcwd)}), protocol=5)
        cache.store(layouts.KIND, k, payload)
    else:
        with open(path, "wb") as f:
            f.write(raw)
    got, _ = _layout(inc)
    assert got == want
    assert _layout(inc)[0] == want             # and after it was written again


def test_another_abicheck_is_another_entry(inc, monkeypatch):
    _layout(inc)
    assert isinstance(_layout(inc)[1], LazyTranslation)
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "0" * 64)   # another version's code
    got, tr = _layout(inc)
    assert not isinstance(tr, LazyTranslation)
    assert got == _layout(inc, no_cache=True)[0]


def test_a_lower_nesting_limit_still_refuses(inc):
    (inc / "a.h").write_text("struct s { struct { struct { int x; } b; } a; };\n")
    _layout(inc)
    assert isinstance(_layout(inc)[1], LazyTranslation)
    clear_memo()
    with limits.use(dataclasses.replace(limits.active(), nesting=2)):
        (got,) = api.translate_each([(["a.h"], get_target("x86_64"), [str(inc)])])
        with pytest.raises(LimitError):
            api.translate(["a.h"], get_target("x86_64"), [str(inc)])
    assert isinstance(got, LimitError)


def test_no_cache_writes_no_layouts(inc):
    _layout(inc, no_cache=True)
    assert not _entries(inc.parent)


def test_an_unknown_type_still_reads_the_unit(inc):
    from abicheck.errors import UsageError
    _layout(inc)
    clear_memo()
    (tr,) = api.translate_each([(["a.h"], get_target("x86_64"), [str(inc)])])
    assert isinstance(tr, LazyTranslation)
    with pytest.raises(UsageError, match=r"unknown type 'struct t' \(did you mean 'struct s'\?\)"):
        api.layout_translation(tr, ["struct t"])
    assert tr.unit.records[("struct", "s")].fields     # the model, for what needs it


def test_two_processes_filling_at_once_agree(tmp_path):
    """Two CLI runs fill one cache at the same time, a third reads it: all
    print what a run with the cache off prints."""
    d = tmp_path / "inc"
    d.mkdir()
    for i in range(12):
        (d / f"h{i}.h").write_text(f"struct s{i} {{ char c; long v[{i + 1}]; short t; }};\n")
    argv = [sys.executable, "-m", "abicheck", "layout", *[f"h{i}.h" for i in range(12)],
            "-I", str(d), "-t", "x86_64,arm64,i386", "--format", "json"]
    env = dict(os.environ, ABICHECK_CACHE_DIR=str(tmp_path / "c"))
    plain = subprocess.run(argv + ["--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    procs = [subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate()[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    stored = [f for _, _, fs in os.walk(tmp_path / "c" / cache.generation() / layouts.KIND) for f in fs]
    assert len(stored) == 3                     # one translation per target, each stored whole
    third = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    assert outs == [plain.stdout, plain.stdout] and third.stdout == plain.stdout


def test_workers_of_a_parallel_run_store_their_layouts(tmp_path):
    """``-j``: each target's piece is laid out in a forked worker, which
    ends without atexit hooks; its layouts are stored all the same, and the
    next run prints the same."""
    d = tmp_path / "inc"
    d.mkdir()
    (d / "a.h").write_text("struct s { char c; long v; };\n")
    argv = [sys.executable, "-m", "abicheck", "layout", "a.h", "-I", str(d), "-j", "2",
            "-t", "x86_64,i386,arm64", "--format", "json"]
    env = dict(os.environ, ABICHECK_CACHE_DIR=str(tmp_path / "c"))
    first = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    stored = [f for _, _, fs in os.walk(tmp_path / "c" / cache.generation() / layouts.KIND) for f in fs]
    assert len(stored) == 3
    again = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    plain = subprocess.run(argv + ["--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert first.stdout == again.stdout == plain.stdout


def test_a_stored_layout_gets_the_engine_of_the_store_it_is_read_from(inc):
    """Facts are stored without their engine (no persistent id: the
    pickler would call back for every object) and read back with the
    store's; a layout holding an engine anywhere else is not stored."""
    (tr,) = api.translate_each([(["a.h"], get_target("x86_64"), [str(inc)])])
    eng = Layouter(tr.unit, tr.target)
    lay = eng.layout("struct s")
    store = layouts.Store("k", 0, {}, {}, False)
    store.keep_layout("struct s", lay)
    store.keep_layout("bad", dataclasses.replace(lay, name="bad", loc=eng))
    assert set(store._stored) == {"struct s"}
    assert b"Layouter" not in store._stored["struct s"]
    made = []
    store.bind(lambda: made.append(1) or eng)
    back = store.layout("struct s")
    assert back.to_json() == lay.to_json()
    assert not made                          # the engine is built only when a fact asks
    assert [m.natural_align for m in back.members()] == [1, 1]   # char, char
    assert made == [1]
