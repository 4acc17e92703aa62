"""``abicheck lint``: the seed's review as rules, over headers on every ABI.

PATHs are loaded as revisions (``abicheck.revision``: a header file, or a
folder of headers that is also the include root); each header becomes a
``context.HeaderContext``; every enabled rule (``rules.RULES``, one module
per family of rules in this package) runs on it; hits become ``Finding``s
of the one findings model, so every renderer of ``report/`` applies.
Nothing here prints.
"""
from __future__ import annotations

from contextlib import ExitStack
from typing import Sequence

from abicheck.checks.lint import text_rules  # noqa: F401 (registers rules)
from abicheck.checks.lint import type_rules  # noqa: F401 (registers rules)
from abicheck.checks.lint import code_rules  # noqa: F401 (registers rules)
from abicheck.checks.lint import padding_rules  # noqa: F401 (registers rules)
from abicheck.checks.lint import align_rules  # noqa: F401 (registers rules)
from abicheck.checks.lint import compat_rules  # noqa: F401 (registers rules)
from abicheck.checks.lint import reserved_rules  # noqa: F401 (registers rules)
from abicheck.checks.lint.context import HeaderContext, contexts
from abicheck.checks.lint.rules import RULES, Hit, Rule
from abicheck.report.findings import CheckResult, Finding, Report
from abicheck.revision import load_revision
from abicheck.targets import Target


def run_lint(paths: Sequence[str], targets: Sequence[Target], include_dirs: Sequence[str] = (),
             defines: Sequence[str] = (), rules: Sequence[str] | None = None) -> Report:
    """Lint every header under ``paths`` on ``targets`` with ``rules`` (ids;
    default: all)."""
    chosen = [RULES[r] for r in (rules or sorted(RULES))]
    results: list[CheckResult] = []
    with ExitStack() as stack:
        for path in paths:
            rev = load_revision(path, "PATH", include_dirs, stack)
            for cx in contexts(rev, targets, defines):
                for r in chosen:
                    results.extend(_results(r, cx, list(r.check(cx))))
    return Report("lint", ", ".join(paths), tuple(t.name for t in targets), tuple(results))


def _results(r: Rule, cx: HeaderContext, hits: list[Hit]) -> list[CheckResult]:
    findings = [Finding(r.id, r.severity, h.targets, cx.rev.shown_loc(h.loc), h.message, r.name,
                        measured=h.subject) for h in hits]
    if not r.layout:
        return [CheckResult(r.name, r.id, "*", not findings, tuple(findings))]
    out = []
    for t in cx.targets:
        mine = tuple(f for f in findings if t.name in f.targets)
        out.append(CheckResult(r.name, r.id, t.name, not mine, mine))
    return out
