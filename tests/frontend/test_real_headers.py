"""Real headers that once failed, as a new user typed them (issue: every real
header, every ABI).  Each runs the command line and compares what it lays out
with the compiler (``tests/real_trees.py``), never with numbers of our own.
"""
from __future__ import annotations

import json
import os

import pytest

from abicheck.cli import main
from abicheck.targets import get_target
from real_trees import check_header, compiles

HOST_DIRS = ["/usr/include/x86_64-linux-gnu", "/usr/include"]
ARMEL_DIRS = ["/usr/arm-linux-gnueabi/include"]

pytestmark = pytest.mark.oracle


def _need(dirs, probe):
    if not any(os.path.isfile(os.path.join(d, probe)) for d in dirs):
        pytest.skip(f"{probe} is not installed under {dirs}")


def _layout_json(argv, capsys):
    code = main(["layout", *argv, "--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    return json.loads(out)


@pytest.mark.parametrize("header", [
    pytest.param("linux/rseq.h", id="attribute-argument-names-a-typedef"),
    pytest.param("linux/mptcp.h", id="libc-byteswap-always-inline"),
    pytest.param("linux/netfilter_ipv4/ip_tables.h", id="ip_tables"),
    pytest.param("error.h", id="glibc-fortify-wrappers"),
    pytest.param("complex.h", id="glibc-complex-FloatN"),
    pytest.param("tgmath.h", id="glibc-tgmath"),
    pytest.param("sys/rseq.h", id="glibc-rseq"),
    pytest.param("linux/cciss_ioctl.h", id="pragma-pack"),
    pytest.param("values.h", id="float.h"),
    pytest.param("stdio.h", id="va_list"),
])
def test_system_header_lays_out_as_the_compiler_does(header, capsys):
    """``abicheck layout H --system`` succeeds, and what it lays out is the
    compiler's layout (every complete struct, union and typedef of H)."""
    _need(HOST_DIRS, header)
    host = get_target("x86_64")
    ok, where = compiles(host, f"#include <{header}>\n", HOST_DIRS)
    assert ok, f"gcc rejects {header} here ({where}); the case means nothing"
    doc = _layout_json([header, "--system", "--target", "x86_64"], capsys)
    assert [r["target"] for r in doc["results"]] == ["x86_64"]
    assert check_header(host, header, HOST_DIRS) is None


def test_socket_then_perf_event():
    """The pair every tracing tool includes: glibc's byte-swap inlines carry
    always_inline between `static inline` and the return type."""
    from abicheck.api import layout_source
    from oracle import pick_oracle
    from real_trees import _cc_dirs
    from test_oracle_headers import first_difference
    _need(HOST_DIRS, "linux/perf_event.h")
    src = "#include <sys/socket.h>\n#include <linux/perf_event.h>\n"
    host = get_target("x86_64")
    types = ["struct perf_event_attr", "struct perf_event_mmap_page", "struct msghdr"]
    ours = {x.name: x.to_json() for x in layout_source(src, types, host, HOST_DIRS)}
    theirs = pick_oracle(host).layout(src, types, include_dirs=_cc_dirs(HOST_DIRS))
    for t in types:
        assert first_difference(ours[t], theirs[t]) is None, t


def test_armel_is_soft_float(capsys):
    """Debian's armel headers pick gnu/stubs-soft.h by the compiler's float-ABI
    macros: the armel row must predefine armel's, not armhf's."""
    _need(ARMEL_DIRS, "signal.h")
    doc = _layout_json(["signal.h", "--type", "siginfo_t", "--target", "armel",
                        "-I", ARMEL_DIRS[0]], capsys)
    assert doc["results"][0]["target"] == "armel"
    armel = get_target("armel")
    assert check_header(armel, "signal.h", ARMEL_DIRS) is None
    assert check_header(armel, "sys/socket.h", ARMEL_DIRS) is None


def test_header_without_types_is_not_an_error(capsys):
    _need(HOST_DIRS, "complex.h")
    code = main(["layout", "complex.h", "--system", "--target", "x86_64"])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert out == "/* complex.h declares no struct, union or typedef on x86_64 */\n"


@pytest.mark.parametrize("header", [
    pytest.param("asm-generic/ucontext.h", id="unknown-type-name-stack_t"),
    pytest.param("linux/sctp.h", id="undeclared-enum-constant-before-unknown-type"),
    pytest.param("bits/stdlib-bsearch.h", id="syntax-error-before-cpp-error"),
    pytest.param("bits/types/struct_statx_timestamp.h", id="error-directive-first"),
])
def test_header_gcc_rejects_fails_at_gccs_line(header):
    """Where gcc fails, abicheck fails at gcc's first error's file:line."""
    from abicheck.api import translate
    from abicheck.errors import AbicheckError
    _need(HOST_DIRS, header)
    host = get_target("x86_64")
    src = f"#include <{header}>\n"
    ok, where = compiles(host, src, HOST_DIRS)
    assert not ok, f"gcc accepts {header} alone here; the case means nothing"
    with pytest.raises(AbicheckError) as e:
        translate((), host, HOST_DIRS, source=src)
    line = str(e.value).splitlines()[0]
    file, ln = line.split(":")[:2]
    assert f"{os.path.realpath(file)}:{ln}" == where, line


def test_glibc_link_h_vector_types():
    """glibc's x86_64 <bits/link.h> declares its registers as GCC vector
    types (vector_size 16, 32, 64): the records that hold them, against gcc."""
    _need(HOST_DIRS, "link.h")
    from abicheck.api import layout_source
    from oracle.gcc import gcc_layout
    from real_trees import _cc_dirs
    from test_oracle_headers import first_difference
    src, types = "#include <link.h>\n", ["La_x86_64_regs", "La_x86_64_retval"]
    ours = {x.name: x.to_json() for x in layout_source(src, types, get_target("x86_64"), HOST_DIRS)}
    theirs = gcc_layout(src, types, ["gcc"], include_dirs=_cc_dirs(HOST_DIRS))
    for t in types:
        assert first_difference(ours[t], theirs[t]) is None, t
