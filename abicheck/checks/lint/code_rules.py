"""Rules about code groups (ABI32x): the si_code values of one signal.

Groups are found the way the kernel names them and ``checks/diff_constants``
finds them: a counter ``NSIG<SIGNAL>`` (``NSIGSEGV``) counts the codes
``<SIGNAL>_*`` declared in its own header, architecture-private codes spell
the prefix with two underscores (ia64's ``__SEGV_PSTKOVF``), SIGCHLD's codes
are ``CLD_*``, and flags sharing the prefix (``TRAP_PERF_FLAG_ASYNC``) are
not codes.  Values come from each target's macro table (the header
preprocessed for that ABI), so a code that an ``#ifdef`` gives another value
on one ABI is judged there.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from abicheck.checks.diff_constants import COUNTER, PREFIX_OF
from abicheck.checks.lint import multiabi as ma
from abicheck.checks.lint.context import HeaderContext
from abicheck.checks.lint.rules import Hit, rule
from abicheck.errors import SourceLoc


@dataclass
class Group:
    """One code group on one target."""

    counter: str
    prefix: str
    counter_value: int | None
    counter_loc: SourceLoc
    codes: dict[str, tuple[int, SourceLoc]] = field(default_factory=dict)
    #: the other header of the run that declares the group (None: this one)
    home: str | None = None


def groups(cx: HeaderContext, target: str) -> list[Group]:
    """The code groups this header declares, or includes from another header
    of the run (``home``), with their values on ``target``.  Four rules and
    every header that includes this one ask; it is worked out once per
    (header, target)."""
    key = f"code-groups:{target}"
    if key not in cx.memo:
        cx.memo[key] = _groups(cx, target)
    return cx.memo[key]  # type: ignore[return-value]


def _groups(cx: HeaderContext, target: str) -> list[Group]:
    mt = cx.macros(target)
    if mt is None:
        return []
    by_file: dict[str, list[str]] = {}       # object-like macros, by defining file
    for n in mt.names():
        nd = mt.defs[n]
        if nd.params is None:
            by_file.setdefault(nd.loc.file, []).append(n)
    out = []
    for name in mt.names():
        m = COUNTER.match(name)
        d = mt.defs[name]
        if not m or d.params is not None:
            continue
        home = None if cx.own(d.loc) else cx.header_of(d.loc.file)
        if home is None and not cx.own(d.loc):
            continue                    # a group of a header outside the run
        prefix = PREFIX_OF.get(m.group(1), m.group(1)) + "_"
        cmac = mt.get(name)
        g = Group(name, prefix, cmac.value if cmac else None, d.loc, home=home)
        for n in by_file[d.loc.file]:
            nd = mt.defs[n]
            if n == name or "FLAG" in n:
                continue
            if not (n.startswith(prefix) or n.startswith("__" + prefix)):
                continue
            mac = mt.get(n)
            if mac is not None and mac.value is not None:
                g.codes[n] = (mac.value, nd.loc)
        out.append(g)
    return out


class _Acc:
    """Hits of one rule gathered over targets: subject -> (loc, per-target detail)."""

    def __init__(self) -> None:
        self.by: dict[str, tuple[SourceLoc, dict[str, str]]] = {}

    def add(self, subject: str, loc: SourceLoc, target: str, detail: str) -> None:
        self.by.setdefault(subject, (loc, {}))[1][target] = detail

    def hits(self, cx: HeaderContext, lead: str, tail: str = "") -> Iterator[Hit]:
        for subject, (loc, per) in self.by.items():
            parts = [f"{d} on {ma.abis(ts, cx)}" for d, ts in ma.grouped(per)]
            yield Hit(loc, lead.format(subject=subject.split(" ", 1)[1]) + "; ".join(parts) + tail,
                      subject, ma.targets_in_order(cx, per))


def _all_groups(cx: HeaderContext) -> dict[str, list[Group]]:
    return {t.name: groups(cx, t.name) for t in cx.compiled()}


Found = list[tuple[str, SourceLoc, str]]        # (subject, loc, detail)


def _run(cx: HeaderContext, judge: Callable[[Group], Found], lead: str,
         tail: str = "") -> Iterator[Hit]:
    """Apply ``judge`` to every group on every target.  A group included from
    another header of the run is that header's to report; here only what
    this header's macros change (an arch knob it sets before the include:
    pkeys-v1's ``asm/siginfo.h`` gives ia64 ``__SEGV_PSTKOVF``), reported
    at the include line."""
    acc = _Acc()
    for t, gs in _all_groups(cx).items():
        for g in gs:
            found = judge(g)
            if g.home is not None:
                alone = {(s, d) for hg in groups(cx.sibling(g.home), t) if hg.counter == g.counter
                         for s, _, d in judge(hg)}
                at = _include_line(cx, g.home)
                found = [(s, at, f"{d} (as {cx.rev.header_label(g.home)} declares it "
                                 f"under this header's macros)")
                         for s, _, d in found if (s, d) not in alone]
            for subject, loc, detail in found:
                acc.add(subject, loc, t, detail)
    yield from acc.hits(cx, lead, tail)


def _include_line(cx: HeaderContext, home: str) -> SourceLoc:
    base = os.path.basename(home)
    for n, line in enumerate(cx.lines, 1):
        if re.match(r"[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"]", line) and \
                (home in line or f"/{base}" in line or f"<{base}>" in line or f'"{base}"' in line):
            return cx.loc(n, 1)
    return cx.loc(1, 1)


def _private(name: str) -> bool:
    return name.startswith("__")


@rule("ABI320", "duplicate-code", "error",
      "two codes of one group share a value",
      "A signal handler tells the causes of a signal apart by si_code; two codes of one group with "
      "one value are one cause to every program, whatever the kernel meant. The value is the ABI, so "
      "once a release ships with the clash, neither code can be renumbered.",
      bad="#define SEGV_MAPERR 1\n#define SEGV_ACCERR 2\n#define SEGV_BNDERR 2\n#define NSIGSEGV 3",
      good="#define SEGV_MAPERR 1\n#define SEGV_ACCERR 2\n#define SEGV_BNDERR 3\n#define NSIGSEGV 3",
      fix="Give the new code the next unused value of its group and raise the counter.",
      layout=True)
def duplicate_code(cx: HeaderContext) -> Iterator[Hit]:
    def judge(g: Group) -> Found:
        out: Found = []
        by_value: dict[int, list[str]] = {}
        for n, (v, _) in g.codes.items():
            by_value.setdefault(v, []).append(n)
        for v, names in by_value.items():
            for clash in ([n for n in names if not _private(n)], [n for n in names if _private(n)]):
                if len(clash) > 1:
                    clash.sort(key=lambda n: (g.codes[n][1].line, n))
                    later = clash[-1]
                    out.append((f"macro {later}", g.codes[later][1],
                                f"= {v}, the value of {', '.join(clash[:-1])}"))
        return out
    yield from _run(cx, judge, "code {subject} ")


@rule("ABI321", "code-gap", "warning",
      "a code group's values are not contiguous from 1",
      "Programs size tables by a group's counter and index them by code; a gap is a value no code "
      "has on that ABI, which is harmless when it is kept for another ABI's private codes and a "
      "mistake when a code was dropped or mistyped. Checked on each ABI with the values it sees.",
      bad="#define BUS_ADRALN 1\n#define BUS_OBJERR 3\n#define NSIGBUS 3",
      good="#define BUS_ADRALN 1\n#define BUS_ADRERR 2\n#define BUS_OBJERR 3\n#define NSIGBUS 3",
      fix="Define the missing value, or say in a comment which ABI's private codes it is kept for.",
      layout=True)
def code_gap(cx: HeaderContext) -> Iterator[Hit]:
    def judge(g: Group) -> Found:
        values = {v for v, _ in g.codes.values()}
        missing = [v for v in range(1, max(values) + 1) if v not in values] if values else []
        return [(f"group {g.prefix}*", g.counter_loc,
                 f"{_ranges(missing)} missing below {max(values)}")] if missing else []
    yield from _run(cx, judge, "{subject} codes are not contiguous from 1: ")


@rule("ABI322", "counter-not-highest", "error",
      "a code group's counter (NSIG<SIGNAL>) is not its highest code",
      "NSIGSEGV and its kin count the codes of their signal; programs and the kernel's own compat "
      "layer size tables and bound checks by them. A counter below the highest code hides that code "
      "from them, one above it promises a code that does not exist.",
      bad="#define SEGV_BNDERR 3\n#define SEGV_PKUERR 4\n#define NSIGSEGV 3",
      good="#define SEGV_BNDERR 3\n#define SEGV_PKUERR 4\n#define NSIGSEGV 4",
      fix="Set the counter to the highest code of its group on every ABI.",
      layout=True)
def counter_not_highest(cx: HeaderContext) -> Iterator[Hit]:
    def judge(g: Group) -> Found:
        if not g.codes or g.counter_value is None:
            return []
        top = max(v for v, _ in g.codes.values())
        if g.counter_value == top:
            return []
        high = sorted(n for n, (v, _) in g.codes.items() if v == top)
        return [(f"macro {g.counter}", g.counter_loc,
                 f"is {g.counter_value} but the highest {g.prefix}* code is {top} ({', '.join(high)})")]
    yield from _run(cx, judge, "counter {subject} ")


@rule("ABI323", "code-collides-with-arch-code", "error",
      "a code takes a value an architecture-private code of its signal already has on some ABI",
      "Some ABIs give a signal private codes, spelled with two underscores (ia64's __SEGV_PSTKOVF = "
      "4). A generic code with the same value, defined on that ABI too, makes the two causes one "
      "si_code there: the reason the kernel leaves SEGV_PKUERR undefined on ia64.",
      bad="#define SEGV_PKUERR 4\n#ifdef __ia64__\n#define __SEGV_PSTKOVF 4\n#endif",
      good="#ifdef __ia64__\n#define __SEGV_PSTKOVF 4\n#else\n#define SEGV_PKUERR 4\n#endif",
      fix="Leave the generic code undefined on the ABIs that own the value, or give it an unused one.",
      layout=True)
def collides_with_arch_code(cx: HeaderContext) -> Iterator[Hit]:
    def judge(g: Group) -> Found:
        out: Found = []
        for n, (v, loc) in g.codes.items():
            owners = sorted(p for p, (pv, _) in g.codes.items() if _private(p) and pv == v)
            if owners and not _private(n):
                out.append((f"macro {n}", loc, f"= {v} collides with {', '.join(owners)} "
                                               f"(that ABI's own {g.prefix}* code)"))
        return out
    yield from _run(cx, judge, "code {subject} ", ": a handler cannot tell the two apart")


def _ranges(values: list[int]) -> str:
    out, start, prev = [], None, None
    for v in values + [None]:
        if start is None:
            start = prev = v
        elif v is not None and v == prev + 1:
            prev = v
        else:
            out.append(str(start) if start == prev else f"{start}-{prev}")
            start = prev = v
    return ", ".join(out)
