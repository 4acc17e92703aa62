"""Reports escape what they quote: hostile names and messages in every format.

A header under review chooses its own file names, member names and macro
bodies, and a spec its check names; none of that may break a report's
syntax, forge a line, or inject markup.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from abicheck.errors import SourceLoc
from abicheck.output import encodable
from abicheck.report.findings import CheckResult, Finding, Report
from abicheck.report.render import render

EVIL = 'a|b`c <script>alert(1)</script> & "q" \'s\' \x1b[31m\n/etc/x.h:1:1: error: forged __u64 *x* \udce9'


@pytest.fixture
def report():
    f = Finding("ABI130", "error", ("x86_64",), SourceLoc("dir`/h|<&>\n.h", 3, 4), EVIL, EVIL, EVIL, EVIL)
    return Report("check", EVIL, ("x86_64", "i386"),
                  (CheckResult(EVIL, "ABI130", "x86_64", False, (f,)),
                   CheckResult(EVIL, "ABI130", "i386", True)), {"spec": EVIL})


def test_text_keeps_one_finding_per_line(report):
    out = encodable(render(report, "text"))
    findings = [ln for ln in out.splitlines() if " error ABI130: " in ln]
    assert len(findings) == 1 and "\x1b" not in out
    assert not any(ln.startswith("/etc/x.h") for ln in out.splitlines())


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_json_formats_round_trip_the_text(report, fmt):
    doc = json.loads(encodable(render(report, fmt)))
    blob = json.dumps(doc, ensure_ascii=False)
    assert "forged" in blob and "<script>" in blob       # quoted as data, intact
    if fmt == "sarif":
        msg = doc["runs"][0]["results"][0]["message"]["text"]
        assert msg.startswith(EVIL.replace("\udce9", "\udce9")[:40])


def test_junit_is_well_formed_xml(report):
    out = encodable(render(report, "junit"))
    root = ET.fromstring(out.split("\n", 1)[1])
    failure = root.find(".//failure")
    assert failure is not None and "<script>" in failure.get("message") + (failure.text or "")
    assert "\x1b" not in out


def test_markdown_cannot_inject_markup_or_lines(report):
    out = encodable(render(report, "markdown"))
    assert "<script>" not in out and "\x1b" not in out
    bullets = [ln for ln in out.splitlines() if ln.startswith("- ")]
    assert len(bullets) == 1
    # the location is one code span, whatever backticks the path holds
    assert bullets[0].startswith("- `` dir`/h")
    rows = [ln for ln in out.splitlines() if ln.startswith("| ")]
    assert all(ln.count(" | ") == 2 for ln in rows[1:]), rows     # no cell split by '|'
