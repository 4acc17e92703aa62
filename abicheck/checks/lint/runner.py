"""The lint run: PATHs -> headers -> enabled rules -> hits -> findings.

Per header, in this order: every enabled rule's hits (a rule that meets bad
input in the header reports it as ABI390 and the run goes on); inline
suppressions (``suppress.py``) take theirs out and add their own problems;
then, over the whole run, waivers (``waivers.py``) take theirs out and stale
ones become findings; ``--since`` (``since.py``) drops what OLD already had;
configured severities replace the defaults.  Results are one
``CheckResult`` per (rule, target); a finding without targets (a FIXME: the
text is the same on every ABI) fails its rule on every target, so every
renderer's matrix and counts (JUnit's failures) apply.  Nothing here prints.
"""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field

from abicheck.checks.lint import suppress
from abicheck.checks.lint.config import SEVERITIES, enabled
from abicheck.checks.lint.context import HeaderContext, contexts
from abicheck.checks.lint.rules import RULES, Hit, Rule
from abicheck.checks.lint.waivers import Waiver
from abicheck.errors import AbicheckError, SourceLoc
from abicheck.report.findings import CheckResult, Finding, Report
from abicheck.revision import Revision, header_files, load_revision
from abicheck.targets import Target

#: Rules the runner reports itself (their ``check`` finds nothing).
RUNNER_RULES = ("ABI391", "ABI392", "ABI393", "ABI394")


@dataclass(frozen=True)
class LintOptions:
    """Everything one lint run was asked: targets, include paths, rule selection, waivers."""

    targets: tuple[Target, ...]
    include_dirs: tuple[str, ...] = ()
    defines: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()          # ids, prefixes (flake8 select); empty: all
    disable: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    waiver_file: str | None = None        # as shown in findings
    since: str | None = None
    fail_on: str = "error"


@dataclass(frozen=True)
class Item:
    """One hit of one rule, with where it came from."""

    rule: Rule
    hit: Hit
    key: str                              # the header file relative to its revision
    shown: SourceLoc | None               # hit.loc as users name it


def chosen_rules(opts: LintOptions) -> list[Rule]:
    return [RULES[r] for r in sorted(RULES) if enabled(r, opts.enable, opts.disable)]


def lint_items(paths: Sequence[str], opts: LintOptions, rules: list[Rule],
               stack: ExitStack, side: str = "PATH") -> tuple[list[Item], int, int]:
    """Every item of ``paths`` after inline suppressions; how many were
    suppressed; how many headers were read."""
    items: list[Item] = []
    suppressed = headers = 0
    for path in paths:
        rev = every_header(load_revision(path, side, opts.include_dirs, stack))
        for cx in contexts(rev, opts.targets, opts.defines):
            headers += 1
            got, n = header_items(rev, cx, rules)
            items += got
            suppressed += n
    return items, suppressed, headers


def header_items(rev: Revision, cx: HeaderContext, rules: list[Rule]) -> tuple[list[Item], int]:
    """The items of one header after its inline suppressions, and how many
    were suppressed: what one header contributes to a run (alone: a shard
    of a lint run is a set of headers)."""
    ran = {r.id for r in rules}
    hits = [(r.id, h) for r in rules if r.id not in RUNNER_RULES for h in _check(r, cx)]
    sups = suppress.suppressions(cx.scan())
    kept, n, problems = suppress.apply(hits, sups, cx.file, ran)
    for s, rid, msg in problems:
        if rid in ran:
            kept.append((rid, Hit(cx.loc(s.line, s.col), msg,
                                  f"suppression {','.join(s.ids + s.unknown)}")))
    return [Item(RULES[rid], h, _key(rev, h.loc, cx), rev.shown_loc(h.loc)) for rid, h in kept], n


def every_header(rev: Revision) -> Revision:
    """A bundled set is entered through one header for ``diff`` (asm/siginfo.h);
    lint reads every header of it, each for what it declares itself, so a
    FIXME in asm-generic/siginfo.h is in a header of its own."""
    if rev.kind == "bundled" and rev.root is not None:
        return dataclasses.replace(rev, headers=tuple(header_files(rev.root)), each_own=True)
    return rev


