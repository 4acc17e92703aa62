"""The persistent cache of parsed headers (abicheck.cache).

What a cached run prints must be byte for byte what an uncached run prints,
for every command that reads headers; a damaged entry is ignored, never an
error; two processes writing at once leave complete entries."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from abicheck import cache
from abicheck.cache import preprocessed, units

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEADERS = os.path.join(ROOT, "headers")


def run(argv: list[str], env: dict) -> tuple[int, str, str]:
    full = {**os.environ, **env, "PYTHONPATH": ROOT}
    r = subprocess.run([sys.executable, "-m", "abicheck", *argv], capture_output=True,
                       text=True, env=full, cwd=ROOT)
    return r.returncode, r.stdout, r.stderr


def entries(d) -> list[str]:
    return sorted(os.path.join(dp, f) for dp, _, fs in os.walk(d) for f in fs)


COMMANDS = [
    ["check", "-t", "x86_64,m68k,i386"],
    ["layout", "asm/siginfo.h", "-I", os.path.join(HEADERS, "linux-6.6"), "-t", "x86_64,arm"],
    ["layout", "asm/siginfo.h", "-I", os.path.join(HEADERS, "linux-6.6"), "--format", "json",
     "-t", "s390x"],
    ["diff", "linux-4.5", "linux-4.6", "-t", "x86_64,sparc64", "--format", "json"],
    ["lint", os.path.join(HEADERS, "linux-6.6"), "-t", "x86_64,mips", "--format", "json"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: a[0])
def test_cache_hit_prints_what_no_cache_prints(argv, tmp_path):
    env = {"ABICHECK_CACHE_DIR": str(tmp_path / "c")}
    plain = run(argv + ["--no-cache"], env)
    assert not (tmp_path / "c").exists()        # --no-cache writes nothing
    filling = run(argv, env)
    stored = entries(tmp_path / "c" / cache.generation() / units.KIND)
    assert stored                               # the first run filled the cache
    cpp = entries(tmp_path / "c" / cache.generation() / preprocessed.KIND)
    assert cpp                                  # and kept what cpp made of its inputs
    stored += cpp
    mtimes = [os.stat(p).st_mtime_ns for p in stored]
    hit = run(argv, env)
    assert [os.stat(p).st_mtime_ns for p in stored] == mtimes   # read, not rewritten
    assert plain == filling == hit
    assert plain[0] not in (2, 3) and plain[1] and not plain[2]   # no error, no internal error


def test_env_turns_it_off(tmp_path):
    env = {"ABICHECK_CACHE_DIR": str(tmp_path / "c"), "ABICHECK_CACHE": "0"}
    code, out, _ = run(COMMANDS[1], env)
    assert code == 0 and out
    assert not (tmp_path / "c").exists()


def test_default_location_is_xdg_cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.directory() == str(tmp_path / "abicheck")
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "x"))
    assert cache.directory() == str(tmp_path / "x")


def _translate():
    from abicheck import api
    from abicheck.frontend import clear_memo
    from abicheck.targets import get_target
    clear_memo()
    tr = api.translate(["asm/siginfo.h"], get_target("x86_64"), [os.path.join(HEADERS, "linux-6.6")])
    return tr, api.layout_translation(tr, ["siginfo_t"])[0]


def _damage(path: str, how: str) -> None:
    data = open(path, "rb").read()
    if how == "truncated":
        data = data[: len(data) // 2]
    elif how == "flipped":
        i = len(data) - 10
        data = data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
    elif how == "empty":
        data = b""
    elif how == "not-a-model":
        # a well-formed entry whose payload is a pickle of something else
        import hashlib
        import pickle
        payload = pickle.dumps(os.system)
        data = cache._MAGIC + hashlib.sha256(payload).digest() + payload
    with open(path, "wb") as f:
        f.write(data)


@pytest.mark.parametrize("how", ["truncated", "flipped", "empty", "not-a-model"])
def test_damaged_entry_is_ignored_and_rewritten(how, tmp_path, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path))
    tr, want = _translate()
    (path,) = entries(tmp_path / cache.generation() / units.KIND)
    good = open(path, "rb").read()
    _damage(path, how)
    tr2, got = _translate()
    assert got == want and got.to_json() == want.to_json()
    assert tr2.unit == tr.unit
    assert open(path, "rb").read() == good          # rewritten whole


def test_a_hit_is_the_same_model(tmp_path, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path))
    tr, want = _translate()
    (path,) = entries(tmp_path / cache.generation() / units.KIND)
    payload = cache.load(units.KIND, os.path.basename(os.path.dirname(path)) + os.path.basename(path))
    # stored with its files relative to the include directories (one entry
    # serves every ABI whose headers are the same files in another folder)
    assert units.loads(payload) != tr.unit
    unit = units.loads(payload, tr.pre.search_dirs)
    assert unit == tr.unit and unit is not tr.unit
    locs = {td.loc.file for td in unit.typedefs.values()}
    assert locs == {td.loc.file for td in tr.unit.typedefs.values()}
    assert any(f.startswith(os.path.join(HEADERS, "linux-6.6")) for f in locs)
    # qualifiers are left out of comparisons; the cache keeps them anyway
    quals = lambda u: sorted(repr(t) for t in u.typedefs.values())
    assert quals(unit) == quals(tr.unit)


def test_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(blocker / "sub"))
    _, lay = _translate()
    assert lay.size == 128


_WRITER = """
import os, sys
sys.path.insert(0, sys.argv[1])
from abicheck import cache
payload = bytes([int(sys.argv[2])]) * 3_000_000
for _ in range(40):
    cache.store("race", "ab" + "0" * 62, payload)
