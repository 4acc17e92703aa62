"""Fuzzing every entry point: headers, specs and command lines.

Strategies (hypothesis):

- headers *mutated* from real ones (the bundled ``headers/`` trees and the
  host's ``/usr/include/linux``): byte ranges deleted, duplicated or
  replaced, hostile tokens inserted (brackets, huge and negative numbers,
  attributes, escaping includes, non-UTF-8 bytes, NULs), numbers changed;
- declarations *generated* by the torture corpus (``torture_gen.py``), then
  mutated the same way;
- specs mutated from ``specs/siginfo.json``, as JSON trees and as bytes;
- command lines drawn from every option with good and bad values.

The invariant, for every input: no exception escapes ``main`` (exit 3 would
be an internal error), it finishes within a time bound, an error is exit 2
with nothing on stdout and only ``file:line:col: error: ...`` (or
``abicheck: error: ...``) lines on stderr, and every layout produced agrees
member by member with libclang on the same text (the oracle; x86_64 and
i386, cheap in-process).  Where clang rejects a text abicheck accepts, the
example is noted, not failed: abicheck refuses what it cannot lay out, it is
not a C validator (README, "Limitations").

The default run is short (derandomized, ``ABICHECK_FUZZ_EXAMPLES`` examples
per strategy, 25 by default); a long run::

    ABICHECK_FUZZ_EXAMPLES=2000 python -m pytest -q tests/test_fuzz.py

draws fresh random examples each time.  Every crash found becomes a case in
``tests/hostile/`` or a regression test below.
"""
from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from abicheck.cli import main

try:
    import torture_gen as tg
except ImportError:  # tests/ is a package
    from tests import torture_gen as tg

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("ABICHECK_FUZZ_EXAMPLES", "25"))
LONG = "ABICHECK_FUZZ_EXAMPLES" in os.environ
# shrinking a failing corpus can take many minutes: only the long run shrinks
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG, database=None,
                suppress_health_check=list(HealthCheck),
                phases=tuple(Phase) if LONG else (Phase.explicit, Phase.generate))
ERROR_LINE = re.compile(r"^(?:.+?:\d+:\d+|.+?|abicheck): error: .+$")
CPU_BOUND = 20.0
LIMITS = ["--limit", "cpp-output=1M", "--limit", "cpp-timeout=20"]


def _seed_headers() -> list[Path]:
    """Small real headers: the bundled trees and a sample of the host's uapi."""
    seeds = sorted(p for p in (ROOT / "headers").rglob("*.h") if p.stat().st_size < 40000)
    host = Path("/usr/include/linux")
    if host.is_dir():
        seeds += sorted(p for p in host.glob("*.h") if p.stat().st_size < 8000)[:60]
    return seeds


SEEDS = _seed_headers()

HOSTILE_TOKENS = [
    "{", "}", "(", ")", "[", "]", ";", ",", "*", ":", "=", "struct", "union", "enum", "typedef",
    "0x7fffffffffffffff", "-1", "0", "1 << 70", "99999999999999999999999", "sizeof(struct s)",
    "__attribute__((aligned(3)))", "__attribute__((aligned(1 << 29)))", "__attribute__((packed))",
    "__attribute__((mode(XI)))", "[[gnu::aligned(8)]]", "__u64", "unsigned", "long long long",
    '#include "/etc/passwd"\n', '#include "../../../../etc/passwd"\n', "#define X X X X\n",
    "#if\n", "#endif\n", "#pragma pack(1)\n", "/*", "*/", "//", '"', "'", "\\", "\n",
    "\xe9", "\x00", "\x1b", "\udcff", "((((((((((", "))))))))))", "_Float128", "__int128",
    "char big[0x7fffffffffffffff][0x7fffffffffffffff];", ":0", ": 99", "...",
]


