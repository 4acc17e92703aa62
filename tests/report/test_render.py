"""Report renderers: every format's structure, the merged findings, determinism."""
import json
import xml.etree.ElementTree as ET
from importlib import resources

import jsonschema
import pytest

from abicheck import __version__
from abicheck.errors import SourceLoc, UsageError
from abicheck.report.findings import CheckResult, Finding, Report
from abicheck.report.common import cells
from abicheck.report.registry import FORMATS, RENDERERS, BaseRenderer
from abicheck.report.render import formats, render
from abicheck.report.text import vertical_header

TARGETS = ("x86_64", "aarch64", "m68k")
LOC = SourceLoc("include/uapi/foo.h", 12, 3)

# struct sizes: wrong on aarch64 and m68k alike (one merged finding with a place);
# alignment: does not apply on m68k; constants: wrong everywhere, no place.
SIZE = Finding("ABI100", "error", ("aarch64",), LOC, "sizeof(struct foo) is 24, expected 32",
               "struct sizes", measured=24, expected=32)
CONST = Finding("ABI120", "warning", ("x86_64",), None, "FOO_MAX is 7, expected 8",
                "constants", measured=7, expected=8)


def on(f: Finding, target: str) -> Finding:
    return Finding(f.id, f.severity, (target,), f.loc, f.message, f.check, f.measured, f.expected)


def make_report(**kw) -> Report:
    results = (
        CheckResult("struct sizes", "ABI100", "x86_64", True),
        CheckResult("struct sizes", "ABI100", "aarch64", False, (on(SIZE, "aarch64"),)),
        CheckResult("struct sizes", "ABI100", "m68k", False, (on(SIZE, "m68k"),)),
        CheckResult("alignment", "ABI110", "x86_64", True),
        CheckResult("alignment", "ABI110", "aarch64", True),
        CheckResult("alignment", "ABI110", "m68k", None),
        *(CheckResult("constants", "ABI120", t, False, (on(CONST, t),)) for t in TARGETS),
    )
    args = {"command": "check", "subject": "foo-spec", "targets": TARGETS, "results": results,
            "meta": {"spec": "foo.toml"}}
    args.update(kw)
    return Report(**args)


@pytest.fixture
def report() -> Report:
    return make_report()


# ---------------------------------------------------------------- registry

def test_registry_has_every_format():
    """``FORMATS`` (what --format offers without importing a renderer) is
    what the renderer modules register: every module of the package that
    registers one, imported, and the commands each class says it draws."""
    import importlib
    import pkgutil

    import abicheck.report as pkg
    for mod in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"abicheck.report.{mod.name}")
    assert formats() == ["github", "html", "json", "junit", "markdown", "sarif", "svg", "text"]
    assert sorted(RENDERERS) == sorted(FORMATS)
    for name, cls in RENDERERS.items():
        assert issubclass(cls, BaseRenderer) and cls.name == name
        assert cls.commands == FORMATS[name], name
        assert cls.__module__ == f"abicheck.report.{name}"
    assert formats("check") == ["github", "json", "junit", "markdown", "sarif", "text"]


def test_rendering_imports_only_its_format():
    from fresh_imports import modules_after, under
    got = modules_after("from abicheck.report.render import render\n"
                        "from abicheck.report.findings import Report\n"
                        "render(Report(command='check', subject='s', targets=('x86_64',), "
                        "results=()), 'text')")
    assert under("abicheck.report", got) == [
        "abicheck.report.common", "abicheck.report.findings", "abicheck.report.registry",
        "abicheck.report.render", "abicheck.report.text"]


@pytest.mark.parametrize("fmt", [
    pytest.param("pdf", id="unknown-name"),
    pytest.param("TEXT", id="case-sensitive"),
    pytest.param("", id="empty"),
])
def test_unknown_format_is_a_usage_error(report, fmt):
    with pytest.raises(UsageError, match=f"unknown format '{fmt}'"):
        render(report, fmt)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown"])
@pytest.mark.parametrize("rep", [
    pytest.param(make_report(), id="full"),
    pytest.param(make_report(results=()), id="no-results"),
    pytest.param(make_report(targets=("x86_64",), results=()), id="one-target-empty"),
])
def test_deterministic_and_newline_terminated(fmt, rep):
    a, b = render(rep, fmt), render(make_report(results=rep.results, targets=rep.targets), fmt)
    assert a == b and a.endswith("\n") and not a.endswith("\n\n")


# ---------------------------------------------------------------- text

@pytest.mark.parametrize("names, indent, expected", [
    pytest.param(["ab", "abc", "a"], 2, ["    a", "  a b", "  b c a"], id="bottom-aligned"),
    pytest.param(["xy", "zw"], 0, ["x z", "y w"], id="same-length"),
    pytest.param([], 4, [], id="no-targets"),
])
def test_vertical_header(names, indent, expected):
    assert vertical_header(names, indent) == expected


