"""``abicheck diff`` on the command line: exit bits, formats, git revisions,
folders, and the bad-input contract (one line on stderr, exit 2, nothing on
stdout)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources

import jsonschema
import pytest

from abicheck.checks.diff import run_diff
from abicheck.cli import main
from abicheck.report.render import render
from abicheck.targets import all_targets

from .test_diff_bundled import report as chain_report

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "diff_cases")


def case(name: str, side: str) -> str:
    return os.path.join(HERE, name, f"{side}.h")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def bad(capsys, *argv) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "", (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and ": error: " in lines[0], err
    assert "Traceback" not in err
    return lines[0]


# ---------------------------------------------------------------- exit bits

@pytest.mark.parametrize("name, targets, code", [
    pytest.param("padding_filled", "padding_filled", 0, id="same-revision-0"),
    pytest.param("padding_filled", None, 4, id="compatible-4"),
    pytest.param("m68k_only", "m68k", 12, id="incompatible-12"),
    pytest.param("m68k_only", "x86_64", 4, id="compatible-elsewhere-4"),
    pytest.param("reserved", None, 20, id="review-20"),
    pytest.param("no_m68k", None, 28, id="incompatible-and-review-28"),
])
def test_exit_status_is_a_bit_field(capsys, name, targets, code):
    # the expected bits follow from the verdicts test_diff_cases checks
    # against the compilers: 4 change, 8 incompatible, 16 needs review
    new = case(name, "old") if targets == name else case(name, "new")
    argv = ["diff", case(name, "old"), new]
    if targets and targets != name:
        argv += ["--target", targets]
    got, out, err = run(capsys, *argv)
    assert got == code and err == "", err
    assert ("no ABI change" in out) == (code == 0)
    assert run(capsys, *argv, "--exit-zero")[0] == 0


def test_help_documents_the_exit_bits(capsys):
    with pytest.raises(SystemExit):
        main(["diff", "--help"])
    out = capsys.readouterr().out
    for line in ("0  no ABI change", "4  ABI changes, all compatible", "12  at least one incompatible",
                 "16  some change needs review", "2  bad input"):
        assert line in out


# ---------------------------------------------------------------- formats

@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "junit"])
def test_every_format_is_deterministic(fmt):
    # one diff (shared with the chain tests), each format rendered from two
    # separately computed reports; processes with other hash seeds:
    # test_output_does_not_depend_on_hash_seeds
    a = render(chain_report("linux-4.5", "pkeys-v1"), fmt)
    b = render(run_diff("linux-4.5", "pkeys-v1", list(all_targets())), fmt)
    assert a == b and a.endswith("\n") and not a.endswith("\n\n")


def test_json_validates_against_the_shipped_schema(capsys):
    code, out, _ = run(capsys, "diff", "linux-4.5", "pkeys-v1", "--format", "json")
    doc = json.loads(out)
    schema = json.loads(resources.files("abicheck").joinpath("schemas/diff.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(doc, schema)
    assert doc["exit_status"] == code == 12
    assert doc["verdicts"]["ia64"] == "incompatible" and doc["summary"]["compatible"] == len(all_targets()) - 1
    roots = {c["topic"] for c in doc["changes"] if c["cause"] is None}
    assert all(c["cause"] in roots for c in doc["changes"] if c["cause"] is not None)


def test_sarif_points_at_the_new_revision():
    doc = json.loads(render(chain_report("linux-4.5", "pkeys-v1"), "sarif"))
    assert doc["version"] == "2.1.0"
    run0 = doc["runs"][0]
    rules = [r["id"] for r in run0["tool"]["driver"]["rules"]]
    assert rules == sorted(rules)
    clash = next(r for r in run0["results"] if r["ruleId"] == "ABI233")
    loc = clash["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "headers/pkeys-v1/asm-generic/siginfo.h"
    assert loc["region"]["startLine"] > 0 and clash["level"] == "error"
    assert clash["properties"]["verdict"] == "incompatible"
    assert clash["properties"]["targets"] == ["ia64"]


def test_markdown_has_the_summary_table(capsys):
    _, out, _ = run(capsys, "diff", case("align_raise", "old"), case("align_raise", "new"),
                    "--format", "markdown")
    lines = out.splitlines()
    assert lines[2].startswith("| ABIs | verdict | incompatible | needs review | compatible")
    assert any("**incompatible**" in ln and "arm" in ln for ln in lines)
    assert "#### struct event" in out and "\\_\\_u64" in out


# ---------------------------------------------------------------- revisions

def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


@pytest.fixture
def repo(tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    (root / "inc").mkdir(parents=True)
    git(root, "init", "-q")
    shutil.copy(case("m68k_only", "old"), root / "inc" / "rec.h")
    git(root, "add", ".")
    git(root, "commit", "-qm", "old")
    shutil.copy(case("m68k_only", "new"), root / "inc" / "rec.h")
    git(root, "commit", "-qam", "new")
    (root / "inc" / "rec.h").write_text("/* uncommitted work */\n")
    monkeypatch.chdir(root / "inc")
    return root


@pytest.mark.parametrize("old, new", [
    pytest.param("HEAD~1:rec.h", "HEAD:rec.h", id="file"),
    pytest.param("HEAD~1:.", "HEAD:.", id="folder"),
])
def test_git_revisions_leave_the_work_tree_alone(capsys, repo, old, new):
    before = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True,
                            text=True).stdout
    code, out, err = run(capsys, "diff", old, new, "--target", "m68k", "--format", "sarif")
    assert code == 12, err
    results = json.loads(out)["runs"][0]["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"rec.h"}                     # the path in the checkout, not a temp folder
    after = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True,
                           text=True).stdout
    assert before == after and (repo / "inc" / "rec.h").read_text() == "/* uncommitted work */\n"


def test_a_folder_is_every_header_under_it(capsys, tmp_path):
    for side in ("old", "new"):
        for name in ("m68k_only", "collision"):
            d = tmp_path / side / "x"
            d.mkdir(parents=True, exist_ok=True)
            shutil.copy(case(name, side), d / f"{name}.h")
    code, out, _ = run(capsys, "diff", str(tmp_path / "old"), str(tmp_path / "new"),
                       "--target", "m68k", "--target", "alpha")
    assert code == 12
    assert "struct rec" in out and "new code XFLT_NEWERR collides with __XFLT_ALPHAERR" in out
    assert os.path.join(str(tmp_path / "new"), "x", "m68k_only.h") in out


def test_a_type_in_one_revision_only_is_a_finding(capsys):
    code, out, _ = run(capsys, "diff", case("rename", "old"), case("rename", "new"),
                       "--target", "x86_64", "--type", "struct old_stat")
    assert code == 12 and "1 type removed on x86_64: struct old_stat" in out


# ---------------------------------------------------------------- bad input

def test_unknown_revision(capsys):
    line = bad(capsys, "diff", "no-such-set", "linux-4.5")
    assert line.startswith("abicheck: error: OLD revision 'no-such-set': no such file")


def test_not_a_file_or_folder(capsys):
    line = bad(capsys, "diff", "linux-4.5", "/dev/null")
    assert "NEW revision '/dev/null': not a regular file or folder" in line


def test_folder_without_headers(capsys, tmp_path):
    (tmp_path / "README").write_text("no headers here\n")
    line = bad(capsys, "diff", str(tmp_path), "linux-4.5")
    assert "the folder has no headers" in line


def test_type_in_neither_revision(capsys):
    line = bad(capsys, "diff", "linux-4.5", "pkeys-v1", "--type", "struct nope", "-t", "x86_64")
    assert "--type 'struct nope' is in neither revision" in line


def test_headers_that_compile_nowhere(capsys, tmp_path):
    h = tmp_path / "broken.h"
    h.write_text("#error never\n")
    line = bad(capsys, "diff", str(h), case("m68k_only", "new"), "-t", "x86_64")
    assert line.startswith(f"{h}:1:2: error: OLD revision") and "never" in line


def test_bad_git_revision_and_path(capsys, repo):
    assert "no such git revision 'nope'" in bad(capsys, "diff", "nope:rec.h", "HEAD:rec.h")
    assert "'gone.h' does not exist in HEAD" in bad(capsys, "diff", "HEAD:gone.h", "HEAD:rec.h")


def test_git_revision_outside_a_repository(capsys, tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert "not inside a git repository" in bad(capsys, "diff", "HEAD:x.h", "linux-4.5")


def test_output_does_not_depend_on_hash_seeds():
    root = os.path.dirname(os.path.dirname(HERE))
    outs = set()
    for seed in ("1", "2"):
        r = subprocess.run([sys.executable, "-m", "abicheck", "diff", case("align_raise", "old"),
                            case("align_raise", "new"), "--format", "json", "-t", "arm,x86_64,m68k"],
                           cwd=os.path.dirname(root),
                           env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True)
        assert r.returncode == 12, r.stderr
        outs.add(r.stdout)
    assert len(outs) == 1