@st.composite
def mutated(draw, text: str) -> bytes:
    """``text`` with one to four hostile edits."""
    data = text.encode("utf-8", "surrogateescape")
    for _ in range(draw(st.integers(1, 4))):
        n = len(data)
        i = draw(st.integers(0, n))
        j = draw(st.integers(i, min(n, i + 200)))
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "number", "truncate", "bytes"]))
        if op == "delete":
            data = data[:i] + data[j:]
        elif op == "insert":
            tok = draw(st.sampled_from(HOSTILE_TOKENS)).encode("utf-8", "surrogateescape")
            data = data[:i] + b" " + tok * draw(st.integers(1, 3)) + b" " + data[i:]
        elif op == "duplicate":
            data = data[:j] + data[i:j] * draw(st.integers(1, 3)) + data[j:]
        elif op == "number":
            num = str(draw(st.sampled_from([0, -1, 1, 3, 255, 1 << 31, 1 << 63, (1 << 64) + 1,
                                            -(1 << 63), 10 ** 30]))).encode()
            data = re.sub(rb"\b\d+\b", num, data, count=1) if i % 2 else re.sub(rb"\b\d+\b(?!.*\b\d+\b)", num, data, count=1, flags=re.S)
        elif op == "truncate":
            data = data[:i]
        else:
            data = data[:i] + draw(st.binary(min_size=1, max_size=16)) + data[j:]
    return data


def run_cli(capsys, argv) -> tuple[int, str, str]:
    c0 = time.process_time()
    try:
        code = main(list(argv))
    except SystemExit as e:             # --help, --version: argparse's own exit
        code = e.code if isinstance(e.code, int) else 0
    cpu = time.process_time() - c0
    out, err = capsys.readouterr()
    assert cpu < CPU_BOUND, f"{cpu:.1f} s CPU for {argv[:3]}"
    return code, out, err


def assert_contract(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), (code, err[-800:])
    assert "Traceback" not in err and "internal error" not in err, err[-800:]
    if code == 2:
        assert out == "", out[:200]
        lines = err.splitlines()
        assert lines, "exit 2 without a message"
        for line in lines:
            assert ERROR_LINE.match(line), line
            assert not line.startswith(("?", "<attribute>")), line


def clang_agrees(path: Path, doc: dict, triple: str) -> None:
    """Every type abicheck laid out matches libclang on the same file."""
    from oracle import OracleError, clang_layout, have_clang
    if not have_clang():
        return
    from abicheck.frontend.preprocess import bundled_include_dir
    types = [t["name"] for t in doc["results"][0]["types"]]
    if not types:
        return
    try:
        want = clang_layout(path.read_bytes().decode("utf-8", "replace"), types, triple,
                            include_dirs=[bundled_include_dir()])
    except OracleError as e:
        note(f"clang rejects what abicheck laid out: {str(e)[:300]}")
        return
    for t in doc["results"][0]["types"]:
        w = want[t["name"]]
        assert (t["size"], t["align"]) == (w["size"], w["align"]), (t["name"], t["size"], w["size"])
        got = [{k: m[k] for k in ("path", "offset", "size", "bit_offset", "bit_width")}
               for m in t["members"]]
        assert got == w["members"], t["name"]


def check_header(capsys, tmp_path: Path, data: bytes, target="x86_64", triple="x86_64-linux-gnu"):
    path = tmp_path / "fuzz.h"
    path.write_bytes(data)
    code, out, err = run_cli(capsys, ["layout", str(path), "-t", target, "--format", "json",
                                      "-I", str(ROOT / "headers" / "linux-6.6"), *LIMITS])
    assert_contract(code, out, err)
    if code == 0:
        clang_agrees(path, json.loads(out), triple)


@FUZZ
@given(data=st.data())
def test_fuzz_mutated_real_headers(capsys, tmp_path_factory, data):
    if not SEEDS:
        pytest.skip("no seed headers")
    seed = data.draw(st.sampled_from(SEEDS), label="seed")
    text = seed.read_bytes().decode("utf-8", "surrogateescape")
    blob = data.draw(mutated(text), label="mutated")
    check_header(capsys, tmp_path_factory.mktemp("h"), blob)


@FUZZ
@given(corpus=tg.corpora(max_records=6), data=st.data())
def test_fuzz_generated_declarations(capsys, tmp_path_factory, corpus, data):
    from abicheck.targets import get_target
    target, triple = data.draw(st.sampled_from([("x86_64", "x86_64-linux-gnu"),
                                                ("i386", "i686-linux-gnu")]), label="target")
    # as the torture test writes it for libclang: no bitfields of over-aligned
    # typedefs, where libclang 18 and gcc disagree
    text = corpus.render(tg.Dialect.of(get_target(target), aligned_typedef_bitfields=False))
    blob = data.draw(st.one_of(st.just(text.encode()), mutated(text)), label="mutated")
    check_header(capsys, tmp_path_factory.mktemp("g"), blob, target, triple)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(1 << 70), 1 << 70) | st.floats() |
    st.text(max_size=12) | st.sampled_from(["all", "x86_64", "64-bit", "vax", "struct s", "siginfo_t",
                                            "si_pkey", "(["]),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=12)


