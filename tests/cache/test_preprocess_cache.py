"""The input-keyed cache in front of cpp (abicheck.cache.preprocessed).

A hit must give what running cpp gives: every test here changes one input
cpp reads (a dependency's bytes, a file that would shadow one, a -D, a
link), then compares with a run whose cache is off and, where it says
which, counts whether cpp ran.  Sizes come from the host gcc (the x86_64
oracle), never from abicheck itself."""
from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

from abicheck import api, cache
from abicheck.cache import preprocessed
from abicheck.errors import AbicheckError
from abicheck.frontend import clear_memo
from abicheck.targets import get_target

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
pp = importlib.import_module("abicheck.frontend.preprocess")


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A small include path: inc/a.h includes b.h through <...>; ``first``
    comes before ``inc`` in the search order and is empty."""
    import platform
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the host gcc is the x86_64 oracle")
    if pp._gcc() is None:
        pytest.skip("no gcc: pcpp runs, and pcpp is never cached")
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("ABICHECK_CPP", raising=False)
    clear_memo()
    inc, first = tmp_path / "inc", tmp_path / "first"
    inc.mkdir()
    first.mkdir()
    (inc / "a.h").write_text("#include <b.h>\nstruct s { T x; char c; };\n")
    (inc / "b.h").write_text("#ifndef T\n#define T int\n#endif\n")
    yield tmp_path
    clear_memo()


@pytest.fixture
def cpp_runs(monkeypatch):
    """How many times cpp really ran."""
    count = [0]
    real = pp._run_gcc

    def counting(*a, **k):
        count[0] += 1
        return real(*a, **k)
    monkeypatch.setattr(pp, "_run_gcc", counting)
    return count


def _dirs(tmp):
    return [str(tmp / "first"), str(tmp / "inc")]


def layout(tmp, defines=(), memo=False, header="a.h", dirs=None):
    """``struct s`` of ``header`` as JSON text, a fresh process's view
    unless ``memo`` (then this process's memory is kept)."""
    if not memo:
        clear_memo()
    tr = api.translate([header], get_target("x86_64"), dirs or _dirs(tmp), list(defines))
    return api.layout_translation(tr, ["struct s"])[0].to_json()


def uncached(tmp, defines=(), header="a.h", dirs=None):
    with cache.use(False):
        return layout(tmp, defines, header=header, dirs=dirs)


def gcc_size(tmp, defines=()):
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from oracle import Oracle, have_gcc
    if not have_gcc(("gcc",)):
        pytest.skip("gcc is not installed")
    return Oracle("gcc", gcc=("gcc",)).layout("#include <a.h>\n", ["struct s"], _dirs(tmp),
                                              list(defines))["struct s"]["size"]


def cpp_entries(tmp):
    d = tmp / "cache" / cache.generation() / preprocessed.KIND
    return sorted(os.path.join(dp, f) for dp, _, fs in os.walk(d) for f in fs)


def test_with_the_cache_off_no_key_is_made(tree, cpp_runs, monkeypatch):
    """A key hashes abicheck's sources (every module): with the cache off
    nothing would read it, and a cold ``check --no-cache`` paid for it."""
    def no(*a):
        raise AssertionError("a cache key was made with the cache off")
    monkeypatch.setattr(preprocessed, "request_key", no)
    assert uncached(tree)["size"] == gcc_size(tree)
    assert cpp_runs[0] == 1


def test_a_warm_run_does_not_run_cpp(tree, cpp_runs):
    first = layout(tree)
    assert cpp_runs[0] == 1 and len(cpp_entries(tree)) == 1
    assert layout(tree) == first == uncached(tree)     # from disk, then without the cache
    assert cpp_runs[0] == 2                            # only the uncached run ran cpp
    assert first["size"] == gcc_size(tree)


def test_in_process_the_same_object_comes_back(tree, cpp_runs):
    tr1 = api.translate(["a.h"], get_target("x86_64"), _dirs(tree))
    tr2 = api.translate(["a.h"], get_target("x86_64"), _dirs(tree))
    assert tr2.pre is tr1.pre and cpp_runs[0] == 1


def test_an_edit_hidden_from_stat_is_caught_by_the_content_hash(tree, cpp_runs):
    b = tree / "inc" / "b.h"
    b.write_text("#define T int \n")
    before = layout(tree)
    st = os.stat(b)
    b.write_text("#define T long\n")                       # same size
    assert os.stat(b).st_size == st.st_size
    os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns))        # mtime forced back
    runs = cpp_runs[0]
    got = layout(tree)
    assert cpp_runs[0] == runs + 1
    assert got == uncached(tree) and got != before
    assert got["size"] == gcc_size(tree) == 16 and before["size"] == 8