def test_text_matrix_and_summary(report):
    lines = render(report, "text").splitlines()
    width = len("struct sizes") + 2
    header = lines[:7]                                   # len("aarch64") lines
    assert header[0] == " " * width + "  a"             # only aarch64 is 7 long
    assert header[-1] == " " * width + "4 4 k"          # last characters of each name
    for col, name in enumerate(TARGETS):                # each column spells its target
        assert "".join(h.ljust(width + 5)[width + 2 * col] for h in header).strip() == name
    assert lines[7:10] == ["struct sizes  . F F",
                           "alignment     . . -",
                           "constants     F F F"]
    assert lines[10] == ""
    assert lines[11] == "3 checks x 3 targets: 3 passed, 5 failed, 1 not applicable"


def test_text_findings_are_merged(report):
    lines = render(report, "text").splitlines()[12:]
    assert lines == [
        ("include/uapi/foo.h:12:3: error ABI100: sizeof(struct foo) is 24, expected 32 "
         "[targets: aarch64, m68k]"),
        "abicheck: warning ABI120: FOO_MAX is 7, expected 8 [all targets]",
    ]


@pytest.mark.parametrize("rep, expected", [
    pytest.param(make_report(targets=("x86_64",), results=(
        CheckResult("constants", "ABI120", "x86_64", False, (CONST,)),)),
        "abicheck: warning ABI120: FOO_MAX is 7, expected 8 [targets: x86_64]", id="single-target-named"),
    pytest.param(make_report(results=(
        CheckResult("constants", "ABI120", "m68k", False, (on(CONST, "m68k"),)),
        CheckResult("constants", "ABI120", "x86_64", False, (on(CONST, "x86_64"),)))),
        "abicheck: warning ABI120: FOO_MAX is 7, expected 8 [targets: x86_64, m68k]",
        id="targets-in-report-order"),
])
def test_text_finding_targets(rep, expected):
    assert render(rep, "text").splitlines()[-1] == expected


def test_text_missing_result_is_not_applicable():
    rep = make_report(results=(CheckResult("alignment", "ABI110", "x86_64", True),))
    out = render(rep, "text")
    assert "alignment  . - -" in out.splitlines()
    assert "1 check x 3 targets: 1 passed, 0 failed, 2 not applicable" in out


def test_text_empty_report():
    assert render(make_report(results=()), "text") == \
        "0 checks x 3 targets: 0 passed, 0 failed, 0 not applicable\n"


def test_text_has_26_narrow_columns():
    targets = tuple(f"target-{i:02d}" for i in range(26))
    rep = Report("check", "s", targets, tuple(CheckResult("c", "ABI1", t, True) for t in targets))
    lines = render(rep, "text").splitlines()
    assert len(lines[0]) == len(lines[len("target-00")]) == len("c") + 2 + 2 * 26 - 1


# ---------------------------------------------------------------- json

def schema() -> dict:
    return json.loads(resources.files("abicheck").joinpath("schemas/report.schema.json").read_text())


@pytest.mark.parametrize("rep", [
    pytest.param(make_report(), id="full"),
    pytest.param(make_report(results=(), meta={}), id="empty"),
])
def test_json_validates(rep):
    doc = json.loads(render(rep, "json"))
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(doc, schema(), cls=jsonschema.Draft202012Validator)


def test_json_content(report):
    doc = json.loads(render(report, "json"))
    assert list(doc) == ["tool", "version", "command", "subject", "targets", "checks",
                         "findings", "summary", "meta"]
    assert doc["version"] == __version__ and doc["targets"] == list(TARGETS)
    assert doc["checks"][0] == {"check": "struct sizes", "id": "ABI100",
                                "results": {"x86_64": "pass", "aarch64": "fail", "m68k": "fail"}}
    assert doc["checks"][1]["results"]["m68k"] == "n/a"
    assert doc["summary"] == {"checks": 3, "passed": 3, "failed": 5, "not_applicable": 1}
    assert [(f["id"], f["targets"], f["loc"]) for f in doc["findings"]] == [
        ("ABI100", ["aarch64", "m68k"], "include/uapi/foo.h:12:3"),
        ("ABI120", list(TARGETS), None)]
    assert doc["findings"][0]["measured"] == 24 and doc["meta"] == {"spec": "foo.toml"}


@pytest.mark.parametrize("mutate", [
    pytest.param(lambda d: d.update(extra=1), id="extra-top-key"),
    pytest.param(lambda d: d["checks"][0]["results"].update(x86_64="ok"), id="bad-cell"),
    pytest.param(lambda d: d["findings"][0].update(severity="fatal"), id="bad-severity"),
    pytest.param(lambda d: d["summary"].pop("failed"), id="missing-summary-key"),
])
def test_schema_rejects_bad_documents(report, mutate):
    doc = json.loads(render(report, "json"))
    mutate(doc)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema(), cls=jsonschema.Draft202012Validator)


# ---------------------------------------------------------------- sarif

def test_sarif_structure(report):
    doc = json.loads(render(report, "sarif"))
    assert doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "abicheck" and driver["version"] == __version__
    assert "informationUri" not in driver
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["ABI100", "ABI120"]
    assert rules[0]["shortDescription"] == {"text": "struct sizes"}
    assert len(run["results"]) == len(report.findings) == 2
    for res in run["results"]:
        assert isinstance(res["ruleId"], str) and rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("error", "warning", "note", "none")
        assert isinstance(res["message"]["text"], str) and res["message"]["text"]
        assert set(res["properties"]) == {"targets", "measured", "expected"}


