"""``abicheck compat`` on the command line: exit status, formats, and bad
input (one line naming the view and the target, exit 2, nothing on stdout)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import jsonschema
import pytest

from abicheck import bundled
from abicheck.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA = os.path.join(ROOT, "abicheck", "schemas", "compat.schema.json")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def bad(capsys, *argv) -> str:
    code, out, err = run(capsys, *argv)
    assert code == 2, err
    assert out == ""
    lines = err.strip().split("\n")
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def test_default_views_json_is_valid_and_deterministic(capsys):
    code, out, err = run(capsys, "compat", "--format", "json", "-t", "x86_64,sparc64,m68k")
    assert err == ""
    doc = json.loads(out)
    with open(SCHEMA) as f:
        jsonschema.validate(doc, json.load(f))
    assert doc["kernel"]["name"] == "linux-6.6" and doc["libc"]["name"] == "glibc"
    # exit status follows the verdicts the document states
    assert code == (1 if "mismatch" in doc["verdicts"].values() else 0) == doc["exit_status"]
    code2, out2, _ = run(capsys, "compat", "--format", "json", "-t", "x86_64,sparc64,m68k")
    assert out2 == out
    for e in doc["results"][0]["types"][0]["accessors"]:
        assert {"accessor", "verdict", "kernel", "libc"} <= set(e)


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif", "junit"])
def test_every_format_renders(capsys, fmt):
    code, out, err = run(capsys, "compat", "--format", fmt, "-t", "sparc64", "--exit-zero")
    assert code == 0 and err == "" and out
    if fmt == "sarif":
        doc = json.loads(out)
        rules = {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
        assert {r["ruleId"] for r in doc["runs"][0]["results"]} <= rules


def test_exit_zero_without_a_mismatch(capsys):
    # x86_64: the bundled views declare the same bytes (only skews)
    code, out, err = run(capsys, "compat", "-t", "x86_64")
    assert code == 0 and err == "" and "0 mismatch" in out


def test_typical_real_call_as_the_issue_writes_it(capsys):
    inc = "/usr/aarch64-linux-gnu/include"
    if not os.path.isfile(os.path.join(inc, "signal.h")):
        pytest.skip("Debian arm64 cross headers not installed")
    code, out, err = run(capsys, "compat", "--type", "siginfo_t", "--kernel-header", "asm/siginfo.h",
                         "--libc-header", "signal.h", "--libc-define", "_GNU_SOURCE",
                         "--kernel-include", inc, "--libc-include", inc, "--target", "arm64",
                         "--format", "json")
    assert err == ""
    doc = json.loads(out)
    assert doc["kernel"]["name"] == doc["libc"]["name"] == "command line"
    assert list(doc["verdicts"]) == ["aarch64"]
    assert code == doc["exit_status"]


def test_map_joins_members_by_path(capsys, tmp_path):
    (tmp_path / "k").mkdir(), (tmp_path / "l").mkdir()
    (tmp_path / "k" / "r.h").write_text("struct r { int a; long b; };\n")
    (tmp_path / "l" / "r.h").write_text("struct r { int a; long bee; };\n")
    base = ["compat", "--type", "struct r", "-t", "x86_64", "--kernel-header", "r.h",
            "--kernel-include", str(tmp_path / "k"), "--libc-header", "r.h",
            "--libc-include", str(tmp_path / "l"), "--format", "json"]
    code, out, _ = run(capsys, *base)
    entries = json.loads(out)["results"][0]["types"][0]["accessors"]
    assert {e["accessor"]: e["verdict"] for e in entries} == {"a": "agree", "b": "skew",
                                                            "bee": "skew"}
    code, out, _ = run(capsys, *base, "--map", "b=bee")
    entries = json.loads(out)["results"][0]["types"][0]["accessors"]
    assert {e["accessor"]: e["verdict"] for e in entries} == {"a": "agree", "b=bee": "agree"}
    assert code == 0


def test_view_that_does_not_parse_on_a_target(capsys):
    # bundled musl stops with #error on alpha: given as a command-line view
    line = bad(capsys, "compat", "-t", "alpha", "--libc-header", "signal.h",
               "--libc-include", bundled.headers_dir("musl"))
    assert ": error: " in line and "libc view" in line and "target alpha" in line


def test_accessor_that_names_no_member(capsys, tmp_path):
    root = tmp_path / "glibc"
    shutil.copytree(bundled.headers_dir("glibc"), root)
    p = root / "bits" / "siginfo_t.h"
    p.write_text(p.read_text().replace("_sifields._sigfault._bounds._pkey",
                                       "_sifields._sigfault._bounds._nokey"))
    line = bad(capsys, "compat", "-t", "x86_64", "--libc-header", "signal.h",
               "--libc-include", str(root))
    assert "si_pkey" in line and "libc view" in line and "target x86_64" in line
    assert line.startswith(str(p) + ":")


def test_type_missing_from_one_view(capsys, tmp_path):
    (tmp_path / "k.h").write_text("struct only_kernel { int a; };\n")
    (tmp_path / "l.h").write_text("struct other { int a; };\n")
    line = bad(capsys, "compat", "--type", "struct only_kernel", "-t", "x86_64",
               "--kernel-header", str(tmp_path / "k.h"), "--libc-header", str(tmp_path / "l.h"))
    assert "libc view" in line and "struct only_kernel" in line and "x86_64" in line


def test_type_missing_on_one_target_only_is_a_finding(capsys, tmp_path):
    (tmp_path / "k.h").write_text("struct s { int a; };\n")
    (tmp_path / "l.h").write_text("#ifdef __x86_64__\nstruct s { int a; };\n#endif\n")
    code, out, err = run(capsys, "compat", "--type", "struct s", "-t", "x86_64,i386",
                         "--kernel-header", str(tmp_path / "k.h"), "--libc-header",
                         str(tmp_path / "l.h"), "--format", "json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["verdicts"] == {"x86_64": "agree", "i386": "skew"}
    assert [f["id"] for f in doc["findings"]] == ["ABI401"]


@pytest.mark.parametrize("text,where", [
    ("headers = [\"signal.h\"\ninclude = []\n", ":2:"),        # TOML syntax
    ("include = [\"/usr/include\"]\n", ":1:1:"),               # headers missing
    ("headers = [\"signal.h\"]\nincludes = [\"/x\"]\n", ":2:1:"),  # unknown key
    ("headers = [\"signal.h\"]\ndefine = [\"1BAD\"]\n", ":2:1:"),  # bad macro name
    ("headers = [\"signal.h\"]\ntargets = [\"vax\"]\n", ":2:1:"),  # unknown target
])
def test_invalid_profile(capsys, tmp_path, text, where):
    p = tmp_path / "bad.toml"
    p.write_text(text)
    line = bad(capsys, "compat", "-t", "x86_64", "--libc", str(p))
    assert line.startswith(str(p) + where), line
    assert ": error: " in line


def test_unknown_profile_and_bad_map(capsys):
    assert "no such file or bundled profile" in bad(capsys, "compat", "--kernel", "linux-9.9")
    assert "KERNEL_PATH=LIBC_PATH" in bad(capsys, "compat", "--map", "nothing")


def test_host_profile_elsewhere_is_not_compared(capsys):
    code, out, err = run(capsys, "compat", "-t", "x86_64,aarch64", "--kernel", "linux-6.6",
                         "--libc", "host-glibc", "--format", "json")
    if not os.path.isfile("/usr/include/signal.h"):
        pytest.skip("host glibc headers not installed")
    doc = json.loads(out)
    assert doc["verdicts"]["aarch64"] == "not compared"


def test_cli_subprocess_one_line_error():
    r = subprocess.run([sys.executable, "-m", "abicheck", "compat", "--libc", "/nonexistent.toml"],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == "" and len(r.stderr.strip().splitlines()) == 1


def test_map_naming_no_member(capsys):
    line = bad(capsys, "compat", "-t", "x86_64", "--map", "_sifields._nothing=_sifields._kill")
    assert "--map" in line and "kernel view" in line and "_sifields._nothing" in line


def test_text_is_byte_identical_run_to_run(capsys, tmp_path):
    a = tmp_path / "a.txt"
    code = main(["compat", "-t", "all", "-o", str(a)])
    first = a.read_bytes()
    capsys.readouterr()
    assert main(["compat", "-t", "all", "-j", "1", "-o", str(a)]) == code
    assert a.read_bytes() == first and first.startswith(b"abicheck compat: siginfo_t")
