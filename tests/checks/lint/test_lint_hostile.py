"""Lint over every hostile header (tests/hostile/, each rejected by gcc too:
tests/test_hostile.py): a header that does not compile or cannot be laid
out is a finding of its own (ABI390) in that header, the run goes on over
the others, and nothing else happens — no traceback, no bad-input exit,
nothing on stderr."""
from __future__ import annotations

import json
import os
import time

from .lintkit import REPO, run

HOSTILE = os.path.join(REPO, "tests", "hostile")


def test_every_hostile_header_is_an_abi390_finding(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    # a lower cpp-output bound makes the macro bomb fail fast; it is not the point here
    code, out, err = run(capsys, "lint", HOSTILE, "--target", "x86_64", "--limit",
                         "cpp-output=512K", "--format", "json")
    assert time.monotonic() - start < 120
    assert code == 1 and err == ""
    doc = json.loads(out)
    broken = {f["file"] for f in doc["findings"] if f["id"] == "ABI390" and f["line"]}
    headers = sorted(n for n in os.listdir(HOSTILE) if n.endswith(".h"))
    assert headers and [h for h in headers if os.path.join(HOSTILE, h) not in broken] == []
