"""The in-process memos of a spec run (``checks.spec_memo``, the schema
validation of ``checks.spec_load``): a second run in one process reuses
what the first computed, and an edited header or spec between two runs is
never answered from the memo.  Every "after the edit" answer is compared
with the same run with every memo cleared (the slow path), and must differ
from the answer before the edit (else the test could not fail)."""
from __future__ import annotations

import json
import shutil

import pytest

from abicheck import bundled, frontend
from abicheck.checks import spec_load, spec_memo, spec_pieces
from abicheck.checks.spec import load_spec
from abicheck.checks.spec_load import SpecError
from abicheck.cli import main

TARGETS = "x86_64,i386,mips"


@pytest.fixture
def inputs(tmp_path):
    """A copy of the bundled spec and of its header set, free to edit."""
    hdrs = tmp_path / "headers"
    shutil.copytree(bundled.headers_dir("linux-6.6"), hdrs)
    spec = tmp_path / "siginfo.json"
    shutil.copyfile(bundled.spec_path("siginfo.json"), spec)
    return spec, hdrs


def _check(capsys, spec, hdrs, *extra: str) -> tuple[int, str]:
    code = main(["check", str(spec), "--headers", str(hdrs), "-t", TARGETS, "--format", "json",
                 *extra])
    return code, capsys.readouterr().out


def _slow(capsys, spec, hdrs) -> tuple[int, str]:
    """The same run with nothing remembered, in this process or on disk."""
    spec_memo.clear()
    spec_load._VALID.clear()
    frontend.clear_memo()
    return _check(capsys, spec, hdrs, "--no-cache")


def test_second_run_reuses_the_pieces(inputs, capsys, monkeypatch):
    spec, hdrs = inputs
    first = _check(capsys, spec, hdrs)
    calls = []
    real = spec_pieces._evaluate
    monkeypatch.setattr(spec_pieces, "_evaluate", lambda *a: calls.append(a) or real(*a))
    assert _check(capsys, spec, hdrs) == first
    assert calls == []
    assert _slow(capsys, spec, hdrs) == first
    assert len(calls) == len(TARGETS.split(","))


def test_without_the_cache_a_first_run_makes_no_key_and_a_second_reuses(inputs, capsys, monkeypatch):
    # the first piece of each target is kept unkeyed (no digest of cpp's
    # result); the second run keys it, and is answered from it
    spec, hdrs = inputs
    first = _slow(capsys, spec, hdrs)
    digests, calls = [], []
    real_digest, real_eval = spec_memo._cpp_digest, spec_pieces._evaluate
    monkeypatch.setattr(spec_memo, "_cpp_digest", lambda pre: digests.append(pre) or real_digest(pre))
    monkeypatch.setattr(spec_pieces, "_evaluate", lambda *a: calls.append(a) or real_eval(*a))
    spec_memo.clear()
    assert _check(capsys, spec, hdrs, "--no-cache") == first
    assert digests == [] and len(calls) == len(TARGETS.split(","))
    calls.clear()
    assert _check(capsys, spec, hdrs, "--no-cache") == first
    assert calls == [] and digests


@pytest.mark.parametrize("cache", ["on", "off"])
def test_edited_header_is_not_answered_from_the_memo(inputs, capsys, cache, monkeypatch):
    if cache == "off":
        monkeypatch.setenv("ABICHECK_CACHE", "0")
    spec, hdrs = inputs
    before = _check(capsys, spec, hdrs)
    assert before[0] == 0
    h = hdrs / "asm-generic" / "siginfo.h"
    text = h.read_text()
    assert "#define NSIGSEGV\t10\n" in text
    # the kernel's counter is the highest SEGV code (10 in 6.6): 11 is wrong
    h.write_text(text.replace("#define NSIGSEGV\t10\n", "#define NSIGSEGV\t11\n"))
    after = _check(capsys, spec, hdrs)
    assert after[0] == 1 and after != before
    assert "NSIGSEGV is 11" in after[1]
    assert after == _slow(capsys, spec, hdrs)
    h.write_text(text)
    assert _check(capsys, spec, hdrs) == before


def test_edited_spec_is_not_answered_from_the_memo(inputs, capsys):
    spec, hdrs = inputs
    before = _check(capsys, spec, hdrs)
    data = json.loads(spec.read_text())
    sizes = [c for c in data["checks"] if c["kind"] == "record" and c.get("size") == 128]
    assert sizes
    sizes[0]["size"] = 64               # SI_MAX_SIZE is 128: 64 must fail
    spec.write_text(json.dumps(data, indent=2))
    after = _check(capsys, spec, hdrs)
    assert after[0] == 1 and after != before
    assert "siginfo_t is 128 bytes, expected 64" in after[1]
    assert after == _slow(capsys, spec, hdrs)


