"""``abicheck diff`` on synthetic revision pairs (tests/checks/diff_cases/),
one per verdict rule, against the compilers on every ABI with an oracle.

For each pair and ABI both revisions are compiled by the oracle and judged
mechanically (``diff_oracle.verdict``); abicheck's verdict must be
*incompatible* exactly where the compilers' numbers say so, and *no change*
exactly where they show no difference.  Only the needs-review cases (reserved
bytes put to use, renames with the same layout) are asserted by hand, from
the issue's definition, after the compilers confirm their premise.
"""
from __future__ import annotations

import functools
import os

import pytest

from . import diff_oracle
from abicheck.checks.diff import run_diff
from abicheck.report.diffmodel import exit_status, verdicts
from abicheck.targets import all_targets
from oracle import NoOracle, OracleError, pick_oracle

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "diff_cases")
TARGETS = list(all_targets())

#: case -> the types it declares (what the oracle lays out).
CASES = {
    "align_raise": ["struct event", "union ev_data"],
    "m68k_only": ["struct rec"],
    "padding_filled": ["struct pkt"],
    "reserved": ["struct cfg"],
    "renumber": ["struct req"],
    "collision": ["struct xflt"],
    "bitfield_endian": ["struct hdr"],
    "union_larger": ["union slot"],
}


def path(case: str, side: str) -> str:
    return os.path.join(HERE, case, f"{side}.h")


def text(case: str, side: str) -> str:
    with open(path(case, side)) as f:
        return f.read()


@functools.cache
def report(case: str):
    return run_diff(path(case, "old"), path(case, "new"), TARGETS)


@functools.cache
def oracle_side(case: str, side: str, tname: str):
    t = next(x for x in TARGETS if x.name == tname)
    orc = pick_oracle(t)
    src = text(case, side)
    layouts = orc.layout(src, CASES[case])
    names = diff_oracle.integer_macros(text(case, "old"), text(case, "new"))
    consts = diff_oracle.values(orc, src, {n: n for n in names}) if names else {}
    return layouts, consts


def oracle_verdict(case: str, tname: str):
    try:
        old = oracle_side(case, "old", tname)
        new = oracle_side(case, "new", tname)
    except NoOracle as e:
        pytest.skip(str(e))
    except OracleError as e:
        pytest.fail(f"the oracle failed: {e}")
    return diff_oracle.verdict(old[0], new[0], old[1], new[1])


@pytest.mark.oracle
@pytest.mark.parametrize("tname", [t.name for t in TARGETS])
@pytest.mark.parametrize("case", sorted(CASES))
def test_verdict_matches_the_compilers(case, tname):
    expected, why = oracle_verdict(case, tname)
    got = verdicts(report(case))[tname]
    assert (got == "incompatible") == (expected == "incompatible"), (got, expected, why)
    assert (got == "no change") == (expected == "no change"), (got, expected)


def incompatible_on(case: str) -> set[str]:
    return {t for t, v in verdicts(report(case)).items() if v == "incompatible"}


def test_alignment_raise_names_its_root_and_groups_targets():
    # the compilers decide where it breaks (test above); here: how it reads
    rep = report("align_raise")
    roots = [f for f in rep.findings if f.check == "struct event" and f.cause is None
             and f.verdict == "incompatible"]
    assert len({f.topic for f in roots}) == 1
    root = roots[0]
    assert "new member data.fault.key (__u64) raised the alignment of data" in root.topic
    assert "from 4 to 8" in root.message and "every member of data moves +4" in root.message
    assert set(root.targets) == incompatible_on("align_raise") and "arm" in root.targets
    derived = [f for f in rep.findings if f.check == "struct event" and f.cause == root.topic]
    assert {f.id for f in derived} >= {"ABI222", "ABI210", "ABI211"}
    assert str(root.loc).endswith("align_raise/new.h:11:9")      # the line that broke it
    text_out = __import__("abicheck.report.render", fromlist=["render"]).render(rep, "text")
    assert "follows from it:" in text_out and len(text_out.splitlines()) < 50


def test_m68k_only_move_is_explained_by_the_new_member():
    rep = report("m68k_only")
    root = next(f for f in rep.findings if f.id == "ABI222" and f.cause is None)
    assert root.targets == ("m68k",)
    assert "new member n (short)" in root.message and "from 0x2 to 0x4" in root.message


def test_reserved_bytes_put_to_use_need_review():
    # premise from the compilers: no other member moves, the size stays
    for t in TARGETS:
        try:
            expected, _ = oracle_verdict("reserved", t.name)
        except pytest.skip.Exception:
            continue
        assert expected == "compatible", t.name
    assert set(verdicts(report("reserved")).values()) == {"needs review"}
    assert exit_status(report("reserved")) == 20
    assert {f.id for f in report("reserved").findings} == {"ABI227"}


def test_rename_with_the_same_layout_needs_review():
    rep = run_diff(path("rename", "old"), path("rename", "new"), TARGETS)
    for t in TARGETS:
        try:
            orc = pick_oracle(t)
        except NoOracle:
            continue
        a = orc.layout(text("rename", "old"), ["struct msg", "struct old_stat"])
        b = orc.layout(text("rename", "new"), ["struct msg", "struct new_stat"])
        # premise: the same bytes under other names
        assert [m["offset"] for m in a["struct msg"]["members"]] == \
            [m["offset"] for m in b["struct msg"]["members"]]
        assert (a["struct old_stat"]["size"], [m["offset"] for m in a["struct old_stat"]["members"]]) \
            == (b["struct new_stat"]["size"], [m["offset"] for m in b["struct new_stat"]["members"]])
    assert set(verdicts(rep).values()) == {"needs review"}
    ids = {f.id: f for f in rep.findings}
    assert set(ids) == {"ABI226", "ABI203"}
    assert "accessor msg_code" in ids["ABI226"].topic


def test_a_header_that_fails_on_one_target_is_reported_there_only():
    rep = run_diff(path("no_m68k", "old"), path("no_m68k", "new"), TARGETS)
    on_m68k = [f for r in rep.results if r.target == "m68k" for f in r.findings]
    assert [(f.id, f.verdict) for f in on_m68k] == [("ABI200", "needs review")]
    assert "#error" in on_m68k[0].message and str(on_m68k[0].loc).endswith("no_m68k/new.h:2:2")
    assert verdicts(rep)["x86_64"] == "incompatible"        # struct port grew: compared there


def test_a_union_member_larger_than_the_others_needs_review_where_it_is():
    # where it is larger comes from the compiler: c against a and b
    rep = report("union_larger")
    for t in TARGETS:
        try:
            lay = oracle_side("union_larger", "new", t.name)[0]["union slot"]
        except NoOracle:
            continue
        size = {m["path"]: m["size"] for m in lay["members"]}
        larger = size["c"] > max(size["a"], size["b"])
        assert (verdicts(rep)[t.name] == "needs review") == larger, t.name
    assert {f.id for f in rep.findings if f.verdict == "needs review"} == {"ABI228"}
