"""The self-test's results: what the simulator expects each op of a
scenario to print (``expectations``, embedded in the program by
``selftest.generate``), and the program's output read back -- its check lines
(``parse_checks``) and its results as real-kernel records (``parse_output``,
the format of ``tests/fault/kernel_runs``).  The program side, the C it
runs, is ``abicheck.fault.selftest``."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from abicheck.fault.selftest import Scenario


@dataclass(frozen=True)
class Expectation:
    """What the simulator expects of one scenario, as the program's own
    lines: per op its ``op <i> ...`` line (None after the process died), and
    ``killed signo=N`` when it expects the process to die."""

    lines: tuple[str | None, ...]
    killed: str | None


def expectations(scenario: Scenario, target: str, kernel: str | None = None,
                 headers: str | None = None, simulate=None) -> Expectation:
    """The simulator's results for ``scenario`` as the lines the program
    prints (``simulate`` defaults to ``abicheck.fault.simulate``)."""
    import errno as errno_mod
    if simulate is None:
        from abicheck.fault import simulate  # type: ignore[attr-defined,no-redef]
    results = list(simulate(scenario.raw, target=target, headers=headers, kernel=kernel))
    lines: list[str | None] = []
    for i, r in enumerate(results):
        killed = getattr(r, "killed", None)
        if killed:
            signo = killed.get("signo", 11) if isinstance(killed, dict) else (
                11 if killed is True else int(killed))
            lines.append(f"killed signo={signo}\n")
            return Expectation(tuple(lines) + (None,) * (len(scenario.ops) - i - 1),
                               f"killed signo={signo}\n")
        if scenario.ops[i]["op"] == "access":
            if r.fault:
                lines.append(f"op {i} fault signo={r.signo} code={r.code} "
                             f"blob={bytes(r.blob).hex()}\n")
            else:
                lines.append(f"op {i} ret=0 errno=0\n")
        else:
            err = r.errno
            if isinstance(err, str):    # a name: the x86 numbers are Python's on Linux
                err = getattr(errno_mod, err)
            lines.append(f"op {i} ret={int(r.ret)} errno={int(err or 0)}\n")
    return Expectation(tuple(lines), None)


def parse_checks(text: str) -> tuple[int, list[str]]:
    """The check lines of a run with expectations: how many agreed, and the
    mismatching lines (each naming the expected line)."""
    ok, bad = 0, []
    for line in text.splitlines():
        if line.startswith("check "):
            if line.endswith(" OK"):
                ok += 1
            else:
                bad.append(line)
    return ok, bad


# ---- reading the program's output back -----------------------------------------------

_RET = re.compile(r"op (\d+) ret=(-?\d+) errno=(\d+)")
_FAULT = re.compile(r"op (\d+) fault signo=(\d+) code=(-?\d+) blob=([0-9a-f]{256})")


class OutputError(ValueError):
    """Self-test output that is not what the program prints (a truncated
    serial log, a kernel message in the middle of a line)."""


def parse_output(text: str, scenarios: Sequence[Scenario]) -> dict[str, list[dict]]:
    """The program's output -> scenario name -> its results in the record
    format: ``{"index", "op", "ret", "errno"}`` per operation,
    ``{"index", "op", "fault": true, "signo", "code", "blob_hex"}`` for a
    faulting access (``"fault": false`` for one that did not fault), and a
    last ``{"index", "op", "killed": {"signo"}}`` when the process died in
    op ``index``.  Lines that are not the program's (kernel messages on the
    same console) are ignored; a scenario that did not finish is an error."""
    by_name = {s.name: s for s in scenarios}
    out: dict[str, list[dict]] = {}
    current: Scenario | None = None
    results: list[dict] = []
    for raw in text.splitlines():
        line = raw.strip("\r")
        if line.startswith("scenario "):
            name = line[len("scenario "):]
            if name not in by_name:
                raise OutputError(f"unknown scenario {name!r} in the output")
            current, results = by_name[name], []
            continue
        if current is None:
            continue
        m_ret, m_fault = _RET.fullmatch(line), _FAULT.fullmatch(line)
        if m_ret or m_fault:
            i = int((m_ret or m_fault).group(1))
            if i != len(results) or i >= len(current.ops):
                raise OutputError(f"{current.name}: op {i} out of order")
            op = current.ops[i]["op"]
            if m_ret:
                r: dict[str, Any] = {"index": i, "op": op}
                if op == "access":
                    r["fault"] = False
                else:
                    r["ret"], r["errno"] = int(m_ret.group(2)), int(m_ret.group(3))
            else:
                r = {"index": i, "op": op, "fault": True, "signo": int(m_fault.group(2)),
                     "code": int(m_fault.group(3)), "blob_hex": m_fault.group(4)}
            results.append(r)
        elif line.startswith("killed signo="):
            i = len(results)
            op = current.ops[i]["op"] if i < len(current.ops) else None
            results.append({"index": i, "op": op,
                            "killed": {"signo": int(line.split("=", 1)[1])}})
        elif line == f"end {current.name}" or line.startswith(f"end {current.name} exit="):
            finished = results and "killed" in results[-1]
            if not finished and len(results) != len(current.ops):
                raise OutputError(f"{current.name}: {len(results)} of {len(current.ops)} "
                                  f"results ({line})")
            out[current.name] = results
            current = None
    if current is not None:
        raise OutputError(f"{current.name}: the output ends inside the scenario")
    return out
