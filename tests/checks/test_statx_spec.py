"""The second example spec (struct statx) on real Debian headers for every
ABI, and the padding rules failing where they must."""
import json
import os

import pytest

from debian_headers import include_dirs

from abicheck import bundled
from abicheck.checks.spec import load_spec, run_spec
from abicheck.cli import main
from abicheck.targets import all_targets, get_target

STATX = os.path.join(os.path.dirname(bundled.spec_path("siginfo.json")), "statx.json")


def debian_dirs(t):
    return include_dirs(t, "linux/stat.h")


@pytest.mark.parametrize("t", [t for t in all_targets() if debian_dirs(t)], ids=lambda t: t.name)
def test_statx_holds_on_every_abi(t):
    report = run_spec(load_spec(STATX), [t], (), debian_dirs(t))
    assert not report.failed, [f.message for f in report.findings]


def test_statx_spec_needs_headers(capsys):
    assert main(["check", STATX]) == 2
    assert "names no bundled headers" in capsys.readouterr().err


def test_padding_rules_fail_where_they_must(tmp_path):
    (tmp_path / "p.h").write_text(
        "struct rec { char tag; int value; short pad_a; short spare_b; int reserved_c; };\n")
    spec = {"spec": "pad", "headers": ["p.h"], "checks": [
        {"kind": "no_holes", "type": "struct rec"},
        {"kind": "reserved", "type": "struct rec", "members": ["pad_a", "tag", "missing"]},
    ]}
    (tmp_path / "s.json").write_text(json.dumps(spec))
    report = run_spec(load_spec(str(tmp_path / "s.json")), [get_target("x86_64")], (),
                      [str(tmp_path)])
    msgs = sorted(f.message for f in report.findings)
    # char then int: 3 bytes of implicit padding, a psABI fact
    assert "struct rec has a 3 bytes hole after tag (offset 1)" in msgs
    assert any("tag is not named as reserved" in m for m in msgs)
    assert "reserved member missing is missing from struct rec" in msgs
    assert not any("pad_a" in m for m in msgs)