def _check(r: Rule, cx: HeaderContext) -> list[Hit]:
    """The rule's hits; bad input it meets (an unreadable header, a layout
    the engine refuses) becomes a hit of that rule saying so, instead of
    ending the run over the other headers."""
    try:
        return list(r.check(cx))
    except (AbicheckError, RecursionError) as e:
        err = e if isinstance(e, AbicheckError) else AbicheckError("declarations nest too deeply")
        return [Hit(err.loc or cx.loc(1, 1), f"could not check the header: {err.msg}",
                    f"unchecked {err.msg}", tuple(t.name for t in cx.targets) if r.layout else ())]


def _key(rev: Revision, loc: SourceLoc | None, cx: HeaderContext) -> str:
    """The file of a hit relative to its revision (``asm-generic/siginfo.h``),
    the same in OLD and NEW whatever they are (folder, set, REV:path)."""
    file = loc.file if loc is not None else cx.file
    if rev.root is not None:
        rel = os.path.relpath(os.path.normpath(os.path.abspath(file)), rev.root)
        if not rel.startswith(".."):
            return rel.replace(os.sep, "/")
    return os.path.basename(file)


def run(paths: Sequence[str], opts: LintOptions) -> Report:
    rules = chosen_rules(opts)
    with ExitStack() as stack:
        items, suppressed, headers = lint_items(paths, opts, rules, stack)
        old = None
        if opts.since is not None:
            old, _, _ = lint_items([opts.since], opts, rules, stack, side="OLD")
    return finish(paths, opts, rules, items, suppressed, headers, old)


def finish(paths: Sequence[str], opts: LintOptions, rules: list[Rule], items: list[Item],
           suppressed: int, headers: int, old: list[Item] | None) -> Report:
    """The report from every header's items (and, with ``--since``, OLD's):
    waivers, stale waivers, what OLD already had, severities."""
    waived, stale = _waive(items, opts)
    items = [it for it in items if id(it) not in waived]
    grandfathered = 0
    if old is not None:
        from abicheck.checks.lint.since import subtract
        before = len(items)
        items = subtract(items, old)
        grandfathered = before - len(items)
    extra = []
    if "ABI391" in {r.id for r in rules}:
        for w in stale:
            extra.append(Item(RULES["ABI391"], Hit(w.loc, f"waiver of {w.rule} for '{w.file}' "
                                                   f"(subject '{w.subject}') matches no finding",
                                                   f"waiver {w.rule} {w.file} {w.subject}"),
                              w.loc.file, w.loc))
    results = _results(rules, items + extra, opts)
    meta = {"headers": headers, "rules": len(rules), "fail_on": opts.fail_on, "suppressed": suppressed, "waived": len(waived),
            "grandfathered": grandfathered, "since": opts.since,
            "waivers": opts.waiver_file}
    return Report("lint", ", ".join(paths), tuple(t.name for t in opts.targets),
                  tuple(results), meta)


def _waive(items: list[Item], opts: LintOptions) -> tuple[set[int], list[Waiver]]:
    waived: set[int] = set()
    used: set[Waiver] = set()
    for it in items:
        file = it.shown.file if it.shown is not None else it.key
        for w in opts.waivers:
            if w.matches(it.rule.id, file, it.hit.subject):
                waived.add(id(it))
                used.add(w)
                break
    return waived, [w for w in opts.waivers if w not in used]


def _results(rules: list[Rule], items: list[Item], opts: LintOptions) -> list[CheckResult]:
    by_rule: dict[str, list[Finding]] = {r.id: [] for r in rules}
    for it in items:
        r = it.rule
        sev = opts.severity.get(r.id, r.severity)
        by_rule.setdefault(r.id, []).append(
            Finding(r.id, sev, tuple(it.hit.targets), it.shown, it.hit.message, r.name,
                    measured=it.hit.subject))
    out = []
    for r in rules:
        found = sorted(by_rule.get(r.id, []), key=_order)
        for t in opts.targets:
            mine = tuple(f for f in found if not f.targets or t.name in f.targets)
            out.append(CheckResult(r.name, r.id, t.name, not mine, mine))
    return out


def _order(f: Finding) -> tuple:
    loc = f.loc or SourceLoc("")
    return (loc.file, loc.line, loc.col, f.message)


def failed(report: Report, fail_on: str) -> bool:
    """Is any finding at or above ``fail_on``?"""
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return any(rank.get(f.severity, 0) <= rank[fail_on] for f in report.findings)