def test_touching_without_change_is_a_hit_and_refreshes_the_stat(tree, cpp_runs):
    first = layout(tree)
    (path,) = cpp_entries(tree)
    b = tree / "inc" / "b.h"
    st = os.stat(b)
    os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    runs = cpp_runs[0]
    assert layout(tree) == first
    assert cpp_runs[0] == runs                       # the content hash matched: no cpp
    assert cpp_entries(tree) == [path]


def test_a_new_file_shadowing_a_dependency_is_seen(tree, cpp_runs):
    first = layout(tree)
    assert first["size"] == 8
    (tree / "first" / "b.h").write_text("#define T long\n")    # found before inc/b.h now
    runs = cpp_runs[0]
    got = layout(tree)
    assert cpp_runs[0] == runs + 1
    assert got == uncached(tree)
    assert got["size"] == gcc_size(tree) == 16


def test_a_quoted_include_is_shadowed_by_the_includers_folder(tree, cpp_runs):
    sub = tree / "inc" / "sub"
    sub.mkdir()
    (sub / "c.h").write_text('#include "b.h"\nstruct s { T x; char c; };\n')
    dirs = [str(tree / "inc")]
    first = layout(tree, header="sub/c.h", dirs=dirs)
    assert first["size"] == 8
    (sub / "b.h").write_text("#define T long\n")          # the includer's folder comes first
    got = layout(tree, header="sub/c.h", dirs=dirs)
    assert got == uncached(tree, header="sub/c.h", dirs=dirs) and got["size"] == 16


def test_a_define_is_part_of_the_key(tree, cpp_runs):
    plain = layout(tree)
    runs = cpp_runs[0]
    longer = layout(tree, ["T=long"])
    assert cpp_runs[0] == runs + 1 and longer != plain
    assert longer["size"] == gcc_size(tree, ["T=long"])
    assert layout(tree, ["T=long"]) == longer and cpp_runs[0] == runs + 1


UNCACHEABLE = {
    "has_include": "#if __has_include(<nothere.h>)\n#define T long\n#else\n#define T int\n#endif\n",
    "counter": "#define T int\nenum { e = __COUNTER__ };\n",
    "date": "#define T int\n#define BUILT __DATE__ \" \" __TIME__\n",
}


@pytest.mark.parametrize("word", sorted(UNCACHEABLE))
def test_a_result_that_depends_on_absence_or_time_is_never_cached(tree, cpp_runs, word):
    (tree / "inc" / "b.h").write_text(UNCACHEABLE[word])
    assert layout(tree) == layout(tree) == uncached(tree)
    assert cpp_runs[0] == 3 and not cpp_entries(tree)
    if word == "has_include":
        assert layout(tree)["size"] == 8
        (tree / "inc" / "nothere.h").write_text("")    # now present: the other branch
        assert layout(tree)["size"] == 16 == gcc_size(tree)


def test_a_failure_is_not_cached(tree, cpp_runs):
    (tree / "inc" / "b.h").write_text("#error no such ABI\n")
    errs = []
    for _ in range(2):
        with pytest.raises(AbicheckError) as e:
            layout(tree)
        errs.append(str(e.value))
    assert errs[0] == errs[1] and "no such ABI" in errs[0]
    assert cpp_runs[0] == 2 and not cpp_entries(tree)


def test_a_link_retargeted_outside_is_refused_on_a_hit_as_on_a_miss(tree, cpp_runs):
    outside = tree / "outside"
    outside.mkdir()
    (outside / "b.h").write_bytes((tree / "inc" / "b.h").read_bytes())
    (tree / "inc" / "real-b.h").write_bytes((tree / "inc" / "b.h").read_bytes())
    os.unlink(tree / "inc" / "b.h")
    os.symlink(tree / "inc" / "real-b.h", tree / "inc" / "b.h")
    first = layout(tree)
    assert first["size"] == 8 and cpp_entries(tree)
    os.unlink(tree / "inc" / "b.h")
    os.symlink(outside / "b.h", tree / "inc" / "b.h")    # same bytes: the content hash matches
    runs = cpp_runs[0]
    with pytest.raises(AbicheckError) as hit:
        layout(tree)
    assert cpp_runs[0] == runs                           # served from the entry, still refused
    with pytest.raises(AbicheckError) as miss:
        uncached(tree)
    assert str(hit.value) == str(miss.value) and "leaves the include directories" in str(hit.value)
    assert type(hit.value) is type(miss.value) and hit.value.loc == miss.value.loc


@pytest.mark.parametrize("how", ["truncated", "flipped", "empty", "planted"])
def test_a_damaged_entry_is_ignored(tree, cpp_runs, how):
    first = layout(tree)
    (path,) = cpp_entries(tree)
    data = open(path, "rb").read()
    if how == "truncated":
        data = data[: len(data) // 2]
    elif how == "flipped":
        data = data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]
    elif how == "empty":
        data = b""
    else:                # well-formed, checksum right, but a pickle of a callable
        import hashlib
        import pickle
        payload = pickle.dumps(os.system)
        data = cache._MAGIC + hashlib.sha256(payload).digest() + payload
    with open(path, "wb") as f:
        f.write(data)
    runs = cpp_runs[0]
    assert layout(tree) == first
    assert cpp_runs[0] == runs + 1                       # cpp ran again, and rewrote it
    assert layout(tree) == first and cpp_runs[0] == runs + 1


