"""The diff views of a Report: verdicts per target, exit bits, grouping by
cause, and each format's shape.  Reports are built by hand here, so every
expected line follows from the findings written below."""
import json
from importlib import resources

import jsonschema
import pytest

from abicheck.errors import SourceLoc
from abicheck.report.diffmodel import exit_status, target_list, topics, verdicts
from abicheck.report.findings import CheckResult, Finding, Report
from abicheck.report.render import render

TARGETS = ("x86_64", "i386", "arm", "m68k", "mips")
LOC = SourceLoc("inc/ev.h", 11, 9)
ROOT = "new member key (__u64) raised the alignment of data"


def f(id_, verdict, targets, message, topic, cause=None, loc=LOC, check="struct event"):
    sev = {"incompatible": "error", "needs review": "warning"}.get(verdict, "note")
    return Finding(id_, sev, tuple(targets), loc, message, check, None, None, verdict, topic, cause)


def report(findings) -> Report:
    results = []
    for t in TARGETS:
        mine = tuple(x for x in findings if t in x.targets)
        results.append(CheckResult("struct event", "ABI2", t, not mine, mine))
    return Report("diff", "old.h -> new.h", TARGETS, tuple(results), {"old": "old.h", "new": "new.h",
                  "compared": {"types": 1, "constants": 0, "headers": {"old": 1, "new": 1}}})


ALIGN = [
    f("ABI222", "incompatible", ["arm", "mips"], "data moved from 0xc to 0x10 (+4)", ROOT),
    f("ABI222", "incompatible", ["arm", "mips"], "member data.x moved from 0xc to 0x10 (+4)",
      "member data.x moved", ROOT),
    f("ABI210", "incompatible", ["arm", "mips"], "struct event is 40 bytes, was 36",
      "the size of struct event changed", ROOT),
    f("ABI220", "compatible", ["x86_64"], "member key (__u64) added at 0x20 into a union",
      "member key added into a union"),
    f("ABI220", "compatible", ["i386", "m68k"], "member key (__u64) added at 0x14 into a union",
      "member key added into a union"),
]


def test_verdicts_and_exit_bits():
    rep = report(ALIGN)
    assert verdicts(rep) == {"x86_64": "compatible", "i386": "compatible", "arm": "incompatible",
                             "m68k": "compatible", "mips": "incompatible"}
    assert exit_status(rep) == 12


@pytest.mark.parametrize("found, code", [
    pytest.param([], 0, id="nothing"),
    pytest.param([f("ABI230", "compatible", ["arm"], "A added", "constant A added")], 4, id="4"),
    pytest.param([f("ABI232", "incompatible", ["arm"], "A is 2", "constant A changed")], 12, id="12"),
    pytest.param([f("ABI227", "needs review", ["arm"], "x", "reserved")], 20, id="20"),
    pytest.param([f("ABI227", "needs review", ["arm"], "x", "r"),
                  f("ABI232", "incompatible", ["m68k"], "y", "c")], 28, id="28"),
    pytest.param([f("ABI200", "not compared", ["arm"], "x.h: error", "x.h does not compile")], 0,
                 id="not-compared-carries-no-bit"),
])
def test_exit_status_bits(found, code):
    assert exit_status(report(found)) == code


def test_no_change_target():
    assert verdicts(report([]))["arm"] == "no change"


@pytest.mark.parametrize("names, text", [
    pytest.param(TARGETS, "all 5 ABIs", id="all"),
    pytest.param(("arm",), "arm", id="one"),
    pytest.param(("x86_64", "i386", "arm", "mips"), "all but m68k (4 of 5 ABIs)", id="all-but"),
    pytest.param(("mips", "x86_64"), "x86_64, mips (2 of 5 ABIs)", id="table-order"),
])
def test_target_list(names, text):
    assert target_list(report([]), names) == text


def test_derived_findings_hang_under_their_root():
    groups = topics(report(ALIGN))
    root = next(g for g in groups if g.topic == ROOT)
    assert root.verdict == "incompatible" and root.targets == {"arm", "mips"}
    assert sorted(x.id for x in root.derived) == ["ABI210", "ABI222"]
    added = next(g for g in groups if g.topic == "member key added into a union")
    assert [sorted(v.targets) for v in added.variants] == [["x86_64"], ["i386", "m68k"]]


def test_text_prints_each_root_once_and_counts_what_follows():
    out = render(report(ALIGN), "text")
    lines = out.splitlines()
    assert lines[0] == "abicheck diff old.h -> new.h: all 5 ABIs"
    assert lines[1].split() == ["incompatible", "arm,", "mips", "(2", "of", "5", "ABIs)"]
    assert "follows from it: 1 moved member, 1 size change" in out
    assert "member data.x moved" not in out                   # derived: counted, not listed
    # variants that differ in one number share their words
    assert "member key (__u64) added at ... into a union:" in out
    assert "0x20 on x86_64" in out and "0x14 on i386, m68k (2 of 5 ABIs)" in out
    assert out == render(report(ALIGN), "text")


def test_text_no_change():
    out = render(report([]), "text")
    assert out.splitlines()[-1] == "no ABI change" and "no change     all 5 ABIs" in out


def test_markdown_groups_abis_with_the_same_row():
    out = render(report(ALIGN), "markdown")
    assert "| arm, mips (2 of 5 ABIs) | **incompatible** | 1 |  |  |  |" in out
    assert "| all but arm, mips (3 of 5 ABIs) | compatible |  |  | 1 |  |" in out
    assert "#### struct event" in out and "  - follows from it: 1 moved member, 1 size change" in out


def test_json_document_validates_and_keeps_causes():
    doc = json.loads(render(report(ALIGN), "json"))
    schema = json.loads(resources.files("abicheck").joinpath("schemas/diff.schema.json").read_text())
    jsonschema.validate(doc, schema)
    assert doc["exit_status"] == 12 and doc["summary"]["incompatible"] == 2
    derived = [c for c in doc["changes"] if c["cause"] == ROOT]
    assert len(derived) == 2 and all(c["targets"] == ["arm", "mips"] for c in derived)


def test_sarif_carries_the_verdict():
    doc = json.loads(render(report(ALIGN), "sarif"))
    res = doc["runs"][0]["results"]
    assert {r["properties"]["verdict"] for r in res} == {"incompatible", "compatible"}
    rules = {r["id"]: r["shortDescription"]["text"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["ABI222"] == "member moved"


def test_check_reports_keep_their_json_shape():
    plain = Finding("ABI130", "error", ("x86_64",), LOC, "m", "c")
    assert set(plain.to_json()) == {"id", "severity", "check", "targets", "loc", "message",
                                    "measured", "expected"}
