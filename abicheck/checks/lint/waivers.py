"""Waiver files: findings a project knows about and accepts, each with its
reason, kept out of the header (unlike an inline suppression) so that a
reviewed exception needs no change to an exported file.

A waiver file is TOML, one ``[[waiver]]`` table per entry::

    [[waiver]]
    rule = "ABI302"                      # an id or a rule name
    file = "asm-generic/siginfo.h"       # glob on the finding's file (a path suffix)
    subject = "macro SEGV_*"             # glob on the finding's subject (default "*")
    reason = "fixed upstream in 4.6; this set is the 4.5 snapshot"   # required

``file`` matches a finding's file as shown in reports, or any path that
ends with ``/`` + the pattern.  A waiver that matches no finding of the
run is stale and reported (ABI391) at its ``[[waiver]]`` line; the waiver
file is where the debt is written down, so it must shrink when the debt is
paid.  A malformed entry is bad input (``file:line:col: error: ...``).
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass

from abicheck.checks.lint.config import line_of, read_toml
from abicheck.checks.lint.rules import find_rule
from abicheck.errors import SourceLoc, UsageError

_KEYS = {"rule", "file", "subject", "reason"}


@dataclass(frozen=True)
class Waiver:
    """One ``[[waiver]]`` entry: a rule excused for one subject of one file, and why."""

    rule: str                     # a rule id
    file: str
    subject: str
    reason: str
    loc: SourceLoc                # the entry's [[waiver]] line

    def matches(self, rule_id: str, file: str, subject: str) -> bool:
        if rule_id != self.rule:
            return False
        path = file.replace("\\", "/")
        if not (fnmatch.fnmatchcase(path, self.file) or fnmatch.fnmatchcase(path, "*/" + self.file)):
            return False
        return fnmatch.fnmatchcase(subject, self.subject)


def load_waivers(path: str) -> tuple[Waiver, ...]:
    text, data = read_toml(path)
    for k in data:
        if k != "waiver":
            line, col = line_of(text, k)
            raise UsageError(f"unknown key '{k}' (a waiver file has [[waiver]] tables only)",
                             SourceLoc(path, line, col))
    entries = data.get("waiver", [])
    heads = [n for n, ln in enumerate(text.split("\n")) if re.match(r"\s*\[\[\s*waiver\s*\]\]", ln)]
    if not isinstance(entries, list) or (entries and len(heads) != len(entries)):
        raise UsageError("waivers must be written as [[waiver]] tables",
                         SourceLoc(path, *line_of(text, "waiver")))
    out = []
    for i, e in enumerate(entries):
        head = heads[i]
        at = SourceLoc(path, head + 1, 1)

        def bad(key: str, msg: str) -> UsageError:
            line, col = line_of(text, key, head) if key else (head + 1, 1)
            return UsageError(f"waiver {i + 1}: {msg}", SourceLoc(path, line, col))

        for k in e:
            if k not in _KEYS:
                raise bad(k, f"unknown key '{k}' (known: {', '.join(sorted(_KEYS))})")
        for k in ("rule", "file", "reason"):
            if k not in e:
                raise bad("", f"'{k}' is required")
        for k in _KEYS & set(e):
            if not isinstance(e[k], str):
                raise bad(k, f"'{k}' must be a string")
        if not e["reason"].strip():
            raise bad("reason", "the reason must say why the finding is accepted")
        r = find_rule(e["rule"])
        if r is None:
            raise bad("rule", f"unknown rule '{e['rule']}' (see abicheck lint --list-rules)")
        out.append(Waiver(r.id, e["file"], e.get("subject", "*"), e["reason"].strip(), at))
    return tuple(out)
