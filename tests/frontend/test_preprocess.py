"""Hermetic preprocessing: no host leaks, both preprocessors agree."""
import os

import pytest

from abicheck import api
from abicheck.errors import PreprocessError
from abicheck.frontend.preprocess import preprocess
from abicheck.targets import get_target

ARM64 = "/usr/aarch64-linux-gnu/include"


def test_host_macros_do_not_leak():
    src = "#ifdef __x86_64__\nint host;\n#endif\n#ifdef __aarch64__\nint target;\n#endif\n"
    pre = preprocess((), get_target("aarch64"), source=src)
    assert "target" in pre.text and "host" not in pre.text


def test_macro_table_has_locations():
    pre = preprocess((), get_target("i386"), source="\n#define FOO 3 /* three */\n")
    foo = {m.name: m for m in pre.macros}["FOO"]
    assert (foo.body, foo.loc.line) == ("3", 2)


@pytest.mark.skipif(not os.path.isdir(ARM64), reason="Debian arm64 cross headers not installed")
def test_pcpp_fallback_gives_the_same_layout(monkeypatch):
    want = api.layout_headers(["asm/siginfo.h"], ["siginfo_t"], "arm64", [ARM64])[0].to_json()
    monkeypatch.setenv("ABICHECK_CPP", "pcpp")
    from abicheck.frontend import _parse_cached
    _parse_cached.cache_clear()
    got = api.layout_headers(["asm/siginfo.h"], ["siginfo_t"], "arm64", [ARM64])[0].to_json()
    got.pop("loc"), want.pop("loc")
    assert got == want


@pytest.mark.parametrize("cpp", ["gcc", "pcpp"])
def test_missing_header_is_one_error(monkeypatch, cpp):
    if cpp == "pcpp":
        monkeypatch.setenv("ABICHECK_CPP", "pcpp")
    with pytest.raises(PreprocessError) as e:
        preprocess(["no/such.h"], get_target("x86_64"))
    assert "cannot find header" in str(e.value) and "\n" not in str(e.value)


# --- hostile input: bytes, confinement, environment, bounds ------------------------

import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

from abicheck import limits  # noqa: E402
from abicheck.errors import ConfinementError, LimitError  # noqa: E402

PKG = Path(__file__).resolve().parents[2] / "abicheck"


def _gcc_error_place(path) -> str:
    """file:line:col of gcc's first error on ``path`` (the oracle)."""
    res = subprocess.run(["gcc", "-fsyntax-only", "-x", "c", str(path)], capture_output=True,
                         env={"PATH": os.environ["PATH"], "LC_ALL": "C"})
    m = re.search(r"^(.*?):(\d+):(\d+): error:", res.stderr.decode("utf-8", "replace"), re.M)
    return f"{m.group(2)}:{m.group(3)}" if m else ""


def test_latin1_in_comments_and_strings_changes_nothing(tmp_path):
    """gcc passes such bytes through; so do we (the issue's UnicodeDecodeError)."""
    plain = tmp_path / "plain.h"
    plain.write_bytes(b"/* cafe */\nstruct s { char c; int a; };\nstatic const char *n = \"cafe\";\n")
    latin = tmp_path / "latin.h"
    latin.write_bytes(b"/* caf\xe9 \xff */\nstruct s { char c; int a; };\nstatic const char *n = \"caf\xe9\";\n")
    want = api.layout_headers([str(plain)], ["struct s"], "x86_64")[0].to_json()
    got = api.layout_headers([str(latin)], ["struct s"], "x86_64")[0].to_json()
    got.pop("loc"), want.pop("loc")
    assert got == want


@pytest.mark.skipif(not shutil.which("gcc"), reason="needs gcc as the oracle")
def test_stray_byte_is_located_where_gcc_says(tmp_path):
    p = tmp_path / "stray.h"
    p.write_bytes(b"/* ok: \xe9 */\nstruct s { int a; } \xe9;\n")
    with pytest.raises(Exception) as e:
        api.layout_headers([str(p)], ["struct s"], "x86_64")
    assert f"{p}:{_gcc_error_place(p)}: error: stray '\\xe9' in program" == str(e.value)


def test_no_external_program_runs_through_a_shell():
    """Confinement: every subprocess gets an argument list."""
    for py in PKG.rglob("*.py"):
        text = py.read_text()
        assert "shell=True" not in text, py
        assert not re.search(r"\bos\.(system|popen)\(|\bcommands\.", text), py


def test_host_include_dirs_do_not_leak():
    """-nostdinc: a libc header is not found without --system or -I."""
    with pytest.raises(PreprocessError, match="cannot find header 'stdio.h'"):
        preprocess(["stdio.h"], get_target("x86_64"))


def test_cpp_environment_is_scrubbed(tmp_path, monkeypatch):
    """CPATH/C_INCLUDE_PATH would add include dirs, DEPENDENCIES_OUTPUT
    would make cpp write a file: none of them reaches it."""
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / "leak.h").write_text("struct leaked { int a; };\n")
    deps = tmp_path / "deps.d"
    for var in ("CPATH", "C_INCLUDE_PATH"):
        monkeypatch.setenv(var, str(leak))
    monkeypatch.setenv("DEPENDENCIES_OUTPUT", str(deps))
    with pytest.raises(PreprocessError, match="cannot find header 'leak.h'"):
        preprocess(["leak.h"], get_target("x86_64"))
    preprocess((), get_target("x86_64"), source="int x;\n")
    assert not deps.exists()