"""


def test_concurrent_writers_leave_a_complete_entry(tmp_path):
    env = {**os.environ, "ABICHECK_CACHE_DIR": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, ROOT, str(n)], env=env)
             for n in (1, 2)]
    seen = set()
    os.environ["ABICHECK_CACHE_DIR"] = str(tmp_path)
    try:
        while any(p.poll() is None for p in procs):
            got = cache.load("race", "ab" + "0" * 62)
            if got is not None:
                assert len(got) == 3_000_000 and len(set(got)) == 1
                seen.add(got[0])
        assert all(p.wait() == 0 for p in procs)
        final = cache.load("race", "ab" + "0" * 62)
    finally:
        del os.environ["ABICHECK_CACHE_DIR"]
    assert final is not None and final[0] in (1, 2) and len(set(final)) == 1
    # no temporary file is left behind
    assert [os.path.basename(p) for p in entries(tmp_path)] == ["0" * 62]


def test_a_validation_runs_once_per_text(tmp_path, monkeypatch):
    """cache.checked: the target table's schema check is not redone on every
    start, but is redone for another text, without the cache, or when the
    marker is damaged; a failing check records nothing."""
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path))
    calls = []
    cache.checked("test-valid", "text A", lambda: calls.append("A"))
    cache.checked("test-valid", "text A", lambda: calls.append("A"))
    cache.checked("test-valid", "text B", lambda: calls.append("B"))
    assert calls == ["A", "B"]
    for path in entries(tmp_path):
        _damage(path, "flipped")
    cache.checked("test-valid", "text A", lambda: calls.append("A"))
    assert calls == ["A", "B", "A"]
    with cache.use(False):
        cache.checked("test-valid", "text A", lambda: calls.append("A"))
    assert calls == ["A", "B", "A", "A"]

    def bad():
        raise ValueError("invalid")
    with pytest.raises(ValueError):
        cache.checked("test-valid", "text C", bad)
    with pytest.raises(ValueError):
        cache.checked("test-valid", "text C", bad)


# --- what the key covers (#12 review) ---------------------------------------

def test_fingerprint_covers_the_front_end_and_pycparser(tmp_path, monkeypatch):
    import shutil
    from pathlib import Path
    pkg = Path(ROOT) / "abicheck"
    copy = tmp_path / "abicheck"
    shutil.copytree(pkg, copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    same = cache.fingerprint_of(copy, "3.12")
    assert same == cache.fingerprint_of(pkg, "3.12")
    assert cache.fingerprint_of(pkg, "2.22") != same             # another pycparser
    src = sorted(p for p in (copy / "frontend").iterdir() if p.suffix == ".py")[0]
    src.write_text(src.read_text() + "\n# a changed parser\n")
    assert cache.fingerprint_of(copy, "3.12") != same            # another front end
    # and the running abicheck's key uses pycparser's version
    before = cache.code_fingerprint()
    monkeypatch.setattr(cache, "_pycparser_version", lambda: "0.0-other")
    cache.code_fingerprint.cache_clear()
    try:
        assert cache.code_fingerprint() != before
        assert cache.generation() == cache.code_fingerprint()[:16]
    finally:
        monkeypatch.undo()
        cache.code_fingerprint.cache_clear()
    assert cache.code_fingerprint() == before


def _size_of_s(folder, defines=()):
    from abicheck import api
    from abicheck.frontend import clear_memo
    from abicheck.targets import get_target
    clear_memo()
    tr = api.translate(["a.h"], get_target("x86_64"), [str(folder)], list(defines))
    return api.layout_translation(tr, ["struct s"])[0].size


def _gcc_size_of_s(folder, defines=()):
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from oracle import Oracle, have_gcc
    if not have_gcc(("gcc",)):
        pytest.skip("gcc is not installed")
    oracle = Oracle("gcc", gcc=("gcc",))
    return oracle.layout('#include "a.h"\n', ["struct s"], [str(folder)], list(defines))["struct s"]["size"]


@pytest.fixture
def header_tree(tmp_path, monkeypatch):
    import platform
    if platform.machine() not in ("x86_64", "AMD64"):
        pytest.skip("the host gcc is the x86_64 oracle")
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "inc"
    folder.mkdir()
    (folder / "a.h").write_text('#include "b.h"\n')
    (folder / "b.h").write_text("#ifndef T\n#define T int\n#endif\nstruct s { T x; char c; };\n")
    return folder


def test_an_edited_included_header_is_not_served_from_the_cache(header_tree):
    first = _size_of_s(header_tree)
    assert first == _size_of_s(header_tree) == _gcc_size_of_s(header_tree)   # filled, then hit
    assert entries(os.environ["ABICHECK_CACHE_DIR"])
    (header_tree / "b.h").write_text("struct s { long x; char c; };\n")
    want = _gcc_size_of_s(header_tree)
    assert want != first
    assert _size_of_s(header_tree) == want


def test_a_define_gives_a_fresh_result(header_tree):
    plain = _size_of_s(header_tree)
    assert plain == _gcc_size_of_s(header_tree)
    want = _gcc_size_of_s(header_tree, ["T=long"])
    assert want != plain
    assert _size_of_s(header_tree, ["T=long"]) == want


def test_pycparser_version_read_without_importing_it():
    import pycparser
    assert cache._pycparser_version() == pycparser.__version__


def test_a_warm_start_imports_no_parser(tmp_path):
    """A run answered from the caches imports no pycparser (its import was
    ~30 ms of every process): the second of two identical runs."""
    import subprocess
    import sys
    code = ("import sys\nfrom abicheck import api\nfrom abicheck.targets import get_target\n"
            "tr = api.translate(['asm/siginfo.h'], get_target('x86_64'), [sys.argv[1]])\n"
            "api.layout_translation(tr, api.declared_records(tr, ['asm/siginfo.h']))\n"
            "print(any(m.startswith('pycparser') for m in sys.modules))\n")
    env = dict(os.environ, ABICHECK_CACHE_DIR=str(tmp_path))
    argv = [sys.executable, "-c", code, os.path.join(HEADERS, "linux-6.6")]
    first = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    second = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True)
    assert (first.stdout, second.stdout) == ("True\n", "False\n"), first.stderr + second.stderr
