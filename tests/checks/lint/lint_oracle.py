"""The compilers' side of the lint rule tests.

Each multi-ABI rule's fixture is laid out by the oracle of every ABI
(``tests/oracle``: libclang with ``-target``, or the ABI's cross gcc), and the
ABIs a rule must name are derived here from the compilers' numbers by the
rule's definition, without abicheck code.  Rules are run on the ABIs that
have an oracle, so both sides see the same set.
"""
from __future__ import annotations

import functools
import os

from abicheck.checks.lint import run_lint
from abicheck.targets import all_targets
from oracle import NoOracle, pick_oracle

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
PTR = "struct __lint_ptr_probe { void *p; };\n"


def fixture(rule: str, name: str) -> str:
    return os.path.join(HERE, rule, name)


def text(rule: str, name: str) -> str:
    with open(fixture(rule, name)) as f:
        return f.read()


@functools.cache
def oracle_targets() -> tuple:
    out = []
    for t in all_targets():
        try:
            pick_oracle(t)
        except NoOracle:
            continue
        out.append(t)
    return tuple(out)


@functools.cache
def measured(source: str, types: tuple[str, ...]) -> dict[str, dict]:
    """target name -> {type: layout} (plus ``"ptr"``: sizeof(void *)), from
    each ABI's oracle."""
    out = {}
    for t in oracle_targets():
        lay = pick_oracle(t).layout(PTR + source, [*types, "struct __lint_ptr_probe"])
        lay["ptr"] = lay.pop("struct __lint_ptr_probe")["size"]
        out[t.name] = lay
    return out


@functools.cache
def lint(path: str, rule: str):
    """The hits of ``rule`` on the header at ``path``: [(subject, targets, message)]."""
    rep = run_lint([path], list(oracle_targets()), rules=[rule])
    seen = {}
    for r in rep.results:
        for f in r.findings:
            seen[(f.measured, f.targets)] = (f.measured, set(f.targets), f.message, f)
    return list(seen.values())


def hit_targets(path: str, rule: str) -> set[str]:
    return {t for _, ts, _, _ in lint(path, rule) for t in ts}


def by_word(lays: dict[str, dict]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for t, lay in lays.items():
        out.setdefault(lay["ptr"], []).append(t)
    return out


def flat_holes(lay: dict) -> list[tuple[int, int]]:
    """(start, end) byte gaps between the top-level members of a flat struct
    (no nested records in these fixtures), and none for the tail."""
    out, cur = [], 0
    for m in sorted(lay["members"], key=lambda m: (m["offset"], m["path"])):
        if m["offset"] > cur:
            out.append((cur, m["offset"]))
        cur = max(cur, m["offset"] + m["size"])
    return out


def tail(lay: dict) -> int:
    return lay["size"] - max(m["offset"] + m["size"] for m in lay["members"])


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(HERE))))


@functools.cache
def bundled_report(name: str):
    """Every rule on a bundled header set (``headers/<name>``), every ABI."""
    return run_lint([os.path.join(REPO, "headers", name)], list(all_targets()))


def bundled_hits(name: str, rule: str) -> list:
    """The findings of ``rule`` on a bundled set, one per place and subject."""
    out = {}
    for r in bundled_report(name).results:
        for f in r.findings:
            if f.id == rule:
                out.setdefault((str(f.loc), f.measured), f)
    return list(out.values())


def line_of(path: str, needle: str) -> int:
    with open(path) as f:
        lines = f.read().split("\n")
    found = [i for i, ln in enumerate(lines, 1) if needle in ln]
    assert len(found) == 1, (needle, found)
    return found[0]