@pytest.fixture
def tree(tmp_path):
    """A root with a header, a secret outside it, and three ways out."""
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    secret = tmp_path / "secret.h"
    secret.write_text("struct secret { int a; };\n")
    (root / "inside.h").write_text("struct inside { int a; };\n")
    (root / "sub" / "ok.h").write_text('#include "../inside.h"\nstruct ok { int a; };\n')
    (root / "abs.h").write_text(f'#include "{secret}"\n')
    (root / "dotdot.h").write_text('#include "../secret.h"\n')
    (root / "link.h").symlink_to(secret)
    (root / "via_link.h").write_text('#include "link.h"\n')
    (root / "abs_inside.h").write_text(f'\n#include "{root / "inside.h"}"\n')
    return root


@pytest.mark.parametrize("cpp", ["gcc", "pcpp"])
@pytest.mark.parametrize("name, what", [
    ("abs.h", "absolute path"), ("dotdot.h", "leaves the include directories"),
    ("via_link.h", "leaves the include directories"), ("abs_inside.h", "absolute path"),
])
def test_includes_may_not_leave_the_roots(tree, monkeypatch, cpp, name, what):
    if cpp == "pcpp":
        monkeypatch.setenv("ABICHECK_CPP", "pcpp")
    with pytest.raises(ConfinementError) as e:
        preprocess([name], get_target("x86_64"), [str(tree)])
    assert what in e.value.msg
    assert e.value.loc.file.endswith(name) and e.value.loc.line == (2 if name == "abs_inside.h" else 1)
    if cpp == "gcc":
        assert e.value.loc.col == 10             # the quote, where gcc puts include errors
    with limits.use(limits.Limits(allow_include_outside=True)):
        preprocess([name], get_target("x86_64"), [str(tree)])


def test_includes_inside_the_roots_are_fine(tree):
    pre = preprocess(["sub/ok.h"], get_target("x86_64"), [str(tree)])
    assert any(f.endswith("inside.h") for f, _ in pre.entries)


def test_a_named_header_is_allowed_wherever_it_is(tree):
    """The command line names it: its directory becomes a root."""
    api.layout_headers([str(tree.parent / "secret.h")], ["struct secret"], "x86_64")


BOMB = "#define B0 x\n" + "".join(f"#define B{i} B{i-1} B{i-1}\n" for i in range(1, 41)) + \
       "struct s { int B40; };\n"


@pytest.mark.parametrize("bound, flag", [
    (limits.Limits(cpp_output=64 << 10), "cpp-output"),
    (limits.Limits(cpp_output=1 << 40, cpp_timeout=0.5), "cpp-timeout"),
])
def test_macro_bombs_stop_at_the_bound(tmp_path, bound, flag):
    p = tmp_path / "bomb.h"
    p.write_text(BOMB)
    with limits.use(bound), pytest.raises(LimitError) as e:
        preprocess([str(p)], get_target("x86_64"))
    assert f"--limit {flag}=" in e.value.msg
    assert (e.value.loc.file, e.value.loc.line) == (str(p), 42)


def test_input_size_bound(tmp_path):
    big = tmp_path / "big.h"
    big.write_text("int a;\n" * 400)
    (tmp_path / "small.h").write_text('#include "big.h"\n')
    with limits.use(limits.Limits(input_size=1024)):
        with pytest.raises(LimitError, match="input-size"):
            preprocess([str(big)], get_target("x86_64"))
        with pytest.raises(LimitError, match="input-size") as e:
            preprocess([str(tmp_path / "small.h")], get_target("x86_64"))
        assert (e.value.loc.line, e.value.loc.col) == (1, 10)


def test_nesting_bound_and_its_flag():
    src = "struct s { char a[" + "(" * 300 + "1" + ")" * 300 + "]; };\n"
    with pytest.raises(LimitError) as e:
        api.layout_source(src, ["struct s"], "x86_64")
    # "{" and "[" count too: the 255th "(" (column 19 + 254) is the 257th level
    assert (e.value.loc.line, e.value.loc.col) == (1, 19 + 254)
    with limits.use(limits.Limits(nesting=400)):
        import sys
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(limits.recursion_needed(limits.active()))
        try:
            assert api.layout_source(src, ["struct s"], "x86_64")[0].size == 1
        finally:
            sys.setrecursionlimit(old)


@pytest.mark.parametrize("item, ok", [
    ("cpp-output=4M", True), ("input-size=512K", True), ("cpp-timeout=2.5", True), ("nesting=10", True),
    ("nesting=0", False), ("cpp-timeout=-1", False), ("cpp-timeout=nan", False), ("size=1", False),
    ("cpp-output", False), ("input-size=1T", False),
])
def test_limit_option_parsing(item, ok):
    from abicheck.errors import UsageError
    if ok:
        limits.Limits().with_options([item])
    else:
        with pytest.raises(UsageError):
            limits.Limits().with_options([item])


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs /proc to list processes")
def test_a_stopped_cpp_leaves_no_process_behind(tmp_path):
    """gcc's driver, killed alone, leaves cc1 writing the bomb forever."""
    import time
    import uuid
    mark = f"ABICHECK_MARK_{uuid.uuid4().hex}"
    p = tmp_path / "bomb.h"
    p.write_text(BOMB)
    with limits.use(limits.Limits(cpp_output=64 << 10)), pytest.raises(LimitError):
        preprocess([str(p)], get_target("x86_64"), defines=[mark])
    time.sleep(0.2)
    alive = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if mark.encode() in f.read():
                    alive.append(pid)
        except OSError:
            pass
    assert alive == []
