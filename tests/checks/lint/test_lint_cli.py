"""``abicheck lint`` on the command line: exit codes, formats, --explain and
--list-rules, determinism, and the seed review's findings on pkeys-v1."""
from __future__ import annotations

import json
import os
from importlib import resources

import jsonschema
import pytest

from abicheck.checks.lint.rules import RULES
from abicheck.report.github import escape_data, escape_property

from .lintkit import REPO, TYPES_ROOT, bad_input, fixture, place, run

PKEYS = os.path.join(REPO, "headers", "pkeys-v1", "asm-generic", "siginfo.h")


@pytest.fixture(autouse=True)
def _no_project_config(tmp_path, monkeypatch):
    """Run where no abicheck.toml or pyproject.toml applies."""
    monkeypatch.chdir(tmp_path)


def lint(capsys, *argv):
    return run(capsys, "lint", *argv)


def test_pkeys_v1_yields_the_seed_reviews_text_findings(capsys):
    code, out, err = lint(capsys, "pkeys-v1", "--format", "json")
    assert err == ""
    doc = json.loads(out)
    by_id = {}
    for f in doc["findings"]:
        by_id.setdefault(f["id"], []).append(f)
    fixme_line, fixme_col = place(PKEYS, "FIXME")
    (fixme,) = by_id["ABI301"]
    assert (fixme["file"], fixme["line"], fixme["col"]) == (
        "headers/pkeys-v1/asm-generic/siginfo.h", fixme_line, fixme_col)
    (copied,) = by_id["ABI302"]
    assert copied["line"] == place(PKEYS, "#define SEGV_PKUERR")[0]
    assert copied["message"] == ("SEGV_PKUERR's comment repeats SEGV_BNDERR's: "
                                 "'failed address bound checks'")


def test_exit_codes_follow_fail_on(capsys):
    bad = fixture("leftover-marker", "bad")           # warnings only
    common = ("-I", TYPES_ROOT, "--target", "x86_64")
    assert lint(capsys, bad, *common)[0] == 0          # default: error
    assert lint(capsys, bad, *common, "--fail-on", "warning")[0] == 1
    assert lint(capsys, bad, *common, "--fail-on", "note")[0] == 1
    assert lint(capsys, fixture("kernel-internal-type", "bad"), *common)[0] == 1
    assert lint(capsys, fixture("leftover-marker", "good"), *common, "--fail-on", "note")[0] == 0


def test_an_unparsable_header_is_a_finding_and_the_run_goes_on(capsys, tmp_path):
    (tmp_path / "a_broken.h").write_text("struct x {\n\tint y[;\n};\n")
    (tmp_path / "b_marker.h").write_text("/* FIXME later */\nstruct z { int q; };\n")
    code, out, err = lint(capsys, str(tmp_path), "--target", "x86_64,i386")
    assert code == 1 and err == ""
    lines = [ln for ln in out.splitlines() if ": ABI390: " in ln or ": ABI301: " in ln
             or ln == out.splitlines()[-1]]
    assert lines[0].startswith(f"{tmp_path}/a_broken.h:2:") and ": error: ABI390: " in lines[0]
    assert lines[0].endswith("[all targets]")
    assert lines[1] == f"{tmp_path}/b_marker.h:1:4: warning: ABI301: FIXME left in an exported " \
                       "header: 'later'"
    assert len(lines) == 3 and " in 2 headers, " in lines[-1]


def test_text_line_form(capsys):
    bad = fixture("fixed-width-undefined", "bad")
    code, out, _ = lint(capsys, bad, "--target", "x86_64,arm64")
    line, col = place(bad, "__u32")
    assert [ln for ln in out.splitlines() if ": ABI374: " in ln][0] == (f"{bad}:{line}:{col}: error: ABI374: '__u32' used without "
                                   "including its definition (<linux/types.h>): the header does "
                                   "not compile alone [all targets]")


def test_json_validates_against_the_shipped_schema(capsys):
    schema = json.loads(resources.files("abicheck").joinpath("schemas/lint.schema.json").read_text())
    for argv in (("pkeys-v1",), (fixture("does-not-compile", "bad"), "--target", "x86_64")):
        _, out, _ = lint(capsys, *argv, "--format", "json")
        jsonschema.validate(json.loads(out), schema, cls=jsonschema.Draft202012Validator)


