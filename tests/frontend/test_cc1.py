"""cpp runs start cc1 on the command line the gcc driver gives it
(frontend/cc1.py).  The oracle is the driver itself: on every target, the
same input gives the same output, diagnostics and exit status both ways,
byte for byte."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from abicheck import bundled
from abicheck.frontend import cc1
from abicheck.frontend.preprocess import _gcc, command_macros
from abicheck.targets import all_targets

pytestmark = pytest.mark.skipif(not _gcc(), reason="needs gcc")

pp = sys.modules["abicheck.frontend.preprocess"]

MAINS = {
    "siginfo": "#include <asm/siginfo.h>\n#include <linux/types.h>\n",
    "missing": "#include <linux/types.h>\n#include <not/there.h>\n",
    "error": "#ifdef __LP64__\n#error sixty-four\n#endif\n#define X 1\n",
    "redefined": "#define __STDC_HOSTED__ 0\n__STDC_VERSION__ __GNUC__ __x86_64__ USER(2)\n",
}
#: the exit status gcc gives (the oracle: not asserted for anything else)
FAILS = {"missing": lambda t: True, "error": lambda t: "__LP64__" in t.macros}


def _run(args: list[str], text: str) -> tuple[int, bytes, bytes]:
    from abicheck.frontend.cpp_process import _cpp_env
    p = subprocess.run(args, input=text.encode(), capture_output=True, env=_cpp_env())
    return p.returncode, p.stdout, p.stderr


def _both(dirs, macros, text, monkeypatch):
    direct = cc1.command(_gcc(), dirs, macros)
    with monkeypatch.context() as m:
        m.setenv("ABICHECK_CPP_DRIVER", "1")
        driven = cc1.command(_gcc(), dirs, macros)
    return direct, driven


@pytest.mark.skipif(cc1.template(_gcc() or "") is None, reason="the driver names no cc1")
@pytest.mark.parametrize("main", list(MAINS))
def test_cc1_gives_what_the_driver_gives_on_every_target(main, monkeypatch):
    dirs = [bundled.headers_dir("linux-6.6"), pp.bundled_include_dir()]
    for t in all_targets():
        direct, driven = _both(dirs, command_macros(t, ["USER(a)=a + 1"]), MAINS[main], monkeypatch)
        assert os.path.basename(direct[0]) == "cc1" and driven[0] == _gcc()
        got, want = _run(direct, MAINS[main]), _run(driven, MAINS[main])
        assert got == want, t.name
        assert (want[0] != 0) == FAILS.get(main, lambda t: False)(t), t.name


@pytest.mark.skipif(cc1.template(_gcc() or "") is None, reason="the driver names no cc1")
def test_cc1_gives_what_the_driver_gives_on_debian_headers(monkeypatch):
    from tests.debian_headers import include_dirs
    text = "".join(f"#include <{h}>\n" for h in ("linux/perf_event.h", "linux/bpf.h", "asm/sigcontext.h",
                                                  "linux/input.h", "asm/ptrace.h"))
    seen = 0
    for t in all_targets():
        dirs = include_dirs(t)
        if dirs is None:
            continue
        direct, driven = _both([*dirs, pp.bundled_include_dir()], command_macros(t, []), text, monkeypatch)
        got, want = _run(direct, text), _run(driven, text)
        assert got == want, t.name
        seen += 1
    if not seen:
        pytest.skip("no Debian cross headers installed")


def _fake(tmp_path, script: str) -> str:
    p = tmp_path / "gcc"
    p.write_text("#!/bin/sh\n" + script)
    p.chmod(0o755)
    cc1._template.cache_clear()
    return str(p)


@pytest.mark.parametrize("answer", [
    # clang's driver: its compiler is itself with -cc1
    'echo \' "/usr/bin/clang" "-cc1" "-E" "-D" "ABICHECK_STAND_IN_D=1" "-I" "/abicheck-stand-in-include"\' >&2',
    # two commands
    "echo ' /bin/true -D ABICHECK_STAND_IN_D=1 -I /abicheck-stand-in-include' >&2; echo ' /bin/true' >&2",
    # a stand-in missing
    "echo ' /bin/cc1 -I /abicheck-stand-in-include' >&2",
    # the driver fails
    "exit 1",
    # an unclosed quote
    "echo ' /bin/cc1 \"-D' >&2",
])
def test_anything_unexpected_goes_through_the_driver(tmp_path, answer):
    driver = _fake(tmp_path, answer + "\n")
    try:
        assert cc1.template(driver) is None
        assert cc1.command(driver, ["/d"], {"X": "1"}) == [driver, *cc1.OPTIONS, "-DX=1", "-I", "/d", "-"]
    finally:
        cc1._template.cache_clear()


def test_a_stand_in_pair_is_replaced_in_order(tmp_path):
    (tmp_path / "cc1").write_text("#!/bin/sh\n")
    (tmp_path / "cc1").chmod(0o755)
    driver = _fake(tmp_path, f"echo ' {tmp_path}/cc1 -E -I /abicheck-stand-in-include -x "
                             "-D \"ABICHECK_STAND_IN_D=1\" - -y' >&2\n")
    try:
        assert cc1.command(driver, ["/a", "/b"], {"X": "1", "F(a)": "a b"}) == [
            f"{tmp_path}/cc1", "-E", "-I", "/a", "-I", "/b", "-x", "-D", "X=1", "-D", "F(a)=a b", "-", "-y"]
    finally:
        cc1._template.cache_clear()


def test_the_driver_is_asked_in_the_environment_cpp_runs_in(tmp_path, monkeypatch):
    # GCC_EXEC_PREFIX would point the driver at another cc1 (as it would a run
    # through the driver, had its environment not been scrubbed)
    machine = subprocess.run([_gcc(), "-dumpmachine"], capture_output=True, text=True).stdout.strip()
    version = subprocess.run([_gcc(), "-dumpversion"], capture_output=True, text=True).stdout.strip()
    fake = tmp_path / machine / version / "cc1"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("GCC_EXEC_PREFIX", f"{tmp_path}/")
    cc1._template.cache_clear()
    try:
        found = cc1.template(_gcc())
        assert found is None or not found[0][0].startswith(str(tmp_path))
    finally:
        cc1._template.cache_clear()
