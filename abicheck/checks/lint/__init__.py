"""``abicheck lint``: the seed's review as rules, over headers on every ABI.

PATHs are loaded as revisions (``abicheck.revision``: a header file, or a
folder of headers that is also the include root); each header becomes a
``context.HeaderContext``; every enabled rule (``rules.RULES``, one module
per family of rules in this package) runs on it; hits become ``Finding``s
of the one findings model, so every renderer of ``report/`` applies.
``runner.py`` is the run (suppressions, waivers, ``--since``, severities);
``config.py`` reads the project's configuration.  Nothing here prints.
"""
from __future__ import annotations

from typing import Sequence

from abicheck.checks.lint import (  # noqa: F401 (each registers its rules)
    align_rules,
    code_rules,
    compat_rules,
    hygiene,
    meta,
    padding_rules,
    reserved_rules,
    text_rules,
    type_rules,
)
from abicheck.checks.lint.runner import LintOptions, failed, run
from abicheck.report.findings import Report
from abicheck.targets import Target


def run_lint(paths: Sequence[str], targets: Sequence[Target], include_dirs: Sequence[str] = (),
             defines: Sequence[str] = (), rules: Sequence[str] | None = None) -> Report:
    """Lint every header under ``paths`` on ``targets`` with ``rules`` (ids
    or id prefixes; default: all), default severities, no waivers."""
    return run(paths, LintOptions(tuple(targets), tuple(include_dirs), tuple(defines),
                                  enable=tuple(rules or ())))


__all__ = ["LintOptions", "failed", "run", "run_lint"]
