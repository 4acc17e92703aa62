"""The README's example diffs are what the command prints: every text block
after an ``<!-- output of: abicheck diff ... -->`` line is run and compared
byte for byte (from the repository root, as a user would run it)."""
from __future__ import annotations

import os
import re
import shlex

import pytest

from abicheck.cli import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = re.compile(r"<!-- output of: (abicheck diff [^\n]*?) -->\n```text\n(.*?)```", re.S)


def examples() -> list[tuple[str, str]]:
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        return EXAMPLE.findall(f.read())


def test_the_readme_has_diff_examples():
    assert len(examples()) >= 2


@pytest.mark.parametrize("command, expected", examples(), ids=[c for c, _ in examples()])
def test_readme_example_is_the_commands_output(capsys, monkeypatch, command, expected):
    monkeypatch.chdir(ROOT)
    argv = shlex.split(command)[1:]
    code = main(argv)
    out, err = capsys.readouterr()
    assert err == "" and code in (4, 12, 20, 28)
    assert out == expected
