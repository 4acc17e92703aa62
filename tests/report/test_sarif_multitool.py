"""Every SARIF abicheck writes (lint, diff, check) passes the SARIF
Multitool's ``validate`` (npm ``@microsoft/sarif-multitool``, pinned in
``.ci/package.json`` and installed by ``.ci/run`` into
``.ci/node_modules``).  The tool exits 0 even when it reports errors, so
its ``: error `` lines are what counts.  Skipped, with the reason, when the
tool is not installed (``cd .ci && npm ci`` installs it)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from abicheck.cli import main

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOCAL = os.path.join(REPO, ".ci", "node_modules", ".bin", "sarif-multitool")
LINT_FIXTURES = os.path.join(REPO, "tests", "checks", "lint", "fixtures")


def multitool() -> list[str]:
    if os.access(LOCAL, os.X_OK):
        return [LOCAL]
    found = shutil.which("sarif-multitool")
    if found:
        return [found]
    pytest.skip("the SARIF Multitool is not installed (cd .ci && npm ci; .ci/run does it)")


def validate(path: str) -> list[str]:
    r = subprocess.run([*multitool(), "validate", path], capture_output=True, text=True,
                       timeout=300)
    out = r.stdout + r.stderr
    assert "Analysis completed successfully" in out or r.returncode == 0, out
    return [ln for ln in out.splitlines() if ": error " in ln]


def sarif(tmp_path, name: str, *argv: str) -> str:
    dest = tmp_path / f"{name}.sarif"
    code = main([*argv, "--format", "sarif", "-o", str(dest)])
    assert code in (0, 1, 4, 12, 20, 28), code
    assert json.loads(dest.read_text())["version"] == "2.1.0"
    return str(dest)


@pytest.mark.parametrize("name, argv", [
    pytest.param("lint", ("lint", "pkeys-v1"), id="lint-bundled"),
    pytest.param("lint-broken", ("lint", os.path.join(LINT_FIXTURES, "does-not-compile", "bad.h"),
                                 os.path.join(LINT_FIXTURES, "kernel-internal-type", "bad.h"),
                                 "--target", "x86_64,i386"), id="lint-absolute-paths"),
    pytest.param("diff", ("diff", "linux-4.5", "pkeys-v1"), id="diff"),
    pytest.param("check", ("check", "--headers", "pkeys-v1"), id="check-failing"),
    pytest.param("check-pass", ("check",), id="check-passing"),
])
def test_sarif_passes_the_multitool(tmp_path, monkeypatch, name, argv):
    multitool()
    monkeypatch.chdir(REPO)            # relative URIs, as in a CI checkout
    assert validate(sarif(tmp_path, name, *argv)) == []


def test_the_multitool_does_find_errors(tmp_path):
    """The check can fail: a result whose ruleIndex names no rule is an error."""
    multitool()
    bad = tmp_path / "bad.sarif"
    bad.write_text(json.dumps({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "x", "rules": []}},
                  "results": [{"ruleId": "A1", "ruleIndex": 3, "message": {"text": "m"}}]}]}))
    assert validate(str(bad)) != []
