"""The diff's batched macro expansions (``checks/diff_expand``) against each
table's own cpp run (``MacroTable.expansions``, the path every other command
takes), over real uapi headers, and the cases that must fall back to it.

Also the tree diff around what is shared between OLD and NEW (one parse for
a text both trees preprocess to, one parse of a macro expansion for both):
a header that is byte-identical in both trees still shows a change made in
a header it includes, with the sizes the compiler gives; a change in a
comment alone is no change.
"""
from __future__ import annotations

import glob
import os

import pytest

from abicheck import api
from abicheck.checks import diff_expand
from abicheck.checks.diff import run_diff
from abicheck.frontend.macros import MacroTable
from abicheck.layout import Layouter
from abicheck.report.diffmodel import verdicts
from abicheck.targets import get_target
from debian_headers import include_dirs
from oracle import NoOracle, pick_oracle
from runs.tree import write_tree

TARGETS = ("x86_64", "aarch64", "s390x")


def _translations(target, headers, dirs):
    jobs = [([h], target, dirs) for h in headers]
    return [tr for tr in api.translate_each(jobs) if not isinstance(tr, Exception)]


def _own_run(tr) -> dict[str, str]:
    return MacroTable(tr, Layouter(tr.unit, tr.target)).expansions()


@pytest.mark.parametrize("name", TARGETS)
def test_one_run_gives_each_table_what_its_own_run_gives(name):
    t = get_target(name)
    dirs = include_dirs(t)
    if dirs is None:
        pytest.skip(f"no Debian cross headers for {name}")
    linux = next(os.path.join(d, "linux") for d in dirs if os.path.isdir(os.path.join(d, "linux")))
    headers = sorted(glob.glob(os.path.join(linux, "*.h")))[::12]
    trs = _translations(t, headers, dirs)
    got = diff_expand.expansions(trs, ())
    batched = [(g, tr) for g, tr in zip(got, trs) if g is not None]
    # most tables go through the one run, and some of them expand something
    assert len(batched) > len(trs) // 2
    assert sum(len(g) for g, _ in batched) > 100
    for g, tr in batched:
        assert g == _own_run(tr), tr.request[0]


def _header(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_tables_that_cannot_share_a_run_are_left_to_their_own(tmp_path):
    t = get_target("x86_64")
    plain = _header(tmp_path, "plain.h", "#define A 1\n#define B (A + 1)\n")
    undone = _header(tmp_path, "undone.h", "#undef __x86_64__\n#define C 2\n#define D (C | 4)\n")
    counted = _header(tmp_path, "counted.h", "#define E __COUNTER__\n#define F (E + 0)\n")
    none = _header(tmp_path, "none.h", "#define G 7\n")
    trs = _translations(t, [plain, undone, counted, none], [])
    assert len(trs) == 4
    got = diff_expand.expansions(trs, ())
    assert got[0] == _own_run(trs[0]) == {"B": "(1 + 1)"}
    assert got[1] is None and got[2] is None       # not a plain define list; __COUNTER__
    assert got[3] == {} == _own_run(trs[3])


def test_a_run_cpp_refuses_leaves_every_table_to_its_own(tmp_path):
    t = get_target("x86_64")
    good = _header(tmp_path, "good.h", "#define A 1\n#define B (A + 1)\n")
    # fine to define, an error only where it is expanded: in the probe
    bad = _header(tmp_path, "bad.h", '#define P _Pragma("GCC error \\"no\\"") 1\n#define Q P\n')
    trs = _translations(t, [good, bad], [])
    assert len(trs) == 2
    assert diff_expand.expansions(trs, ()) == [None, None]
    assert diff_expand.expansions(trs[:1], ()) == [_own_run(trs[0])]


DEP_OLD = "typedef unsigned int word_t;\n"
DEP_NEW = "typedef unsigned long long word_t;\n"
USER = "#include <linux/dep.h>\nstruct user { word_t w; char c; };\n#define USER_MAGIC (1 << 3)\n"


def test_an_unchanged_header_shows_the_change_of_what_it_includes(tmp_path):
    t = get_target("x86_64")
    try:
        orc = pick_oracle(t)
    except NoOracle as e:
        pytest.skip(str(e))
    old = write_tree(tmp_path / "old", {"linux/dep.h": DEP_OLD, "linux/user.h": USER,
                                   "linux/same.h": "struct same { int x; };\n"})
    new = write_tree(tmp_path / "new", {"linux/dep.h": DEP_NEW, "linux/user.h": USER,
                                   "linux/same.h": "struct same { int x; };\n"})
    size = {side: orc.layout("#include <linux/user.h>\n", ["struct user"], [root])
            ["struct user"]["size"] for side, root in (("old", old), ("new", new))}
    assert size["old"] != size["new"]
    report = run_diff(old, new, [t], ["struct user"])
    messages = [f.message for r in report.results for f in r.findings]
    assert any(f"{size['old']}" in m and f"{size['new']}" in m for m in messages), messages
    assert verdicts(report)["x86_64"] == "incompatible"


def test_a_change_in_a_comment_alone_is_no_change(tmp_path):
    t = get_target("x86_64")
    old = write_tree(tmp_path / "old", {"linux/dep.h": DEP_OLD, "linux/user.h": USER})
    new = write_tree(tmp_path / "new", {"linux/dep.h": "/* a new comment */\n" + DEP_OLD,
                                   "linux/user.h": USER.replace("char c;", "char c; /* c */")})
    report = run_diff(old, new, [t])
    assert verdicts(report)["x86_64"] == "no change"
    assert not [f for r in report.results for f in r.findings]
