"""What a fresh interpreter has imported after running some code: the
start-up tests (``--help``, a command, a renderer, the early cpp start)
assert on it."""
from __future__ import annotations

import ast
import subprocess
import sys

_AFTER = """
import sys as _sys
print(repr(sorted(_sys.modules)))
"""


def modules_after(code: str) -> list[str]:
    """The names in ``sys.modules`` of a new ``python -c`` process once
    ``code`` has run (a ``SystemExit`` it raises, as ``--help`` does,
    ends nothing), sorted."""
    body = "try:\n" + "".join(f"    {line}\n" for line in code.splitlines()) + \
           "except SystemExit:\n    pass\n"
    out = subprocess.run([sys.executable, "-c", body + _AFTER], capture_output=True, text=True,
                         check=True)
    return ast.literal_eval(out.stdout.splitlines()[-1])


def under(prefix: str, names: list[str]) -> list[str]:
    """The names of ``names`` that are ``prefix``'s submodules."""
    return [n for n in names if n.startswith(prefix + ".")]
