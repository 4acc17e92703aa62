"""Spec checks on every bundled header revision, with the outcome each must
have written from the facts (shared/facts/siginfo-abi.md, the seed review),
and the spec format's bad-input contract."""
import json
import re
import os
from importlib import resources

import jsonschema
import pytest

from abicheck import bundled
from abicheck.checks.spec import load_spec, run_spec
from abicheck.cli import main
from abicheck.errors import AbicheckError
from abicheck.targets import all_targets, get_target

SPEC = bundled.spec_path("siginfo.json")
ALL = list(all_targets())
CLASSES = {"64-bit": "x86_64", "32-bit": "i386", "x32": "x32", "m68k": "m68k", "mips": "mips"}


def run(set_name: str, targets=ALL):
    headers = ["signal.h"] if set_name in ("glibc", "musl") else []
    return run_spec(load_spec(SPEC), targets, headers, [bundled.headers_dir(set_name)])


def failing(report, target: str) -> dict[str, set[str]]:
    """check name -> finding ids, for the checks that fail on ``target``."""
    out: dict[str, set[str]] = {}
    for r in report.results:
        if r.target == target and r.passed is False:
            out[r.check] = {f.id for f in r.findings}
    return out


def test_today_passes_everywhere():
    report = run("linux-6.6")
    assert not report.failed, [f.message for f in report.findings]
    assert report.cell("SEGV_PKUERR undefined", "ia64") is True


@pytest.mark.parametrize("cls", list(CLASSES))
def test_pkeys_v1_as_reviewed(cls):
    """The seed's patch: `int _pkey` appended after _addr_bnd: wrong offset
    on every ABI class, not a fixed-width unsigned type, NSIGSEGV 4."""
    t = CLASSES[cls]
    bad = failing(run("pkeys-v1", [get_target(t)]), t)
    pkey = bad["siginfo_t.si_pkey: offset, size, signed, fixed width"]
    assert pkey == {"ABI130", "ABI132", "ABI133"}
    assert "ABI114" in bad["SEGV_* codes and NSIGSEGV"]          # highest code 4, not 10
    assert "siginfo_t.si_pkey: no implicit padding in its 32-bit slot" not in bad


def test_pkeys_u32_fixes_the_type_not_the_offset():
    bad = failing(run("pkeys-u32", [get_target("x86_64")]), "x86_64")
    assert bad["siginfo_t.si_pkey: offset, size, signed, fixed width"] == {"ABI130"}


def test_pkeys_u8_reserved_fails_key_width_passes_padding_rule():
    for t in ("x86_64", "i386", "m68k"):
        bad = failing(run("pkeys-u8-reserved", [get_target(t)]), t)
        assert "ABI131" in bad["siginfo_t.si_pkey: offset, size, signed, fixed width"]
        assert "siginfo_t.si_pkey: no implicit padding in its 32-bit slot" not in bad


def test_linux_4_5_lacks_the_code_and_the_field():
    bad = failing(run("linux-4.5", [get_target("x86_64")]), "x86_64")
    assert bad["SEGV_PKUERR value"] == {"ABI102"}
    assert bad["siginfo_t.si_pkey: offset, size, signed, fixed width"] == {"ABI130"}


def test_linux_4_6_put_the_key_where_it_is_today():
    """The merged union placed si_pkey at today's offset on every ABI class
    whose fault layout did not change since (alpha and sparc moved _trapno)."""
    targets = [get_target(t) for t in ("x86_64", "i386", "x32", "m68k", "mips", "aarch64")]
    report = run("linux-4.6", targets)
    for t in targets:
        bad = failing(report, t.name)
        assert "siginfo_t.si_pkey: offset, size, signed, fixed width" not in bad
        assert "ABI114" in bad["SEGV_* codes and NSIGSEGV"]          # only 4 codes in 4.6


def test_musl_reports_the_abis_it_has_no_port_to():
    report = run("musl", [get_target("x86_64"), get_target("sparc64")])
    assert failing(report, "sparc64") == {"headers compile for the target": {"ABI100"}}
    assert "SEGV_CPERR value" in failing(report, "x86_64")        # musl lacks SEGV_CPERR


