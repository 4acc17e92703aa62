"""What the lint tests share: fixture paths, running one rule, running the
CLI, and finding a line in a fixture's own text (text rules have no
compiler oracle: their expected places come from the fixture text)."""
from __future__ import annotations

import os

from abicheck.checks.lint import run_lint
from abicheck.cli import main
from abicheck.targets import select_targets

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "fixtures")
REPO = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
#: linux/types.h for fixtures that include it
TYPES_ROOT = os.path.join(REPO, "headers", "linux-6.6")


def fixture(rule: str, side: str) -> str:
    return os.path.join(FIXTURES, rule, f"{side}.h")


def text_of(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def place(path: str, needle: str, nth: int = 0, at: str | None = None) -> tuple[int, int]:
    """(line, col) of the ``nth`` occurrence of ``needle`` in the file, or of
    ``at`` inside that occurrence's line."""
    text = text_of(path)
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    if at is not None:
        i = text.index(at, text.rfind("\n", 0, i) + 1)
    line = text.count("\n", 0, i) + 1
    return line, i - (text.rfind("\n", 0, i) + 1) + 1


def hits(rule_id: str, path: str, targets=("x86_64",), include_dirs=(TYPES_ROOT,)):
    """(line, col, message, targets) of one rule's findings on ``path``."""
    rep = run_lint([path], select_targets(list(targets)), include_dirs, rules=[rule_id])
    return sorted((f.loc.line, f.loc.col, f.message, f.targets) for f in rep.findings
                  if f.id == rule_id)


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def bad_input(capsys, *argv) -> str:
    """The bad-input contract: exit 2, nothing on stdout, one error line."""
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "", (code, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and ": error: " in lines[0], err
    return lines[0]
