"""``--since OLD``: a reviewer's view, only what a change adds.

OLD is anything ``abicheck diff`` takes (a header, a folder, a bundled set,
``REV:path``).  It is linted with the same rules, targets and options
(suppressions apply; waivers do not, since they describe NEW); a finding of
NEW is grandfathered when OLD has one of the same rule, in the same file
(relative to its revision: ``asm-generic/siginfo.h`` in both) and with the
same subject (``Hit.subject``: ``struct foo.bar``, ``macro SEGV_PKUERR
comment``, ``comment FIXME <its words>``) — never by line number, so lines
that moved are not new.  Subjects are counted: if OLD has one FIXME with
some words and NEW two, one of NEW's is new.  What makes a finding new is
thus a new member, record or constant, a new comment text, a new include:
the things a change adds.  A finding whose subject changed because the
thing changed (a member retyped) is new, as a reviewer would see it.
"""
from __future__ import annotations

from collections import Counter



def identity(it) -> tuple[str, str, str]:
    return (it.rule.id, it.key, it.hit.subject)


def subtract(items: list, old: list) -> list:
    """``items`` of NEW without those ``old`` (OLD's items, linted with the
    same rules and options) already has (see the module docstring)."""
    budget = Counter(identity(it) for it in old)
    out = []
    for it in items:
        k = identity(it)
        if budget[k] > 0:
            budget[k] -= 1
        else:
            out.append(it)
    return out