def test_github_annotations(capsys):
    code, out, _ = lint(capsys, "pkeys-v1", "--format", "github")
    lines = [ln for ln in out.splitlines() if ",title=ABI30" in ln]
    line, col = place(PKEYS, "FIXME")
    # the quoted words come from the header: the start of the FIXME's own text
    with open(PKEYS) as f:
        words = [w for w in f.read().split("FIXME", 1)[1].lstrip(" :").split("*/")[0].split()
                 if w != "*"]
    head = (f"::warning file=headers/pkeys-v1/asm-generic/siginfo.h,line={line},"
            f"col={col},title=ABI301 leftover-marker::FIXME left in an exported header: '")
    assert lines[0].startswith(head) and lines[0].endswith("'")
    quoted = lines[0][len(head):-1]
    assert len(quoted) >= 20 and " ".join(words).startswith(quoted), quoted
    assert len(lines) == 2 and lines[1].startswith("::warning ")


def test_github_escaping_as_the_toolkit_documents():
    assert escape_data("50% a\r\nb") == "50%25 a%0D%0Ab"
    assert escape_property("a:b,c%d\n") == "a%3Ab%2Cc%25d%0A"


def test_markdown_has_a_rules_table(capsys):
    _, out, _ = lint(capsys, "pkeys-v1", "--format", "markdown")
    lines = out.splitlines()
    assert lines[0] == "### abicheck lint: pkeys-v1"
    assert lines[2] == "| rule | name | errors | warnings | notes |"
    assert "| ABI301 | `leftover-marker` | 0 | 1 | 0 |" in lines
    assert "| ABI302 | `copied-comment` | 0 | 1 | 0 |" in lines
    assert any(ln.startswith("- `headers/pkeys-v1/asm-generic/siginfo.h:") for ln in lines)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "markdown"])
def test_two_runs_are_byte_identical(capsys, fmt):
    argv = ("pkeys-v1", fixture("does-not-compile", "bad"), "--target", "x86_64,i386,m68k",
            "--format", fmt)
    first = lint(capsys, *argv)
    assert lint(capsys, *argv) == first


def test_output_file(capsys, tmp_path):
    dest = tmp_path / "lint.sarif"
    code, out, err = lint(capsys, "pkeys-v1", "--format", "sarif", "-o", str(dest))
    # exit 1: pkeys-v1's SEGV_PKUERR takes ia64's private code 4 (ABI323, an error)
    assert out == "" and err == "" and code == 1
    assert json.loads(dest.read_text())["version"] == "2.1.0"


def test_list_rules_lists_the_registry(capsys):
    code, out, _ = lint(capsys, "--list-rules")
    assert code == 0
    lines = out.splitlines()
    assert [ln.split()[0] for ln in lines] == sorted(RULES)
    for ln in lines:
        r = RULES[ln.split()[0]]
        assert ln.split()[1] == r.name and ln.split()[2] == r.severity and ln.endswith(r.summary)


def test_explain(capsys):
    code, out, _ = lint(capsys, "--explain", "abi302")
    r = RULES["ABI302"]
    assert code == 0 and out.startswith(f"ABI302 copied-comment (default severity: {r.severity})")
    assert "    #define SEGV_PKUERR\t4\t/* failed protection key checks */" in out
    assert f"Fix: {r.fix}" in out and r.help_uri in out
    assert lint(capsys, "--explain", "copied-comment")[1] == out


@pytest.mark.parametrize("argv, words", [
    pytest.param(("--explain", "ABI999"), "no lint rule 'ABI999'", id="unknown-rule"),
    pytest.param((), "lint needs a PATH", id="no-path"),
    pytest.param(("no/such/dir",), "no such file, folder", id="missing-path"),
    pytest.param(("pkeys-v1", "--since", "no-such-set"), "OLD revision 'no-such-set'", id="bad-since"),
    pytest.param(("pkeys-v1", "--target", "vax"), "vax", id="bad-target"),
])
def test_bad_usage(capsys, argv, words):
    assert words in bad_input(capsys, "lint", *argv)


def test_results_per_rule_and_target(capsys):
    _, out, _ = lint(capsys, "pkeys-v1", fixture("does-not-compile", "bad"), "--target",
                     "x86_64,i386", "--format", "json")
    rows = {r["id"]: r["results"] for r in json.loads(out)["rules"]}
    assert set(rows) == set(RULES)
    assert rows["ABI301"] == {"x86_64": "fail", "i386": "fail"}     # text: every target
    assert rows["ABI390"] == {"x86_64": "fail", "i386": "fail"}
    assert rows["ABI303"] == {"x86_64": "pass", "i386": "pass"}