def test_real_debian_headers(capsys):
    d = "/usr/aarch64-linux-gnu/include"
    if not os.path.isfile(os.path.join(d, "asm/siginfo.h")):
        pytest.skip("Debian arm64 cross headers not installed")
    code = main(["check", "-I", d, "--target", "arm64", "--format", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    failed = {c["check"] for c in doc["checks"] if c["results"]["aarch64"] == "fail"}
    # Debian 12 ships Linux 6.1 uapi headers: SEGV_CPERR came in 6.6
    assert failed == {"SEGV_CPERR value", "SEGV_* codes and NSIGSEGV"}


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "markdown"])
def test_check_formats_are_deterministic(capsys, fmt):
    argv = ["check", "--headers", "pkeys-v1", "--target", "x86_64,i386", "--format", fmt]
    assert main(argv) == 1
    first = capsys.readouterr().out
    main(argv)
    assert capsys.readouterr().out == first
    if fmt == "json":
        schema = json.loads(resources.files("abicheck").joinpath("schemas/report.schema.json").read_text())
        jsonschema.validate(json.loads(first), schema)


def test_default_check_exits_0(capsys):
    assert main(["check"]) == 0
    assert "0 failed" in capsys.readouterr().out


def test_exit_zero(capsys):
    assert main(["check", "--headers", "linux-4.5", "--exit-zero", "-t", "x86_64"]) == 0


@pytest.mark.parametrize("spec, messages", [
    pytest.param({"spec": "x", "headers": [], "checks": [{"kind": "record"}]},
                 ["$.checks[0]: 'type' is a required property", "$.headers: [] should be non-empty"],
                 id="schema-errors-all-at-once"),
    pytest.param({"spec": "x", "headers": ["a.h"],
                  "checks": [{"kind": "record", "type": "t", "size": 1, "targets": ["vax"]}]},
                 ["$.checks[0]: unknown target or target class 'vax'"], id="unknown-target"),
    pytest.param({"spec": "x", "headers": ["a.h"],
                  "checks": [{"kind": "field", "type": "t", "accessor": "si_nope", "offset": 1}]},
                 ["$.checks[0].accessor: unknown accessor 'si_nope'"], id="unknown-accessor"),
    pytest.param({"spec": "x", "headers": ["a.h"],
                  "checks": [{"kind": "field", "type": "t", "accessor": "a", "offset": "x"}]},
                 ["$.checks[0].offset:"], id="bad-value-type"),
])
def test_bad_specs(tmp_path, capsys, spec, messages):
    p = tmp_path / "s.json"
    p.write_text(json.dumps(spec))
    with pytest.raises(AbicheckError):
        load_spec(str(p))
    code = main(["check", str(p), "--headers", "linux-6.6"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    lines = err.splitlines()
    # one line per problem, at the line:col of the JSON value, in file order
    places = [tuple(int(x) for x in re.match(rf"^{re.escape(str(p))}:(\d+):(\d+): error: ", ln).groups())
              for ln in lines]
    assert places == sorted(places)
    text = p.read_text()
    for msg in messages:
        assert any(msg in line for line in lines), (msg, lines)
    for (line, col), msg in zip(places, lines):
        # the place is the start of a JSON value: an object, array, string or number
        assert text.split("\n")[line - 1][col - 1] in '{["-0123456789tfn', msg


def test_invalid_json_points_at_line_and_column(tmp_path, capsys):
    p = tmp_path / "s.json"
    p.write_text('{\n  "spec": "x",\n  oops\n}\n')
    assert main(["check", str(p)]) == 2
    assert capsys.readouterr().err.startswith(f"{p}:3:3: error: invalid JSON")


def test_header_set_that_does_not_parse(tmp_path, capsys):
    (tmp_path / "asm").mkdir()
    (tmp_path / "asm" / "siginfo.h").write_text("typedef struct {\n  int a\n} siginfo_t;\n")
    code = main(["check", "--headers", str(tmp_path), "--target", "x86_64,m68k"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == f"{tmp_path}/asm/siginfo.h:3:1: error: syntax error before '}}'\n"


def test_glibc_view_agrees_on_offsets_and_codes():
    """glibc's own siginfo_t must agree with the kernel by accessor on every
    offset (facts file); it has no NSIG* counters of its own."""
    targets = [get_target(t) for t in ("x86_64", "i386", "x32", "m68k", "mips", "aarch64")]
    report = run("glibc", targets)
    for t in targets:
        bad = failing(report, t.name)
        offsets = [c for c in bad if c.startswith("siginfo_t.si_") and "perf" not in c]
        assert offsets == [], (t.name, {c: bad[c] for c in offsets})
        for code in ("SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR"):
            assert f"{code} value" not in bad
        assert bad["SEGV_* codes and NSIGSEGV"] == {"ABI113"}     # NSIGSEGV is the kernel's


def test_header_argument_without_spec(capsys):
    assert main(["check", "signal.h", "--headers", "glibc", "-t", "x86_64", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["checks"][0]["results"]["x86_64"] == "pass"      # the headers compile