def test_remembered_pieces_are_copies(inputs):
    spec, hdrs = inputs
    s = load_spec(str(spec))
    from abicheck.targets import get_target
    t = get_target("x86_64")
    hs, defs = spec_load.spec_inputs(s, [], [])
    first = spec_pieces.target_piece(s, t, hs, [str(hdrs)], defs)
    keep = json.dumps(first)
    first["results"].clear()
    again = spec_pieces.target_piece(s, t, hs, [str(hdrs)], defs)
    assert json.dumps(again) == keep
    again["results"].clear()
    assert json.dumps(spec_pieces.target_piece(s, t, hs, [str(hdrs)], defs)) == keep


def test_spec_made_invalid_between_loads_is_reported(inputs):
    spec, _ = inputs
    good = spec.read_text()
    load_spec(str(spec))
    spec.write_text(good.replace('"kind": "record"', '"kind": "recrod"', 1))
    with pytest.raises(SpecError, match="recrod"):
        load_spec(str(spec))
    with pytest.raises(SpecError, match="recrod"):      # a failure is never remembered
        load_spec(str(spec))
    spec.write_text(good)
    assert load_spec(str(spec)).name == "linux-siginfo"


def test_schema_pass_is_kept_across_processes(inputs, tmp_path, monkeypatch):
    """What one process validated, the next does not validate again (the
    persistent cache); a spec never validated is validated."""
    spec, _ = inputs
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    spec_load._VALID.clear()
    load_spec(str(spec))
    spec_load._VALID.clear()                # as a new process
    calls = []
    real = spec_load._validate
    monkeypatch.setattr(spec_load, "_validate", lambda *a: calls.append(1) or real(*a))
    load_spec(str(spec))
    assert calls == []
    spec.write_text(spec.read_text().replace('"kind": "record"', '"kind": "recrod"', 1))
    with pytest.raises(SpecError):
        load_spec(str(spec))
    assert calls == [1]


# --- across processes (the persistent cache) ------------------------------------


def _as_new_process() -> None:
    spec_memo.clear()
    spec_load._VALID.clear()
    frontend.clear_memo()


def _counting(monkeypatch) -> list:
    calls: list = []
    real = spec_pieces._evaluate
    monkeypatch.setattr(spec_pieces, "_evaluate", lambda *a: calls.append(a) or real(*a))
    return calls


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown", "github"])
def test_stored_pieces_give_the_bytes_of_a_run_without_cache(inputs, capsys, tmp_path,
                                                             monkeypatch, fmt):
    spec, hdrs = inputs
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    h = hdrs / "asm-generic" / "siginfo.h"      # a failing run: findings in every format
    h.write_text(h.read_text().replace("#define NSIGSEGV\t10\n", "#define NSIGSEGV\t11\n"))
    args = ["check", str(spec), "--headers", str(hdrs), "-t", TARGETS, "--format", fmt]
    _as_new_process()
    assert main(args + ["--no-cache"]) == 1
    uncached = capsys.readouterr().out
    _as_new_process()
    main(args)                                  # fills the cache
    capsys.readouterr()
    _as_new_process()
    calls = _counting(monkeypatch)
    assert main(args) == 1
    assert capsys.readouterr().out == uncached
    assert calls == []                          # every piece came from the cache


def test_no_cache_and_a_changed_code_signature_compute_again(inputs, capsys, tmp_path,
                                                             monkeypatch):
    spec, hdrs = inputs
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    _as_new_process()
    first = _check(capsys, spec, hdrs)
    n = len(TARGETS.split(","))
    _as_new_process()
    calls = _counting(monkeypatch)
    main(["check", str(spec), "--headers", str(hdrs), "-t", TARGETS, "--format", "json",
          "--no-cache"])
    assert capsys.readouterr().out == first[1] and len(calls) == n
    _as_new_process()
    monkeypatch.setattr(spec_memo, "_code_signature", lambda: "an edited abicheck")
    assert _check(capsys, spec, hdrs) == first and len(calls) == 2 * n