@st.composite
def mutated_specs(draw) -> bytes:
    spec = json.loads((ROOT / "specs" / "siginfo.json").read_text())
    if draw(st.booleans()):
        return draw(mutated(json.dumps(spec, indent=1)))
    for _ in range(draw(st.integers(1, 3))):
        # walk down to a random container, then edit one of its entries
        node = spec
        for _ in range(draw(st.integers(0, 4))):
            keys = sorted(node) if isinstance(node, dict) else list(range(len(node)))
            kids = [k for k in keys if isinstance(node[k], (dict, list)) and node[k]]
            if not kids:
                break
            node = node[draw(st.sampled_from(kids))]
        keys = sorted(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            continue
        key = draw(st.sampled_from(keys))
        if isinstance(node, dict) and draw(st.booleans()):
            del node[key]
        else:
            node[key] = draw(JSON_VALUES)
    return json.dumps(spec, allow_nan=True).encode()


@FUZZ
@given(blob=mutated_specs())
def test_fuzz_specs(capsys, tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("s") / "spec.json"
    path.write_bytes(blob)
    code, out, err = run_cli(capsys, ["check", str(path), "--headers", "linux-6.6", "-t", "x86_64",
                                      "--format", "json", *LIMITS])
    assert_contract(code, out, err)
    if code in (0, 1):
        assert err == "" and json.loads(out)["command"] == "check"


WORDS = ["layout", "check", "targets", "diff", "--format", "json", "text", "sarif", "junit", "markdown",
         "xml", "--target", "-t", "all", "x86_64", "i386,arm64", "vax", "", "--type", "siginfo_t",
         "struct s", "struct", "--field", "si_pkey", "nope", "-I", "/nonexistent", "-D", "X=1",
         "-D", "1BAD", "--system", "--limit", "nesting=3", "cpp-output=0", "input-size=1K", "bogus=1",
         "cpp-timeout=abc", "-j", "0", "3", "--allow-include-outside", "--exit-zero", "--headers",
         "pkeys-v1", "no-such-set", "asm/siginfo.h", "signal.h", "-o", "--output", "\x1b[31m",
         "a\nb", "--", "-", "specs/siginfo.json", "tests/hostile/garbage.h", "tests/hostile/huge_array.h"]


@FUZZ
@given(argv=st.lists(st.sampled_from(WORDS), max_size=8))
def test_fuzz_command_lines(capsys, tmp_path_factory, argv):
    # -o only ever writes inside a fresh directory
    out_dir = tmp_path_factory.mktemp("o")
    argv = [str(out_dir / "r") if prev in ("-o", "--output") else a
            for prev, a in zip([None, *argv], argv)]
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        code, out, err = run_cli(capsys, argv + (["-I", str(ROOT / "headers" / "linux-6.6")]
                                                 if argv[:1] == ["layout"] else []))
    finally:
        os.chdir(cwd)
    assert_contract(code, out, err)
    if code == 2:
        assert not (out_dir / "r").exists() or (out_dir / "r").is_dir()


# --- regressions found by fuzzing and by the hostile inputs ------------------------

@pytest.mark.parametrize("src, where", [
    # pycparser reported these without a line; the error now points at the token
    ("struct s { foo_t a; };\n", ":1:12: error: unknown type name 'foo_t'"),
    ("struct s { int a;\n", ":1:17: error: unexpected end of input"),
    # a Latin-1 byte outside a comment: gcc's "stray", the byte escaped
    (b"struct s { int a; } \xe9;\n", ":1:21: error: stray '\\xe9' in program"),
    # ValueError from Python's int() on a 5000-digit literal
    ("struct s { char a[" + "9" * 5000 + "]; };\n", "error: integer constant is too large"),
    # ValueError: negative shift count
    ("struct s { char a[1 << -1]; };\n", "error: shift count -1 is out of range"),
])
def test_regressions(capsys, tmp_path, src, where):
    p = tmp_path / "r.h"
    p.write_bytes(src if isinstance(src, bytes) else src.encode())
    code, out, err = run_cli(capsys, ["layout", str(p), "-t", "x86_64"])
    assert code == 2 and out == "" and where in err, err
