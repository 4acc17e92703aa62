"""Configuration, waivers, inline suppressions and --since, through the CLI."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap

import pytest

from abicheck.checks.lint.config import enabled

from .lintkit import TYPES_ROOT, bad_input, place, run

HEADER = textwrap.dedent("""\
    #include <linux/types.h>
    struct a {
    \t__u32 x;\t/* FIXME one */
    \t__u32 y;\t/* FIXME two */ /* abicheck: ignore[ABI301] reviewed in #12 */
    \t__u32 z;\t/* TODO three abicheck: ignore[leftover-marker] */
    \t__u32 w;\t/* abicheck: ignore[ABI3O1,ABI303] typo */
    };
    """)


@pytest.fixture
def proj(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / "a.h").write_text(HEADER)
    return tmp_path


def lint_json(capsys, *argv):
    code, out, err = run(capsys, "lint", *argv, "--format", "json")
    assert err == "", err
    return code, json.loads(out)


def ids_at(doc):
    return [(f["id"], f["file"], f["line"]) for f in doc["findings"]]


def write(path, text):
    path.write_text(textwrap.dedent(text))
    return str(path)


BASE = ("inc", "-I", TYPES_ROOT, "--target", "x86_64")


def test_suppressions(capsys, proj):
    _, doc = lint_json(capsys, *BASE)
    h = str(proj / "inc" / "a.h")
    # FIXME one is reported; two and three are suppressed (three without a reason)
    assert ("ABI301", "inc/a.h", place(h, "FIXME one")[0]) in ids_at(doc)
    assert not any(f["id"] == "ABI301" and f["line"] != place(h, "FIXME one")[0]
                   for f in doc["findings"])
    by = {f["id"]: f for f in doc["findings"] if f["id"] != "ABI301"}
    assert by["ABI392"]["line"] == place(h, "TODO three")[0]
    assert by["ABI393"]["message"] == "suppression names no rule: 'ABI3O1'"
    assert by["ABI394"]["message"] == "suppression of ABI303 suppresses nothing on this line"
    assert doc["summary"]["suppressed"] == 2


def test_waivers_and_stale_waivers(capsys, proj):
    w = write(proj / "waivers.toml", """\
        [[waiver]]
        rule = "ABI301"
        file = "inc/a.h"
        subject = "comment FIXME one"
        reason = "tracked in #7"

        [[waiver]]
        rule = "copied-comment"
        file = "*.h"
        reason = "nothing matches this"
        """)
    code, doc = lint_json(capsys, *BASE, "--waivers", "waivers.toml")
    assert not any(f["id"] == "ABI301" for f in doc["findings"])
    (stale,) = [f for f in doc["findings"] if f["id"] == "ABI391"]
    assert (stale["file"], stale["line"], stale["col"]) == ("waivers.toml", place(w, "[[waiver]]", 1)[0], 1)
    assert "ABI302" in stale["message"] and doc["summary"]["waived"] == 1
    assert doc["meta"]["waivers"] == "waivers.toml"


@pytest.mark.parametrize("text, where, words", [
    pytest.param('[[waiver]]\nrule = "ABI301"\nfile = "x"\n', (1, 1), "'reason' is required", id="no-reason"),
    pytest.param('[[waiver]]\nrule = "ABI301"\nfile = "x"\nreason = "  "\n', (4, 1), "the reason must say",
                 id="empty-reason"),
    pytest.param('[[waiver]]\nrule = "ABI999"\nfile = "x"\nreason = "r"\n', (2, 1), "unknown rule 'ABI999'",
                 id="unknown-rule"),
    pytest.param('[[waiver]]\nrule = "ABI301"\nfiles = "x"\n', (3, 1), "unknown key 'files'", id="typo"),
    pytest.param('[[waiver]\nrule = "ABI301"\n', (1, 9), "", id="not-toml"),
])
def test_bad_waiver_file(capsys, proj, text, where, words):
    (proj / "w.toml").write_text(text)
    line = bad_input(capsys, "lint", *BASE, "--waivers", "w.toml")
    assert line.startswith(f"w.toml:{where[0]}:{where[1]}: error: ") and words in line


def test_config_in_pyproject(capsys, proj):
    write(proj / "pyproject.toml", f"""\
        [project]
        name = "x"

        [tool.abicheck]
        targets = ["x86_64"]
        include-dirs = ["{TYPES_ROOT}"]

        [tool.abicheck.lint]
        disable = ["ABI39"]
        fail-on = "warning"

        [tool.abicheck.lint.severity]
        leftover-marker = "error"
        """)
    sub = proj / "inc" / "deeper"
    sub.mkdir()
    os.chdir(sub)                       # found from the current folder upward
    code, doc = lint_json(capsys, "..")
    assert doc["targets"] == ["x86_64"] and code == 1
    assert {f["id"] for f in doc["findings"]} == {"ABI301"}
    assert {f["severity"] for f in doc["findings"]} == {"error"}
    assert doc["meta"]["fail_on"] == "warning"
    # the command line wins
    code, doc = lint_json(capsys, "..", "--target", "i386", "--fail-on", "error")
    assert doc["targets"] == ["i386"] and doc["meta"]["fail_on"] == "error" and code == 1


def test_abicheck_toml_and_explicit_config(capsys, proj):
    write(proj / "abicheck.toml", """\
        targets = ["x86_64"]
        [lint]
        enable = ["ABI30"]
        disable = ["ABI301"]
        """)
    code, doc = lint_json(capsys, "inc", "-I", TYPES_ROOT)
    assert {r["id"] for r in doc["rules"]} == {"ABI302", "ABI303"} and doc["findings"] == []
    other = write(proj / "other.toml", '[lint]\nenable = ["ABI301"]\n')
    _, doc = lint_json(capsys, "inc", "-I", TYPES_ROOT, "--config", other, "--target", "x86_64")
    assert {r["id"] for r in doc["rules"]} == {"ABI301"}


@pytest.mark.parametrize("text, where, words", [
    pytest.param('targets = ["x86_64"\n', (2, 1), "", id="not-toml"),
    pytest.param('[lint]\nfail-on = "fatal"\n', (2, 1), "fail-on must be one of", id="bad-fail-on"),
    pytest.param('[lint]\nenable = ["XYZ"]\n', (2, 1), "'XYZ' is no rule id", id="unknown-rule"),
    pytest.param('[lint]\n\n  severty = {}\n', (3, 3), "unknown key 'lint.severty'", id="typo"),
    pytest.param('[lint.severity]\nABI301 = "loud"\n', (2, 1), "must be one of", id="bad-level"),
    pytest.param('include-dirs = 3\n', (1, 1), "must be a list of strings", id="bad-type"),
])
def test_bad_config(capsys, proj, text, where, words):
    (proj / "abicheck.toml").write_text(text)
    line = bad_input(capsys, "lint", *BASE)
    assert line.startswith(f"abicheck.toml:{where[0]}:{where[1]}: error: ") and words in line


@pytest.mark.parametrize("rule_id, enable, disable, on", [
    ("ABI301", (), (), True),
    ("ABI301", (), ("ABI3",), False),
    ("ABI301", ("ABI301",), ("ABI3",), True),       # the longer entry wins
    ("ABI302", ("ABI301",), (), False),
    ("ABI390", ("ABI3",), ("ABI39",), False),
])
def test_select_ignore_longest_prefix(rule_id, enable, disable, on):
    assert enabled(rule_id, enable, disable) is on


def test_since_a_bundled_set(capsys, proj):
    # pkeys-v1 adds the FIXME and the copied SEGV_PKUERR comment to 4.5
    _, doc = lint_json(capsys, "pkeys-v1", "--since", "linux-4.5")
    text = {f["id"] for f in doc["findings"] if f["id"] in ("ABI301", "ABI302")}
    assert text == {"ABI301", "ABI302"}
    assert doc["meta"]["since"] == "linux-4.5"
    # against itself nothing is new, and every finding is grandfathered
    _, full = lint_json(capsys, "pkeys-v1")
    _, same = lint_json(capsys, "pkeys-v1", "--since", "pkeys-v1")
    assert same["findings"] == [] and same["summary"]["grandfathered"] == len(full["findings"]) > 0


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def test_since_a_git_revision(capsys, proj):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    h = proj / "inc" / "a.h"
    h.write_text("#include <linux/types.h>\n/* TODO old note */\nstruct a {\n\t__u32 x;\n};\n")
    git(proj, "init", "-q")
    git(proj, "add", ".")
    git(proj, "commit", "-qm", "old")
    # lines move and a new marker arrives: only the new one is reported
    h.write_text("#include <linux/types.h>\n\n\n/* TODO old note */\n/* FIXME new note */\n"
                 "struct a {\n\t__u32 x;\n};\n")
    code, doc = lint_json(capsys, "inc", "-I", TYPES_ROOT, "--target", "x86_64",
                          "--since", "HEAD:inc", "--fail-on", "warning")
    assert [(f["id"], f["file"], f["line"]) for f in doc["findings"]] == [
        ("ABI301", "inc/a.h", place(str(h), "FIXME new")[0])]
    assert doc["summary"]["grandfathered"] == 1 and code == 1
