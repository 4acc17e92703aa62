"""cpp without the driver: GCC's compiler proper, on the command line the
driver itself gives it.

Why: every cpp run started the gcc driver, whose whole part in ``gcc -E``
is to work out cc1's command line and start it.  Here that was about a
third of each run's CPU (an empty input: 12.1 ms through the driver, 8.8 ms
for cc1 alone), and abicheck starts many runs: 27 in the default
``check``, about 600 an ABI in a tree diff.

Why it stays the driver's command: the driver is asked, once per process,
what it would run (``-###``) for a command line of our shape in which one
``-D`` and one ``-I`` stand for all of them; a run's command line is that
answer with the run's ``-D`` options in the one's place and its ``-I``
directories in the other's, in the run's order (the driver passes both
through in order).  Whatever else is unexpected in the answer (not
exactly one command, a program not named ``cc1``, a stand-in missing or
repeated, an error) means runs go through the driver, as before; so does
``ABICHECK_CPP_DRIVER=1``.  tests/frontend/test_cc1.py compares the two
byte for byte on every target.
"""
from __future__ import annotations

import functools
import os
import shlex
import subprocess
import threading
from typing import Sequence

#: the options of every cpp run, before its -D and -I options
OPTIONS = ("-E", "-undef", "-nostdinc", "-dD", "-std=gnu11", "-x", "c")
_D = "ABICHECK_STAND_IN_D=1"
_I = "/abicheck-stand-in-include"
_ASKING = threading.Lock()      # cpp threads start together: the driver is asked once


def template(driver: str) -> tuple[tuple[str, ...], int, int] | None:
    """(cc1's command line for the stand-ins, where the ``-D`` pair is, where
    the ``-I`` pair is), or None: use the driver."""
    with _ASKING:
        return _template(driver)


@functools.cache
def _template(driver: str) -> tuple[tuple[str, ...], int, int] | None:
    from abicheck.frontend.cpp_process import _cpp_env
    try:
        # in the environment cpp runs in: GCC_EXEC_PREFIX and the like
        # would change where the driver finds cc1
        p = subprocess.run([driver, "-###", *OPTIONS, f"-D{_D}", "-I", _I, "-"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30, env=_cpp_env(), close_fds=True)
    except (OSError, subprocess.SubprocessError):
        return None
    # the commands are the lines that start with a space; the others are
    # the driver's notes (its version, COLLECT_GCC_OPTIONS=...)
    lines = [ln for ln in p.stderr.decode("utf-8", "surrogateescape").splitlines() if ln.startswith(" ")]
    if p.returncode != 0 or len(lines) != 1:
        return None
    try:
        argv = shlex.split(lines[0])
    except ValueError:
        return None
    if not argv or os.path.basename(argv[0]) != "cc1" or not os.access(argv[0], os.X_OK):
        return None
    pairs = [i for i in range(len(argv) - 1) if (argv[i], argv[i + 1]) in (("-D", _D), ("-I", _I))]
    d = [i for i in pairs if argv[i] == "-D"]
    inc = [i for i in pairs if argv[i] == "-I"]
    if len(d) != 1 or len(inc) != 1 or sum(_D in a or _I in a for a in argv) != 2:
        return None
    return tuple(argv), d[0], inc[0]


def command(driver: str, dirs: Sequence[str], macros: dict[str, str]) -> list[str]:
    """The command line of one cpp run (stdin in, stdout out)."""
    defs = [f"-D{name}={value}" for name, value in macros.items()]
    found = None if os.environ.get("ABICHECK_CPP_DRIVER") == "1" else template(driver)
    if found is None:
        args = [driver, *OPTIONS, *defs]
        for d in dirs:
            args += ["-I", d]
        return [*args, "-"]
    argv, at_d, at_i = found
    out: list[str] = []
    for i, a in enumerate(argv):
        if i == at_d:
            for m in defs:
                out += ["-D", m[2:]]
        elif i == at_i:
            for d in dirs:
                out += ["-I", d]
        elif i - 1 not in (at_d, at_i):
            out.append(a)
    return out
