"""Lint rules: what a rule is, and the registry ``--list-rules`` reads.

A rule is a function from one header (``context.HeaderContext``) to the
``Hit``s it finds there, plus the words a user needs to act on it: a stable
id, a default severity, a paragraph of documentation with a bad and a good
example, and a fix hint.  Rules register themselves with ``@rule``; the rule
modules are imported by ``checks/lint/__init__.py``.

A ``Hit`` carries what does not depend on configuration; the runner turns it
into a ``report.findings.Finding`` with the configured severity, so lint
shares the one findings model of ``check``, ``diff`` and ``compat``.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from abicheck.errors import SourceLoc

if TYPE_CHECKING:
    from abicheck.checks.lint.context import HeaderContext

#: Where the rule documentation lives (SARIF ``helpUri``): one anchor per id.
DOCS_URI = "https://github.com/abicheck/abicheck/blob/main/docs/lint-rules.md"


@dataclass(frozen=True, slots=True)
class Hit:
    """One thing a rule found.

    ``loc`` is a place in the header's own file (the path the front end
    reports; the runner maps it to the name users gave).  ``targets`` are the
    ABIs it holds on, empty for rules about the text that no target changes
    (a FIXME).  ``subject`` names what the hit is about in words that survive
    unrelated edits (``struct foo.bar``, ``macro SEGV_PKUERR``, ``comment
    FIXME``): SARIF fingerprints, waivers and ``--since`` match on it, never
    on line numbers."""

    loc: SourceLoc | None
    message: str
    subject: str
    targets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A lint rule.  ``layout`` rules need the header translated for each
    target; the others read only its text."""

    id: str                      # stable: ABI3xx
    name: str                    # kebab-case, e.g. non-fixed-width-member
    severity: str                # default: error | warning | note
    summary: str                 # one line (SARIF shortDescription)
    doc: str                     # one paragraph: what and why (SARIF fullDescription)
    bad: str                     # a header fragment that triggers it
    good: str                    # the same fragment fixed
    fix: str                     # what to do, one sentence
    layout: bool
    check: Callable[["HeaderContext"], Iterable[Hit]]

    @property
    def help_uri(self) -> str:
        return f"{DOCS_URI}#{self.id.lower()}"


RULES: dict[str, Rule] = {}


def rule(id: str, name: str, severity: str, summary: str, doc: str, bad: str, good: str,
         fix: str, layout: bool = False) -> Callable:
    """Decorator: register ``check`` as rule ``id``."""
    def deco(check: Callable[["HeaderContext"], Iterable[Hit]]) -> Callable:
        if id in RULES or any(r.name == name for r in RULES.values()):
            raise ValueError(f"lint rule {id} ({name}) registered twice")
        RULES[id] = Rule(id, name, severity, summary, doc, bad, good, fix, layout, check)
        return check
    return deco


def find_rule(key: str) -> Rule | None:
    """A rule by id (any case) or by name."""
    r = RULES.get(key.upper())
    if r is not None:
        return r
    return next((r for r in RULES.values() if r.name == key), None)
