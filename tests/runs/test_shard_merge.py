"""Shard then merge is one run, byte for byte, and so is ``-j 2``.

For each command that shards (layout, check, diff, lint, compat), on the
bundled headers and specs and on a multi-header tree: the run split into
N = 1, 2, 3, 5 shards (``--shard K/N``), merged with ``abicheck merge``,
prints exactly what the single run prints (JSON and text), with its exit
status; ``-j 2`` prints exactly what ``-j 1`` prints.  The single run is
the reference here on purpose: these tests are about the split, and the
single run's own correctness is what the oracle tests of each command
check.
"""
from __future__ import annotations

import os

import pytest

from abicheck.cli import main
from checks.test_diff_trees import OLD_TARGETS, debian12_tree, debian13_tree
from runs.tree import CHANGED, TARGETS, write_tree

SHARDS = (1, 2, 3, 5)


def _run(argv: list[str], out) -> tuple[int, bytes]:
    code = main(argv + ["-o", str(out)])
    return code, out.read_bytes() if out.exists() else b""


def assert_shards_merge_to_one_run(argv: list[str], tmp_path, formats=("json", "text")) -> None:
    singles = {f: _run(argv + ["--format", f], tmp_path / f"single.{f}") for f in formats}
    for n in SHARDS:
        parts = []
        for k in range(1, n + 1):
            part = tmp_path / f"shard-{k}-of-{n}.json"
            code, _ = _run(argv + ["--format", formats[0], "--shard", f"{k}/{n}"], part)
            assert code == 0
            parts.append(str(part))
        for f in formats:
            merged = _run(["merge", *reversed(parts), "--format", f], tmp_path / f"merged-{n}.{f}")
            assert merged == singles[f], f"{n} shards, {f}: merge differs from the single run"
        # without --format: the format the shards were run with
        assert _run(["merge", *parts], tmp_path / f"default-{n}") == singles[formats[0]]
    assert singles[formats[0]][1], "the single run printed nothing: nothing was compared"


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("tree"))


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    return write_tree(tmp_path_factory.mktemp("changed"), CHANGED)


#: eight ABIs of every kind (32/64-bit, both byte orders, sparc64: no musl
#: port) keep the default run short; ABICHECK_SLOW=1 runs every ABI too
SOME = "x86_64,i386,x32,aarch64,arm,mips64,s390x,sparc64"
CASES = {
    "check siginfo": ["check", "-t", "all"],
    "check musl (some ABIs have no port)": ["check", "signal.h", "--headers", "musl", "-t", SOME],
    "layout siginfo": ["layout", "headers/linux-6.6/asm/siginfo.h", "-I", "headers/linux-6.6",
                       "-t", "all", "--type", "siginfo_t", "--field", "si_pkey"],
    "diff linux-4.5 linux-6.6": ["diff", "linux-4.5", "linux-6.6", "-t", SOME],
    "lint pkeys-v1": ["lint", "pkeys-v1", "-t", SOME],
    "compat": ["compat", "-t", SOME],
}


@pytest.mark.parametrize("argv", CASES.values(), ids=CASES.keys())
def test_bundled(argv, tmp_path):
    assert_shards_merge_to_one_run(argv, tmp_path)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("ABICHECK_SLOW"), reason="slow: set ABICHECK_SLOW=1")
@pytest.mark.parametrize("argv", CASES.values(), ids=CASES.keys())
def test_bundled_on_every_abi(argv, tmp_path):
    assert_shards_merge_to_one_run([a if a != SOME else "all" for a in argv], tmp_path)


def test_check_in_sarif_and_junit(tmp_path):
    assert_shards_merge_to_one_run(["check", "--headers", "pkeys-v1", "-t", SOME], tmp_path,
                                   formats=("sarif", "junit", "github", "markdown"))


def test_layout_of_a_tree(tree, tmp_path):
    assert_shards_merge_to_one_run(["layout", f"{tree}/a.h", f"{tree}/sub/c.h", f"{tree}/sub/d.h",
                                    "-I", tree, "-t", TARGETS], tmp_path)


def test_lint_of_a_tree(tree, tmp_path):
    assert_shards_merge_to_one_run(["lint", tree, "-t", TARGETS], tmp_path)