def test_two_processes_filling_at_once(tree):
    env = {**os.environ, "PYTHONPATH": ROOT}
    argv = [sys.executable, "-m", "abicheck", "layout", "a.h", "-I", str(tree / "first"),
            "-I", str(tree / "inc"), "-t", "x86_64,i386,arm,s390x", "--format", "json"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
             for _ in range(2)]
    outs = [p.communicate() for p in procs]
    plain = subprocess.run(argv + ["--no-cache"], capture_output=True, env=env, cwd=ROOT)
    assert outs[0] == outs[1] == (plain.stdout, b"") and plain.stdout
    assert len(cpp_entries(tree)) == 4
    hit = subprocess.run(argv, capture_output=True, env=env, cwd=ROOT)
    assert hit.stdout == plain.stdout and hit.returncode == plain.returncode == 0


def test_the_macros_of_a_hit_are_cpps(tree):
    clear_memo()
    tr = api.translate(["a.h"], get_target("x86_64"), _dirs(tree))
    clear_memo()
    again = api.translate(["a.h"], get_target("x86_64"), _dirs(tree))
    assert again.pre is not tr.pre and again.pre == tr.pre       # macros compared too
    assert [m.name for m in again.macros if m.loc.file.endswith("b.h")] == ["T"]
    # the scanned macros were kept: a third run reads them from their entry
    d = tree / "cache" / cache.generation() / preprocessed.MACROS
    (kept,) = [os.path.join(dp, f) for dp, _, fs in os.walk(d) for f in fs]
    clear_memo()
    third = api.translate(["a.h"], get_target("x86_64"), _dirs(tree))
    assert third.pre == tr.pre and third.macros == tr.macros
    with open(kept, "r+b") as f:                  # damaged: scanned again, same macros
        f.seek(40)
        f.write(b"\xff\xff")
    clear_memo()
    fourth = api.translate(["a.h"], get_target("x86_64"), _dirs(tree))
    assert fourth.macros == tr.macros and fourth.pre.macros_exact == tr.pre.macros_exact


def test_a_relative_include_directory_is_read_from_the_working_directory(tree, monkeypatch):
    for name, t in (("one", "int"), ("two", "long")):
        (tree / name / "inc").mkdir(parents=True)
        (tree / name / "inc" / "a.h").write_text(f"struct s {{ {t} x; char c; }};\n")
    monkeypatch.chdir(tree / "one")
    assert layout(tree, dirs=["inc"])["size"] == 8
    monkeypatch.chdir(tree / "two")
    got = layout(tree, dirs=["inc"])
    assert got == uncached(tree, dirs=["inc"]) and got["size"] == 16


def test_a_dangling_link_that_comes_to_life_shadows(tree, cpp_runs):
    first = layout(tree)
    link = tree / "first" / "b.h"
    os.symlink(tree / "inc" / "later.h", link)     # dangling: cpp passes over it
    assert layout(tree) == first
    runs = cpp_runs[0]
    (tree / "inc" / "later.h").write_text("#define T long\n")
    got = layout(tree)
    assert cpp_runs[0] == runs + 1 and got["size"] == 16 == gcc_size(tree)


def test_a_file_changed_just_now_is_hashed_not_trusted(tree):
    b = tree / "inc" / "b.h"
    st = preprocessed._stat(str(b))
    assert preprocessed._trusted(st) == preprocessed._UNTRUSTED    # written a moment ago
    old = 1_000_000_000_000_000_000
    os.utime(b, ns=(old, old))
    aged = preprocessed._stat(str(b))
    # the ctime is still now (utime sets it): still untrusted until it ages
    assert preprocessed._trusted(aged) == preprocessed._UNTRUSTED
    assert preprocessed._trusted((aged[0], old, old, aged[3])) == (aged[0], old, old, aged[3])


def test_a_dependency_edited_while_cpp_runs_is_not_kept(tree, monkeypatch):
    # cpp read the old b.h; the file changes before its hash is taken: an
    # entry would pair the new hash with the old output for good
    import time
    b = tree / "inc" / "b.h"
    real = pp._run_gcc

    def edit_after_reading(*a, **k):
        out = real(*a, **k)
        time.sleep(0.02)                # past the coarse clock's tick
        b.write_text("#define T long\n")
        return out
    monkeypatch.setattr(pp, "_run_gcc", edit_after_reading)
    first = layout(tree)
    assert first["size"] == 8 and cpp_entries(tree) == []
    monkeypatch.setattr(pp, "_run_gcc", real)
    got = layout(tree)
    assert got["size"] == gcc_size(tree) == 16 and len(cpp_entries(tree)) == 1
