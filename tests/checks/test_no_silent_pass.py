"""``check`` never reports a pass for what it did not check (issue #11 item 7).

What the spec gives no expectation for on a target is "not applicable";
what abicheck cannot decide is a finding; a header record gcc would reject
makes the headers fail to compile for that target.
"""
from __future__ import annotations

import json

import pytest

from abicheck.checks.spec import load_spec, run_spec
from abicheck.targets import get_target

HEADER = """
#define GOOD 3
#define WORDY "three"
#define K_ONE 1
#define K_TWO (2
#define K_MAX 2
struct s { int a; void *p; };
"""


def _run(tmp_path, checks, header=HEADER, targets=("x86_64", "i386")):
    (tmp_path / "t.h").write_text(header)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"spec": "t", "headers": ["t.h"], "accessors": ["a", "p"], "checks": checks}))
    rep = run_spec(load_spec(str(spec)), [get_target(t) for t in targets], include_dirs=[str(tmp_path)])
    return {(r.target): r for r in rep.results if r.check != "headers compile for the target"}, rep


def test_no_expectation_for_a_target_is_not_a_pass(tmp_path):
    # int is 4 bytes on both ABIs (psABI), but only x86_64 is given
    cells, _ = _run(tmp_path, [{"kind": "record", "type": "struct s", "size": {"x86_64": 16}}])
    assert cells["x86_64"].passed is True and cells["i386"].passed is None


def test_field_with_no_expectation_for_a_target_is_not_a_pass(tmp_path):
    cells, _ = _run(tmp_path, [{"kind": "field", "type": "struct s", "accessor": "a",
                                "offset": {"64-bit": 0}}])
    assert cells["x86_64"].passed is True and cells["i386"].passed is None


def test_signedness_of_a_pointer_is_a_finding_not_a_pass(tmp_path):
    cells, _ = _run(tmp_path, [{"kind": "field", "type": "struct s", "accessor": "p", "signed": False}])
    for r in cells.values():
        assert r.passed is False and "not an integer type" in r.findings[0].message


def test_unevaluable_constant_is_a_finding(tmp_path):
    cells, _ = _run(tmp_path, [{"kind": "constant", "constant": "WORDY", "value": 3}])
    for r in cells.values():
        assert r.passed is False and "cannot evaluate" in r.findings[0].message


def test_unevaluable_code_is_a_finding(tmp_path):
    cells, _ = _run(tmp_path, [{"kind": "code_group", "prefix": "K_", "counter": "K_MAX"}])
    for r in cells.values():
        assert r.passed is False
        assert any(f.id == "ABI115" and "K_TWO" in f.message for f in r.findings)


def test_code_map_with_no_code_present_checks_nothing(tmp_path):
    cells, _ = _run(tmp_path, [{"kind": "code_map", "type": "struct s", "map": {"NOPE": ["a"]}}])
    assert all(r.passed is None for r in cells.values())


@pytest.mark.oracle
def test_record_gcc_rejects_fails_that_target_only(tmp_path):
    """i686 gcc: "type 'struct big' is too large"; x86_64 gcc compiles it."""
    header = HEADER + "struct big { char a[0x7fffffff]; char b; };\n"
    cells, rep = _run(tmp_path, [{"kind": "record", "type": "struct s", "size": {"all": 16, "i386": 8}}],
                      header)
    heads = {r.target: r for r in rep.results if r.check == "headers compile for the target"}
    assert heads["x86_64"].passed is True and cells["x86_64"].passed is True
    assert heads["i386"].passed is False and "too large" in heads["i386"].findings[0].message
    assert cells["i386"].passed is None
