"""docs/lint-rules.md is generated from the registry and committed: it must
be current (regenerate: python -m abicheck.checks.lint.docs > docs/lint-rules.md),
and have the anchor every rule's helpUri points at."""
from __future__ import annotations

import os

from abicheck.checks.lint.docs import markdown
from abicheck.checks.lint.rules import DOCS_URI, RULES

from .lintkit import REPO

PAGE = os.path.join(REPO, "docs", "lint-rules.md")


def test_the_rules_page_is_current():
    with open(PAGE, encoding="utf-8") as f:
        assert f.read() == markdown(), \
            "docs/lint-rules.md is stale: python -m abicheck.checks.lint.docs > docs/lint-rules.md"


def test_one_anchor_per_rule_matching_help_uri():
    text = markdown()
    for r in RULES.values():
        assert r.help_uri == f"{DOCS_URI}#{r.id.lower()}"
        assert text.count(f'<a id="{r.id.lower()}"></a>') == 1


def test_every_rule_is_documented_fully():
    for r in RULES.values():
        assert r.id.startswith("ABI") and len(r.id) == 6
        assert r.severity in ("error", "warning", "note")
        assert r.summary and r.doc and r.bad and r.good and r.fix
        assert r.bad != r.good


def test_readme_rule_list_is_list_rules_output():
    """The README's --list-rules block is (an abridgement of) the real output;
    column widths aside (they grow with the longest rule name)."""
    from abicheck.checks.lint.docs import list_rules
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    block = readme.split("The rules of this part (`--list-rules`, abridged):", 1)[1]
    block = [ln.split() for ln in block.split("```", 2)[1].strip("\n").splitlines()]
    real = [ln.split() for ln in list_rules().splitlines()]
    assert block and all(ln in real for ln in block), [ln for ln in block if ln not in real]