def test_code_signature_follows_an_edited_module(tmp_path, monkeypatch):
    """The signature is of the files: an edit (size or time) is another one."""
    import os
    sig = spec_memo._code_signature
    before = sig.__wrapped__()
    assert sig.__wrapped__() == before
    me = os.path.abspath(spec_memo.__file__)
    st = os.stat(me)
    try:
        os.utime(me, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
        assert sig.__wrapped__() != before
    finally:
        os.utime(me, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert sig.__wrapped__() == before


def test_damaged_or_foreign_entries_are_computed_again(inputs, capsys, tmp_path, monkeypatch):
    from abicheck import cache
    spec, hdrs = inputs
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    _as_new_process()
    first = _check(capsys, spec, hdrs)
    stored = []
    real_store = cache.store
    monkeypatch.setattr(cache, "store", lambda kind, k, p: stored.append((kind, k)) or real_store(kind, k, p))
    _as_new_process()
    spec_memo._store_disk("x", {"results": []})
    kind, k = stored[-1]
    for bad in (b"not json", b'{"results": 1}', b"[]", b'{"results": [], "more": {}}'):
        cache.store(kind, k, bad)
        assert spec_memo._load_disk("x") is None
    cache.store(kind, k, b'{"results": []}')
    assert spec_memo._load_disk("x") == {"results": []}
    # every stored piece made unreadable: the run computes them and answers the same
    root = tmp_path / "cache"
    for f in root.rglob("*"):
        if f.is_file() and "spec-piece-1" in f.parts:
            f.write_bytes(f.read_bytes()[:-3])
    _as_new_process()
    calls = _counting(monkeypatch)
    assert _check(capsys, spec, hdrs) == first
    assert len(calls) == len(TARGETS.split(","))


# --- real headers: the remembered paths against the computed one -----------------


def _debian_targets():
    import sys
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    from debian_headers import include_dirs

    from abicheck.targets import all_targets
    return [(t.name, include_dirs(t)) for t in all_targets() if include_dirs(t)]


@pytest.mark.parametrize("target,dirs", _debian_targets() or [pytest.param(
    None, None, marks=pytest.mark.skip(reason="no Debian cross headers installed"))])
def test_debian_headers_same_bytes_computed_stored_and_remembered(target, dirs, capsys,
                                                                  tmp_path, monkeypatch):
    """The bundled spec on each ABI's Debian headers (Linux 6.1 uapi, real
    findings): computed without any cache, from the persistent cache in a
    'new process', and from the in-process memo, the same report."""
    monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    args = ["check", "-t", target, "--format", "json"] + [a for d in dirs for a in ("-I", d)]
    outs = []
    # computed without cache, computed and stored, read back in a new process, remembered
    for fresh, extra in ((True, ["--no-cache"]), (True, []), (True, []), (False, [])):
        if fresh:
            _as_new_process()
        calls = _counting(monkeypatch)
        code = main(args + extra)
        outs.append((code, capsys.readouterr().out, len(calls)))
        monkeypatch.undo()
        monkeypatch.setenv("ABICHECK_CACHE_DIR", str(tmp_path / "cache"))
    assert all(o[:2] == outs[0][:2] for o in outs)
    assert outs[0][0] == 1 and "SEGV_CPERR" in outs[0][1]     # 6.1 predates SEGV_CPERR (6.6)
    assert [o[2] for o in outs] == [1, 1, 0, 0]


def test_cpp_digest_tells_every_field_of_a_macro():
    """Two cpp results that differ in one field of one macro (name,
    parameters, body, file, line, column) or in whether the record is exact
    never share a digest: a piece is never taken for the other's."""
    from types import SimpleNamespace
    from abicheck.errors import SourceLoc
    from abicheck.frontend.cpp_output import MacroDef

    def pre(**change):
        d = dict(name="NSIGSEGV", params=None, body="10", file="siginfo.h", line=3, col=9)
        exact = change.pop("exact", True)
        d.update(change)
        macro = MacroDef(d["name"], d["params"], d["body"], SourceLoc(d["file"], d["line"], d["col"]))
        return SimpleNamespace(text="int x;\n", main_source="", entries=(), search_dirs=(),
                               macros=(macro,), macros_exact=exact)

    base = spec_memo._cpp_digest(pre())
    assert spec_memo._cpp_digest(pre()) == base
    for change in (dict(name="NSIGILL"), dict(params=()), dict(body="11"), dict(file="b.h"),
                   dict(line=4), dict(col=1), dict(exact=False)):
        assert spec_memo._cpp_digest(pre(**change)) != base, change
