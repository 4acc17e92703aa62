"""The README's compat block is the command's output (the numbers in it are
confirmed by the compilers in test_compat_real.py)."""
from __future__ import annotations

import os
import re

import pytest

from abicheck.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_readme_mismatch_block_is_the_output(capsys):
    if not os.path.isfile("/usr/sparc64-linux-gnu/include/signal.h"):
        pytest.skip("Debian sparc64 cross headers not installed")
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    section = text.split("## libc compatibility", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(mismatches \(errors\):\n.*?)```", section, re.S).group(1)
    code = main(["compat", "--kernel", "debian-kernel", "--libc", "debian-glibc"])
    out = capsys.readouterr().out
    assert code == 1
    assert block in out
