"""Every command on every hostile input: exit 2, one located line each, no traceback.

``tests/hostile/`` holds headers and specs built to break a header tool
(``make_hostile.py`` writes them): binary garbage, bytes that are not UTF-8,
truncated text, macro bombs, includes that escape the include directories by
absolute path, ``..`` and symlink, sizes beyond any address space, deep
nesting, records and typedefs that contain themselves.  The contract for each
(``README.md``, "Exit codes"): exit status 2, nothing on standard output, at
least one line on standard error and every line ``file:line:col: error: ...``
pointing into the hostile file itself, no traceback, no internal error, an
``-o`` file never created, and all of it within a time bound.

The expected outcome is the compiler's where one exists: ``test_gcc_rejects
_every_hostile_header`` checks that gcc (``-fsyntax-only``, host and i686)
rejects each of these headers too, so none of them is something abicheck
should have accepted.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from abicheck.cli import main

HOSTILE = Path(__file__).parent / "hostile"
HEADERS = sorted(p for p in HOSTILE.glob("*.h"))
SPECS = sorted(HOSTILE.glob("specs/*.json"))
#: one error line: a place in a file (line and column) or the tool's name
ERROR_LINE = re.compile(r"^(?:[^\n]+?:\d+:\d+|[^\n:]+|abicheck): error: [^\n]+$")
LOCATED = re.compile(r"^(?P<file>[^\n]+?):(?P<line>\d+):(?P<col>\d+): error: ")
#: the macro bomb would otherwise take ~3 s of cpp per target at the
#: default 8 MiB bound; the default bound itself is exercised in the slow run
FAST = ("--limit", "cpp-output=1M")
#: per command: our own CPU time (a loop or a blow-up shows here whatever the
#: machine's load), and wall time (a hang; generous: CI machines are shared)
CPU_BOUND = 15.0
WALL_BOUND = 300.0


def run(capsys, argv):
    t0, c0 = time.monotonic(), time.process_time()
    code = main(list(argv))
    elapsed = (time.monotonic() - t0, time.process_time() - c0)
    out, err = capsys.readouterr()
    return code, out, err, elapsed


def assert_rejected(code, out, err, elapsed, where: str, one_line: bool):
    lines = err.splitlines()
    assert code == 2, (code, err[:500])
    assert out == "", out[:300]
    assert "Traceback" not in err and "internal error" not in err, err[:500]
    assert lines, "no error line"
    if one_line:
        assert len(lines) == 1, lines
    for line in lines:
        assert ERROR_LINE.match(line), line
        m = LOCATED.match(line)
        assert m, f"no location: {line}"
        assert os.path.realpath(m.group("file")) == os.path.realpath(where), line
        assert "?" not in m.group("file") and "<" not in m.group("file"), line
    wall, cpu = elapsed
    assert cpu < CPU_BOUND and wall < WALL_BOUND, f"{cpu:.1f} s CPU, {wall:.1f} s"


def commands(header: str, out_file: str):
    """(argv, one line expected): every command that reads headers."""
    return [
        (["layout", header, "--target", "all", *FAST], True),
        (["layout", header, "--format", "json", "-o", out_file, *FAST], True),
        # check: every target; one problem may read differently on 32- and
        # 64-bit ABIs (gcc's "too large" vs "exceeds maximum object size")
        (["check", header, *FAST], False),
        (["check", header, "--format", "sarif", "-o", out_file, "-t", "x86_64,i386", *FAST], False),
    ]


@pytest.mark.parametrize("header", HEADERS, ids=lambda p: p.name)
def test_diff_never_calls_a_hostile_header_unchanged(capsys, tmp_path, header):
    """diff of a hostile header against itself: bad input (exit 2, located,
    no output file) or, where the text parses but a record cannot be laid
    out, a 'not compared' finding; never a silent 'no ABI change'."""
    out_file = str(tmp_path / "out.json")
    code, out, err, elapsed = run(capsys, ["diff", str(header), str(header), "-t", "x86_64,i386",
                                           "--format", "json", "-o", out_file, *FAST])
    assert "Traceback" not in err and "internal error" not in err, err[:500]
    if code == 2:
        assert_rejected(code, out, err, elapsed, str(header), one_line=False)
        assert not os.path.exists(out_file)
        return
    doc = json.loads(open(out_file).read())
    verdicts = {c["verdict"] for c in doc["changes"]}
    assert "not compared" in verdicts, (code, err[:300], doc["summary"])


@pytest.mark.parametrize("header", HEADERS, ids=lambda p: p.name)
def test_every_command_rejects_hostile_header(capsys, tmp_path, header):
    if not shutil.which("gcc"):
        pytest.skip("no gcc: the pcpp path is covered by test_pcpp_rejects_hostile_header")
    out_file = tmp_path / "report.out"
    for argv, one in commands(str(header), str(out_file)):
        code, out, err, elapsed = run(capsys, argv)
        assert_rejected(code, out, err, elapsed, str(header), one)
        assert not out_file.exists(), argv


PCPP_SAMPLE = ["garbage.h", "latin1_stray.h", "include_absolute.h", "include_dotdot.h",
               "include_symlink.h", "huge_array.h", "deep_parens.h", "truncated.h"]


@pytest.mark.parametrize("name", PCPP_SAMPLE)
def test_pcpp_rejects_hostile_header(capsys, monkeypatch, name):
    """The pure-Python preprocessor keeps the same contract."""
    monkeypatch.setenv("ABICHECK_CPP", "pcpp")
    from abicheck.frontend import _parse_cached
    _parse_cached.cache_clear()
    header = str(HOSTILE / name)
    code, out, err, elapsed = run(capsys, ["layout", header, "-t", "x86_64", "--type", "struct s"])
    assert_rejected(code, out, err, elapsed, header, True)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
def test_check_rejects_hostile_spec(capsys, tmp_path, spec):
    out_file = tmp_path / "report.json"
    code, out, err, elapsed = run(capsys, ["check", str(spec), "--format", "json", "-o", str(out_file)])
    assert_rejected(code, out, err, elapsed, str(spec), False)
    assert not out_file.exists()


def test_error_lines_cannot_be_forged(capsys):
    """A spec value with a newline and a fake location stays on its line."""
    spec = HOSTILE / "specs" / "control_chars.json"
    code, out, err, _ = run(capsys, ["check", str(spec)])
    assert code == 2
    assert all(line.startswith(str(spec) + ":") for line in err.splitlines()), err


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("ABICHECK_SLOW"), reason="slow: set ABICHECK_SLOW=1")
def test_macro_bomb_at_the_default_bound(capsys):
    """The default cpp-output bound (8 MiB) stops the bomb; slow: cpp writes
    such expansions at about 3 MiB/s."""
    header = str(HOSTILE / "macro_bomb.h")
    code, out, err, elapsed = run(capsys, ["layout", header])
    assert_rejected(code, out, err, elapsed, header, True)
    assert "--limit cpp-output" in err


def _gcc_rejects(cc: str, header: Path) -> bool:
    res = subprocess.run([cc, "-fsyntax-only", "-x", "c", str(header)], capture_output=True,
                         env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C"}, timeout=120)
    return res.returncode != 0


#: inputs gcc compiles while abicheck refuses them on purpose
NOT_GCC_ERRORS = {
    "include_absolute.h", "include_dotdot.h", "include_symlink.h",   # confinement is ours
    "macro_bomb.h",                     # gcc would run out of disk or time, not say no
    "deep_parens.h", "deep_braces.h", "deep_declarator.h", "many_stars.h",   # nesting bound
    # gcc only warns "integer constant is too large for its type" and
    # truncates 2**64 to 0; abicheck refuses rather than lay out a guess
    "huge_count.h",
}


@pytest.mark.oracle
@pytest.mark.parametrize("header", HEADERS, ids=lambda p: p.name)
def test_gcc_rejects_every_hostile_header(header):
    """The oracle: gcc itself rejects every hostile header abicheck rejects
    as bad C (those refused for confinement or bounds are listed apart)."""
    if header.name in NOT_GCC_ERRORS:
        pytest.skip("refused by abicheck's own rules, not a C error")
    compilers = [cc for cc in ("gcc", "i686-linux-gnu-gcc") if shutil.which(cc)]
    if not compilers:
        pytest.skip("no gcc")
    # sizes: rejected by at least one ABI's gcc (a 32-bit one for 32-bit bounds)
    assert any(_gcc_rejects(cc, header) for cc in compilers), header.name


def test_specs_are_data_not_code(capsys, tmp_path, monkeypatch):
    """Strings that would run something if evaluated, or passed to a shell,
    are inert: the spec's name, defines and selectors are only ever data."""
    monkeypatch.chdir(tmp_path)
    import json
    (tmp_path / "t.h").write_text("struct s { int a; };\n")
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({
        "spec": "__import__('os').system('touch pwned1')",
        "headers": ["t.h"],
        "defines": ["X=$(touch pwned2)", "Y=`touch pwned3`;touch pwned4"],
        "checks": [{"kind": "record", "type": "struct s", "size": 4, "name": "{__import__('os')}"}]}))
    code, out, err, _ = run(capsys, ["check", str(spec), "-I", str(tmp_path), "-t", "x86_64"])
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["spec.json", "t.h"]