def test_sarif_results(report):
    with_loc, without = json.loads(render(report, "sarif"))["runs"][0]["results"]
    assert with_loc["level"] == "error" and without["level"] == "warning"
    assert with_loc["message"]["text"].endswith("[targets: aarch64, m68k]")
    assert without["message"]["text"].endswith("[all targets]")
    assert with_loc["locations"] == [{"physicalLocation": {
        "artifactLocation": {"uri": "include/uapi/foo.h", "uriBaseId": "SRCROOT"},
        "region": {"startLine": 12, "startColumn": 3}}}]
    assert "locations" not in without
    assert with_loc["properties"] == {"targets": ["aarch64", "m68k"], "measured": 24, "expected": 32}


@pytest.mark.parametrize("loc, physical", [
    pytest.param(SourceLoc("/abs/foo.h", 5, 0), {"artifactLocation": {"uri": "file:///abs/foo.h"},
                                                  "region": {"startLine": 5}}, id="line-no-col"),
    pytest.param(SourceLoc("foo.h"), {"artifactLocation": {"uri": "foo.h", "uriBaseId": "SRCROOT"}},
                 id="no-line-no-region"),
    pytest.param(SourceLoc("a b%.h", 1, 1), {"artifactLocation": {"uri": "a%20b%25.h",
                                                                    "uriBaseId": "SRCROOT"},
                                              "region": {"startLine": 1, "startColumn": 1}},
                 id="percent-encoded"),
])
def test_sarif_regions(loc, physical):
    f = Finding("ABI130", "note", ("x86_64",), loc, "m", "c")
    rep = Report("check", "s", ("x86_64",), (CheckResult("c", "ABI130", "x86_64", False, (f,)),))
    res = json.loads(render(rep, "sarif"))["runs"][0]["results"][0]
    assert res["level"] == "note" and res["locations"][0]["physicalLocation"] == physical


# ---------------------------------------------------------------- junit

def junit(rep: Report) -> ET.Element:
    out = render(rep, "junit")
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(out.split("\n", 1)[1])


def test_junit_counts(report):
    root = junit(report)
    assert root.tag == "testsuites" and root.get("name") == "abicheck"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("9", "5", "1")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == list(TARGETS)
    cases = root.findall("testsuite/testcase")
    assert len(cases) == 9 and {c.get("classname") for c in cases} == {"foo-spec"}
    assert len(root.findall(".//failure")) == 5 and len(root.findall(".//skipped")) == 1
    m68k = suites[2]
    assert (m68k.get("tests"), m68k.get("failures"), m68k.get("skipped")) == ("3", "2", "1")
    assert m68k.find("testcase[@name='alignment']/skipped") is not None


def test_junit_failure_detail(report):
    root = junit(report)
    failure = root.find("testsuite[@name='m68k']/testcase[@name='struct sizes']/failure")
    assert failure.get("message") == "struct sizes failed on m68k: 1 finding"
    assert failure.text.strip() == "include/uapi/foo.h:12:3: ABI100: sizeof(struct foo) is 24, expected 32"
    passed = root.find("testsuite[@name='x86_64']/testcase[@name='struct sizes']")
    assert len(passed) == 0


def test_junit_failed_cell_without_findings():
    rep = Report("check", "s", ("x86_64",), (CheckResult("c", "ABI1", "x86_64", False),))
    failure = junit(rep).find(".//failure")
    assert failure.get("message") == "c failed on x86_64: 0 findings" and not (failure.text or "").strip()


# ---------------------------------------------------------------- markdown

def test_markdown(report):
    lines = render(report, "markdown").splitlines()
    assert lines[0] == "### abicheck check: foo-spec"
    assert lines[2] == "| check | x86\\_64 | aarch64 | m68k |"
    assert lines[3] == "|---|:-:|:-:|:-:|"
    assert lines[4:7] == ["| struct sizes | pass | FAIL | FAIL |",
                          "| alignment | pass | pass | - |",
                          "| constants | FAIL | FAIL | FAIL |"]
    assert "**3 checks x 3 targets: 3 passed, 5 failed, 1 not applicable**" in lines
    bullets = [l for l in lines if l.startswith("- ")]
    assert bullets == [
        ("- `include/uapi/foo.h:12:3`: **error** ABI100: sizeof(struct foo) is 24, expected 32 "
         "\\[targets: aarch64, m68k\\]"),
        "- `abicheck`: **warning** ABI120: FOO\\_MAX is 7, expected 8 \\[all targets\\]"]


def test_markdown_no_findings():
    rep = Report("check", "s", ("x86_64",), (CheckResult("c|d", "ABI1", "x86_64", True),))
    out = render(rep, "markdown")
    assert "| c\\|d | pass |" in out and out.endswith("No findings.\n")


def test_outcomes_agree_with_report_cell(report):
    assert [(c, t, v) for c, t, v in cells(report)] == \
        [(c, t, report.cell(c, t)) for c in report.checks for t in report.targets]
