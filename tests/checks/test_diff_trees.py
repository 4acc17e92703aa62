"""``abicheck diff`` of two trees that each hold several ABIs' headers, laid
out as Debian ships them, compared on every ABI in one run.

OLD is laid out as Debian 12 installs linux-libc-dev: the host's headers in
``usr/include`` with its ``asm/`` in ``usr/include/x86_64-linux-gnu``, every
other ABI in its cross package's ``usr/<triple>/include``.  NEW is laid out
as Debian 13's single linux-libc-dev: ``usr/include/<tuple>/asm`` for every
ABI, each a symbolic link to ``usr/lib/linux/uapi/<arch>/asm``.  The same
include names (``linux/rec.h``, ``asm/rec_arch.h``) must be compared across
the two layouts, the links followed within the tree, and each ABI's verdict
must be the one the compilers give when both revisions are compiled with
that ABI's include directories.
"""
from __future__ import annotations

import os

import pytest

from . import diff_oracle
from abicheck.checks.diff import run_diff
from abicheck.report.diffmodel import verdicts
from abicheck.targets import get_target
from oracle import NoOracle, OracleError, pick_oracle

COMMON = {
    "linux/types.h": "#ifndef _T\n#define _T\ntypedef unsigned int __u32;\n"
                     "typedef unsigned long long __u64 __attribute__((aligned(8)));\n#endif\n",
    "linux/rec.h": "#include <linux/types.h>\n#include <asm/rec_arch.h>\n"
                   "struct rec { __u32 head; struct rec_arch arch; __u32 tail; };\n",
}
#: kernel arch -> asm/rec_arch.h in OLD; NEW changes arm64's only
ARCH_OLD = {
    "x86": "struct rec_arch { __u32 word; };\n#define REC_ARCH_CODE 1\n",
    "arm64": "struct rec_arch { __u32 word; };\n#define REC_ARCH_CODE 2\n",
    "arm": "struct rec_arch { __u32 word; };\n#define REC_ARCH_CODE 3\n",
    "m68k": "struct rec_arch { __u32 word; };\n#define REC_ARCH_CODE 4\n",
}
ARCH_NEW = dict(ARCH_OLD, arm64="struct rec_arch { __u64 word; };\n#define REC_ARCH_CODE 2\n")
ARCH_OLD = {k: "#include <linux/types.h>\n" + v for k, v in ARCH_OLD.items()}
ARCH_NEW = {k: "#include <linux/types.h>\n" + v for k, v in ARCH_NEW.items()}
KARCH = {"x86_64": "x86", "i386": "x86", "aarch64": "arm64", "arm": "arm", "m68k": "m68k"}
#: OLD: x86_64 is the host (multiarch), the rest cross packages; NEW has no m68k
OLD_TARGETS = ("x86_64", "i386", "aarch64", "arm", "m68k")
NEW_TARGETS = ("x86_64", "i386", "aarch64", "arm")
TYPES = ["struct rec", "struct rec_arch"]


def _write(root: str, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)


def debian12_tree(root: str) -> None:
    inc = os.path.join(root, "usr", "include")
    _write(inc, COMMON)
    _write(os.path.join(inc, "x86_64-linux-gnu"), {"asm/rec_arch.h": ARCH_OLD["x86"]})
    for name in OLD_TARGETS[1:]:
        cross = os.path.join(root, "usr", get_target(name).triple, "include")
        _write(cross, {**COMMON, "asm/rec_arch.h": ARCH_OLD[KARCH[name]]})


def debian13_tree(root: str) -> None:
    inc = os.path.join(root, "usr", "include")
    _write(inc, COMMON)
    for arch in {KARCH[n] for n in NEW_TARGETS}:
        _write(os.path.join(root, "usr", "lib", "linux", "uapi", arch),
               {"asm/rec_arch.h": ARCH_NEW[arch]})
    for name in NEW_TARGETS:
        tuple_dir = os.path.join(inc, get_target(name).multiarch)
        os.makedirs(tuple_dir)
        os.symlink(os.path.join("..", "..", "lib", "linux", "uapi", KARCH[name], "asm"),
                   os.path.join(tuple_dir, "asm"))


