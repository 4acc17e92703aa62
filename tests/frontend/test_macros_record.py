"""``frontend.macro_record.scan``: the macros of a ``-dD`` record read a stretch
at a time through a memo, held equal to ``cpp_output._scan_macros`` (the
line by line reading, kept as the reference) on real records: the host's
uapi headers, Debian's cross headers of a few ABIs, and crafted trees that
undo predefined macros, push and pop them, redefine them in later files and
spell marker-like text in code."""
import glob
import os
import shutil

import pytest

from abicheck.frontend import macro_record as M
from abicheck.frontend.cpp_output import _scan_macros
from abicheck.frontend.preprocess import prepare, run
from abicheck.targets import get_target
from debian_headers import include_dirs

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")


def _raw(headers, target, dirs, source=None):
    """A fresh ``-dD`` record (never the cache's, whose records are packed)."""
    pre = run(prepare(headers, target, dirs, source=source))
    assert pre._raw is not None
    return pre


def _same(raw: str) -> None:
    want = _scan_macros(raw)
    M._STRETCHES.clear()
    assert M.scan(raw) == want          # stretches read for the first time
    assert M.scan(raw) == want          # and replayed from the memo
    for cut in range(0, len(raw), max(1, len(raw) // 23)):
        assert M.scan(raw[:cut]) == _scan_macros(raw[:cut]), cut


def _uapi(dirs, names):
    return [n for n in names if any(os.path.isfile(os.path.join(d, n)) for d in dirs)]


HEADERS = ["linux/types.h", "linux/signal.h", "linux/input.h", "linux/perf_event.h",
           "linux/bpf.h", "linux/videodev2.h", "linux/fs.h", "linux/if_link.h",
           "linux/netfilter.h", "linux/kvm.h", "sound/asound.h", "linux/io_uring.h"]


@pytest.mark.parametrize("name", ["x86_64", "aarch64", "arm", "s390x", "mips"])
def test_real_records(name):
    target = get_target(name)
    dirs = include_dirs(target)
    if dirs is None:
        pytest.skip(f"no Debian headers for {name}")
    for h in _uapi(dirs, HEADERS):
        _same(_raw([h], target, dirs)._raw)


def test_many_host_headers_one_memo():
    """Records sharing stretches (linux/types.h...) replay each other's."""
    target = get_target("x86_64")
    dirs = include_dirs(target)
    if dirs is None:
        pytest.skip("no host uapi headers")
    names = sorted(os.path.relpath(p, "/usr/include")
                   for p in glob.glob("/usr/include/linux/*.h"))[::17]
    M._STRETCHES.clear()
    for h in names:
        try:
            raw = _raw([h], target, dirs)._raw
        except Exception:
            continue                    # a header that needs others first
        assert M.scan(raw) == _scan_macros(raw), h


def test_crafted(tmp_path):
    (tmp_path / "b.h").write_text(
        '#define TWICE 1\n#undef __x86_64__\n#define TWICE 2\n'
        'static const char *s = "x" 1;\n#define AFTER_STRING " 1\n')
    (tmp_path / "c.h").write_text(
        '#pragma push_macro("TWICE")\n#undef TWICE\n#define TWICE 3\n#pragma pop_macro("TWICE")\n'
        '#define ONLY_C(a, b) ((a) + (b))\n')
    (tmp_path / "a.h").write_text(
        '#define TWICE 0\n#include "b.h"\n#define MID 1\n#undef MID\n#include "c.h"\n'
        '#define LAST TWICE\n#include "b.h"\n')
    target = get_target("x86_64")
    pre = _raw([str(tmp_path / "a.h")], target, [str(tmp_path)])
    raw = pre._raw
    _same(raw)
    defs, exact = M.scan(raw)
    assert not exact                    # __x86_64__ undone, push_macro
    names = [d.name for d in defs]
    assert "MID" not in names and "__x86_64__" not in names
    assert names.index("TWICE") > names.index("ONLY_C")     # redefined last in b.h


def test_the_property_reads_the_record_stretch_by_stretch():
    """``Preprocessed.macros`` reads through ``scan_map`` and keeps what the
    line-by-line reference would; ``macro_map`` is the same by name."""
    from unittest import mock

    from abicheck.frontend import cpp_output
    target = get_target("x86_64")
    dirs = include_dirs(target)
    if dirs is None:
        pytest.skip("no host uapi headers")
    a = _raw(["linux/signal.h"], target, dirs)
    raw = a._raw
    with mock.patch.object(M, "scan_map", wraps=M.scan_map) as spy:
        got = a.macros
    assert spy.call_count == 1 and a._raw is None
    want = cpp_output._scan_macros(raw)
    assert (got, a.macros_exact) == want
    assert list(a.macro_map.items()) == [(d.name, d) for d in want[0]]
