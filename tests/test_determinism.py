"""Byte-identical output whatever the hash seed and the number of cpp processes.

Each configuration is a fresh interpreter (``PYTHONHASHSEED`` only takes
effect at start-up) with its own ``ABICHECK_JOBS``; it runs every format of
``check`` and ``layout --target all`` (text, JSON, and the byte map's HTML and
SVG) through ``-o`` files,
and every file must be byte-identical across configurations.  Set iteration
order, dict order built from sets, thread completion order and temporary
file names are what this would catch.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("text", "json", "sarif", "junit", "markdown")
CONFIGS = [("0", "1"), ("4242", "8"), ("random", "3")]

DRIVER = """
import sys
from abicheck.cli import main
out, linux = sys.argv[1], sys.argv[2]
runs = {f"check-{f}": ["check", "--headers", "pkeys-v1", "--format", f] for f in %r}
runs["check-glibc"] = ["check", "signal.h", "--headers", "glibc", "--format", "json"]
runs["layout-text"] = ["layout", "asm/siginfo.h", "-I", linux, "--type", "siginfo_t",
                       "--field", "si_pkey", "--target", "all"]
runs["layout-json"] = runs["layout-text"] + ["--format", "json"]
runs["layout-html"] = runs["layout-text"] + ["--format", "html"]     # the byte map
runs["layout-svg"] = runs["layout-text"] + ["--format", "svg"]
for name, argv in runs.items():
    code = main(argv + ["-o", f"{out}/{name}"])
    assert code in (0, 1), (name, code)
"""


def _run(tmp: Path, seed: str, jobs: str) -> dict[str, bytes]:
    out = tmp / f"seed{seed}-j{jobs}"
    out.mkdir()
    env = dict(os.environ, PYTHONHASHSEED=seed, ABICHECK_JOBS=jobs)
    res = subprocess.run([sys.executable, "-c", DRIVER % (FORMATS,), str(out),
                          str(ROOT / "headers" / "linux-6.6")],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_output_is_byte_identical_across_seeds_and_jobs(tmp_path):
    if not (ROOT / "headers" / "linux-6.6").is_dir():
        pytest.skip("bundled headers not in this checkout")
    results = [(cfg, _run(tmp_path, *cfg)) for cfg in CONFIGS]
    (first_cfg, first), rest = results[0], results[1:]
    assert len(first) == len(FORMATS) + 5 and all(first.values())
    for cfg, got in rest:
        assert got.keys() == first.keys()
        for name in first:
            assert got[name] == first[name], f"{name} differs between {first_cfg} and {cfg}"


def test_jobs_option_does_not_change_output(capsys):
    """``-j`` (the option, not the environment) gives the same bytes."""
    from abicheck.cli import main
    outs = []
    for j in ("1", "3"):
        assert main(["check", "--headers", "pkeys-v1", "--format", "json", "-j", j]) == 1
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] and outs[0]