@pytest.fixture(scope="module")
def trees(tmp_path_factory):
    base = tmp_path_factory.mktemp("trees")
    old, new = str(base / "old"), str(base / "new")
    debian12_tree(old)
    debian13_tree(new)
    return old, new


@pytest.fixture(scope="module")
def report(trees):
    old, new = trees
    return run_diff(old, new, [get_target(n) for n in OLD_TARGETS + ("s390x",)])


def _dirs(root: str, name: str, layout: int) -> list[str]:
    t = get_target(name)
    if layout == 12 and name != "x86_64":
        return [os.path.join(root, "usr", t.triple, "include")]
    return [os.path.join(root, "usr", "include", t.multiarch), os.path.join(root, "usr", "include")]


def _oracle(name: str, root: str, layout: int):
    orc = pick_oracle(get_target(name))
    dirs = _dirs(root, name, layout)
    src = "#include <linux/rec.h>\n"
    return orc.layout(src, TYPES, dirs), diff_oracle.values(orc, src, {"REC_ARCH_CODE": "REC_ARCH_CODE"},
                                                            dirs)


@pytest.mark.oracle
@pytest.mark.parametrize("name", NEW_TARGETS)
def test_each_abi_gets_the_compilers_verdict_in_one_run(trees, report, name):
    old, new = trees
    try:
        (lo, co), (ln, cn) = _oracle(name, old, 12), _oracle(name, new, 13)
    except NoOracle as e:
        pytest.skip(str(e))
    except OracleError as e:
        pytest.fail(f"the oracle failed: {e}")
    expected, why = diff_oracle.verdict(lo, ln, co, cn)
    got = verdicts(report)[name]
    assert (got == "incompatible") == (expected == "incompatible"), (got, expected, why)
    assert (got == "no change") == (expected == "no change"), (got, expected)


def test_the_premise_holds_one_abi_changed():
    # the fixture's own design, checked so the verdict test cannot pass vacuously
    assert [a for a in ARCH_OLD if ARCH_OLD[a] != ARCH_NEW[a]] == ["arm64"]


def test_abis_missing_from_a_tree_are_named_not_compared(report):
    v = verdicts(report)
    assert v["m68k"] == "not compared" and v["s390x"] == "not compared"
    topics = {f.topic: f.targets for f in report.findings if f.id == "ABI205"}
    assert topics == {"no headers for this ABI in NEW": ("m68k",),
                      "no headers for this ABI in either revision": ("s390x",)}


def test_findings_point_at_new_through_the_abis_own_folder(trees, report):
    _, new = trees
    files = {f.loc.file for f in report.findings if f.targets == ("aarch64",) and f.loc}
    # the asm/ header as the include path reaches it, not where the link points
    assert files == {os.path.join(new, "usr", "include", "aarch64-linux-gnu", "asm", "rec_arch.h"),
                     os.path.join(new, "usr", "include", "linux", "rec.h")}, files


def test_a_link_leaving_the_tree_is_still_refused(tmp_path):
    old, new = str(tmp_path / "old"), str(tmp_path / "new")
    debian12_tree(old)
    debian13_tree(new)
    outside = tmp_path / "outside" / "asm"
    outside.mkdir(parents=True)
    (outside / "rec_arch.h").write_text(ARCH_OLD["x86"])
    link = os.path.join(new, "usr", "include", "x86_64-linux-gnu", "asm")
    os.remove(link)
    os.symlink(str(outside), link)
    r = run_diff(old, new, [get_target("x86_64")])
    # the link is not walked, and including through it is refused
    msgs = [f.message for f in r.findings if f.id == "ABI200"]
    assert msgs and any("leaves the include directories" in m or "No such file" in m for m in msgs), msgs


def test_no_headers_for_any_selected_abi_is_bad_input(trees):
    from abicheck.errors import UsageError
    old, new = trees
    with pytest.raises(UsageError, match=r"NEW revision .* has no headers for target m68k"):
        run_diff(old, new, [get_target("m68k")])