def test_lint_since_of_a_tree(tree, changed, tmp_path):
    assert_shards_merge_to_one_run(["lint", changed, "--since", tree, "-t", TARGETS], tmp_path)


def test_diff_of_trees(tree, changed, tmp_path):
    assert_shards_merge_to_one_run(["diff", tree, changed, "-t", TARGETS], tmp_path)


def test_diff_of_multiarch_trees(tmp_path):
    """Each ABI reads its own copy of a header: a change is shown at the first
    ABI's copy, whichever shard that ABI is in."""
    old, new = str(tmp_path / "old"), str(tmp_path / "new")
    debian12_tree(old)
    debian13_tree(new)
    assert_shards_merge_to_one_run(["diff", old, new, "-t", ",".join(OLD_TARGETS + ("s390x",))],
                                   tmp_path)


BAD = {
    "layout: an unknown type": ["layout", "headers/glibc/signal.h", "-I", "headers/glibc", "-t",
                                "all", "--type", "struct nope"],
    "check: nothing compiles": ["check", "signal.h", "--headers", "musl", "-t", "sparc64,ia64"],
    "compat: a type nowhere": ["compat", "--type", "struct nope", "-t", "x86_64,arm,mips"],
    "diff: a --type in neither": ["diff", "pkeys-v1", "pkeys-u32", "--type", "struct nope"],
}


@pytest.mark.parametrize("argv", BAD.values(), ids=BAD.keys())
def test_bad_input_found_in_shards_is_the_single_runs_error(argv, tmp_path, capsys):
    """A shard records the bad input it meets (its verdict is the merge's);
    the merge reports the error the single run reports, and exits 2."""
    assert main(argv) == 2
    want = capsys.readouterr()
    assert want.out == "" and want.err.count("\n") == 1
    parts = []
    for k in (1, 2, 3):
        parts.append(str(tmp_path / f"{k}.json"))
        assert main(argv + ["--shard", f"{k}/3", "-o", parts[-1]]) == 0
    assert main(["merge", *parts]) == 2
    got = capsys.readouterr()
    assert (got.out, got.err) == ("", want.err)


def test_layout_error_of_a_tree(tree, tmp_path, capsys):
    """The first failing target in target order wins (mips: the #error),
    whichever shard has it."""
    argv = ["layout", f"{tree}/a.h", f"{tree}/e.h", "-I", tree, "-t", TARGETS]
    assert main(argv) == 2
    want = capsys.readouterr().err
    assert "no mips port" in want and "(target mips)" in want
    parts = [str(tmp_path / f"{k}.json") for k in (1, 2)]
    for k, p in enumerate(parts, 1):
        assert main(argv + ["--shard", f"{k}/2", "-o", p]) == 0
    assert main(["merge", *parts]) == 2
    assert capsys.readouterr().err == want


JOBS = {
    "check": ["check", "signal.h", "--headers", "musl", "--format", "json"],
    "layout": ["layout", "headers/linux-6.6/asm/siginfo.h", "-I", "headers/linux-6.6", "-t",
               "all"],
    "diff": ["diff", "linux-4.5", "linux-6.6", "--format", "json", "-t", SOME],
    "lint": ["lint", "pkeys-v1", "--format", "json", "-t", SOME],
    "compat": ["compat", "--format", "json", "-t", SOME],
}


@pytest.mark.parametrize("argv", JOBS.values(), ids=JOBS.keys())
def test_two_processes_print_what_one_prints(argv, tmp_path):
    one = _run(argv + ["-j", "1"], tmp_path / "j1")
    assert one[1]
    assert _run(argv + ["-j", "2"], tmp_path / "j2") == one
    assert _run(argv + ["-j", "3", "--shard", "1/1"], tmp_path / "s") == \
        _run(argv + ["-j", "1", "--shard", "1/1"], tmp_path / "s1")


def test_two_processes_on_a_tree(tree, tmp_path):
    for argv in (["lint", tree, "-t", TARGETS], ["layout", f"{tree}/a.h", f"{tree}/e.h", "-I", tree,
                                                 "-t", TARGETS]):
        assert _run(argv + ["-j", "2"], tmp_path / "j2") == _run(argv + ["-j", "1"], tmp_path / "j1")
