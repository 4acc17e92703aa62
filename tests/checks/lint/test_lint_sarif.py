"""Lint's SARIF: rule metadata from the registry, results at the finding's
line, relative artifact URIs, fingerprints that survive moved lines."""
from __future__ import annotations

import json

from abicheck.checks.lint.rules import RULES

from .lintkit import run


def sarif(capsys, *argv):
    code, out, err = run(capsys, "lint", *argv, "--format", "sarif")
    assert err == ""
    return json.loads(out)["runs"][0]


def test_rules_carry_their_metadata(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run0 = sarif(capsys, "pkeys-v1")
    rules = {r["id"]: r for r in run0["tool"]["driver"]["rules"]}
    assert {"ABI301", "ABI302"} <= set(rules)
    for rid, d in rules.items():
        r = RULES[rid]
        assert d["name"] == "".join(p.capitalize() for p in r.name.split("-"))
        assert d["shortDescription"]["text"].rstrip(".").lower() == r.summary.lower()
        assert d["fullDescription"]["text"] == r.doc
        assert r.bad in d["help"]["text"] and r.good in d["help"]["text"] and r.fix in d["help"]["text"]
        assert d["helpUri"] == r.help_uri and d["helpUri"].endswith("#" + rid.lower())
        assert d["defaultConfiguration"]["level"] == r.severity
    for res in run0["results"]:
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] in ({"uri": f"headers/pkeys-v1/{h}", "uriBaseId": "SRCROOT"}
                                           for h in ("asm-generic/siginfo.h", "asm/siginfo.h"))
        assert loc["region"]["startLine"] > 0
        assert rules[res["ruleId"]] == run0["tool"]["driver"]["rules"][res["ruleIndex"]]
    assert "SRCROOT" in run0["originalUriBaseIds"]


def test_fingerprints_do_not_depend_on_line_numbers(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    h = tmp_path / "a.h"
    h.write_text("/* FIXME one */\n#define SEGV_A 1 /* failed address bound checks */\n"
                 "#define SEGV_B 2 /* failed address bound checks */\n")
    before = sarif(capsys, "a.h", "--target", "x86_64")["results"]
    h.write_text("\n\n\n" + h.read_text())
    after = sarif(capsys, "a.h", "--target", "x86_64")["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == \
        [r["locations"][0]["physicalLocation"]["region"]["startLine"] + 3 for r in before]
    assert [r["partialFingerprints"] for r in after] == [r["partialFingerprints"] for r in before]
    assert len({json.dumps(r["partialFingerprints"]) for r in after}) == len(after) == 2
