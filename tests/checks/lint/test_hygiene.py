"""uapi hygiene (ABI370-ABI374): a failing and a passing fixture each.
Include and declaration places come from the fixture text; whether a header
compiles alone, and where it first fails, from gcc."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from .lintkit import FIXTURES, TYPES_ROOT, fixture, hits, place

INC_ROOT = os.path.join(FIXTURES, "include-not-exported", "root")


def inc(side: str) -> str:
    return os.path.join(INC_ROOT, "fixture", f"{side}.h")


def test_include_not_exported():
    got = hits("ABI370", inc("bad"), include_dirs=(INC_ROOT,))
    # at the name's opening < or ", where gcc reports a missing include
    assert [(ln, col) for ln, col, _, _ in got] == [place(inc("bad"), "<linux/compiler.h>"),
                                                    place(inc("bad"), '"private.h"')]
    assert got[0][2] == ("#include <linux/compiler.h>: no such header under the exported "
                         "include roots of this run")
    assert hits("ABI370", inc("good"), include_dirs=(INC_ROOT,)) == []


def test_include_not_exported_needs_roots():
    """A lone file without -I has no exported roots to judge by."""
    assert hits("ABI370", inc("bad"), include_dirs=()) == []


@pytest.mark.parametrize("rule_id, name, needles", [
    pytest.param("ABI371", "libc-include", ["<stdint.h>", "<sys/socket.h>"], id="ABI371"),
    pytest.param("ABI372", "extern-declaration", ["extern int", "extern __u32"], id="ABI372"),
    pytest.param("ABI373", "function-prototype", ["pkey_info_get", "pkey_info_find"], id="ABI373"),
])
def test_text_hygiene(rule_id, name, needles):
    bad = fixture(name, "bad")
    got = hits(rule_id, bad)
    assert [(ln, col) for ln, col, _, _ in got] == [place(bad, n) for n in needles]
    assert hits(rule_id, fixture(name, "good")) == []


def test_messages_name_what_they_found():
    assert [m for *_, m, _ in hits("ABI372", fixture("extern-declaration", "bad"))] == [
        "extern declaration of pkey_count in a uapi header",
        "extern declaration of pkey_limits in a uapi header"]
    assert hits("ABI373", fixture("function-prototype", "bad"))[0][2] == \
        "function prototype 'pkey_info_get' in a uapi header"


def gcc_first_error(path: str, include_dirs=()) -> tuple[int, int, str] | None:
    """gcc's first error on the header compiled alone: (line, col, message)."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed (the oracle for 'compiles alone')")
    r = subprocess.run([gcc, "-fsyntax-only", "-fdiagnostics-column-unit=byte", "-x", "c",
                        *[f"-I{d}" for d in include_dirs], path],
                       capture_output=True, text=True, timeout=60)
    for ln in r.stderr.splitlines():
        m = re.match(r".*?:(\d+):(\d+): error: (.*)", ln)
        if m:
            return int(m.group(1)), int(m.group(2)), m.group(3)
    assert r.returncode == 0, r.stderr
    return None


def test_fixed_width_undefined_where_gcc_says():
    bad, good = fixture("fixed-width-undefined", "bad"), fixture("fixed-width-undefined", "good")
    line, col, msg = gcc_first_error(bad)
    assert "unknown type name" in msg and "__u32" in msg
    got = hits("ABI374", bad, targets=("x86_64", "i386"), include_dirs=())
    assert [(ln, c, t) for ln, c, _, t in got] == [(line, col, ("x86_64", "i386"))]
    assert gcc_first_error(good, [TYPES_ROOT]) is None
    assert hits("ABI374", good, targets=("x86_64", "i386")) == []


def test_does_not_compile_where_gcc_says():
    bad, good = fixture("does-not-compile", "bad"), fixture("does-not-compile", "good")
    line, col, _ = gcc_first_error(bad, [TYPES_ROOT])
    got = hits("ABI390", bad, targets=("x86_64", "i386"))
    assert [(ln, c, t) for ln, c, _, t in got] == [(line, col, ("x86_64", "i386"))]
    assert got[0][2].startswith("does not compile: ")
    assert gcc_first_error(good, [TYPES_ROOT]) is None
    assert hits("ABI390", good, targets=("x86_64", "i386")) == []
    # an unknown fixed-width type is ABI374's, not a generic compile error
    assert hits("ABI390", fixture("fixed-width-undefined", "bad"), include_dirs=()) == []


def test_a_folder_linted_below_its_include_root_says_which_root(tmp_path):
    """Linting /usr/include/linux without -I /usr/include: the includes say
    <linux/...>; ABI370 and ABI390 name the folder that holds them."""
    (tmp_path / "linux").mkdir()
    (tmp_path / "linux" / "b.h").write_text("typedef unsigned int __u32;\n")
    (tmp_path / "linux" / "a.h").write_text("#include <linux/b.h>\nstruct a { __u32 x; };\n")
    folder = str(tmp_path / "linux")
    hint = f"; it is in {tmp_path}: pass -I {tmp_path}"
    (_, _, msg370, _), = hits("ABI370", os.path.join(folder, "a.h"), include_dirs=(folder,))
    assert msg370.endswith(hint)
    (_, _, msg390, _), = hits("ABI390", os.path.join(folder, "a.h"), include_dirs=(folder,))
    assert msg390.endswith(hint)
    assert hits("ABI370", os.path.join(folder, "a.h"), include_dirs=(str(tmp_path),)) == []
