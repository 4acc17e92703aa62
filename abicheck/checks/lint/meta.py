"""Findings about the run itself rather than about an ABI promise: a header
that does not compile, waivers and suppressions that no longer do anything
or give no reason.

They are rules like any other (an id, a severity users can change, a page in
``docs/lint-rules.md``) so that they can be listed, explained, configured
and waived; ABI390 is found per header like the others, the rest by the
runner (``runner.py``), which alone sees waivers and suppressions; their
``check`` finds nothing.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from abicheck.checks.lint.context import HeaderContext
from abicheck.checks.lint.hygiene import UAPI_TYPE, root_hint
from abicheck.checks.lint.rules import Hit, rule
from abicheck.errors import AbicheckError

#: cpp's message for an include it cannot find
_MISSING = re.compile(r"^(\S+\.h): No such file or directory$")


@rule("ABI390", "does-not-compile", "error",
      "the header does not compile on some target",
      "A header that the compiler rejects cannot be checked, and cannot be used by the "
      "programs it is exported to. Each header is compiled alone, as a program that includes "
      "only it would; the first error is reported with its place and the targets it happens "
      "on, and the other headers of the run are still linted. A record the layout engine "
      "cannot lay out (a negative or oversized array, a record containing itself, a bad "
      "alignment: what gcc rejects too) is reported the same way, naming the record. An "
      "unknown fixed-width type (__u32) is ABI374's, not this rule's.",
      bad="struct pkey_info {\n\t__u32 pkey\n};",
      good="#include <linux/types.h>\n\nstruct pkey_info {\n\t__u32 pkey;\n};",
      fix="Make the header compile on its own: fix the error, include what it uses.",
      layout=True)
def does_not_compile(cx: HeaderContext) -> Iterator[Hit]:
    by_error: dict[tuple[str, object], list[str]] = {}
    first: dict[tuple[str, object], AbicheckError] = {}
    for t, tr in cx.translations().items():
        if isinstance(tr, AbicheckError) and not UAPI_TYPE.search(tr.msg):
            key = (tr.msg, tr.loc)
            by_error.setdefault(key, []).append(t)
            first.setdefault(key, tr)
    for key, targets in by_error.items():
        err = first[key]
        missing = _MISSING.match(err.msg)
        hint = root_hint(err.loc.file if err.loc else cx.file, missing.group(1)) if missing else ""
        yield Hit(err.loc or cx.loc(1, 1), f"does not compile: {err.msg}{hint}",
                  f"compile error {err.msg}", tuple(targets))
    # records gcc would reject (a negative array, a record that contains
    # itself, an alignment that is no power of two) fail in the layout engine
    unlaid: dict[tuple[str, str, object], list[str]] = {}
    errs: dict[tuple[str, str, object], AbicheckError] = {}
    for t in cx.compiled():
        cx.records(t.name)
        for name, err in cx.unlaid.get(t.name, ()):
            key = (name, err.msg, err.loc)
            unlaid.setdefault(key, []).append(t.name)
            errs.setdefault(key, err)
    for (name, msg, _), targets in unlaid.items():
        err = errs[(name, msg, _)]
        yield Hit(err.loc if cx.own(err.loc) else cx.loc(1, 1),
                  f"{name} cannot be laid out: {msg}", f"layout {name}", tuple(targets))


def _runner_only(cx: HeaderContext) -> Iterator[Hit]:
    return iter(())


rule("ABI391", "stale-waiver", "warning",
     "a waiver that matches no finding",
     "A waiver says a finding is known and accepted. When the header is fixed, or the finding's "
     "subject renamed, the waiver matches nothing and silently waives whatever comes to match "
     "it next. Stale waivers are reported at their line in the waiver file, so the file "
     "shrinks with the debt it records.",
     bad='[[waiver]]\nrule = "ABI301"\nfile = "linux/pkey.h"\nreason = "fixed in 6.7"  '
         '# the FIXME is gone',
     good="# (the entry removed)",
     fix="Delete the waiver entry.")(_runner_only)

rule("ABI392", "suppression-without-reason", "warning",
     "an inline suppression that gives no reason",
     "An inline suppression (/* abicheck: ignore[ID] reason */) hides a finding from every "
     "later reader of the header; without a reason, nobody can tell a judged exception from a "
     "silenced warning. The suppression still applies; this finding says it needs its reason.",
     bad="\tint si_signo;\t/* abicheck: ignore[ABI310] */",
     good="\tint si_signo;\t/* abicheck: ignore[ABI310] historic ABI, fixed since 1.0 */",
     fix="Write why the finding is acceptable after the bracket.")(_runner_only)

rule("ABI393", "unknown-suppression", "warning",
     "an inline suppression names a rule that does not exist",
     "A suppression of an id no rule has (a typo, a rule renumbered) suppresses nothing; the "
     "finding it was meant for is still reported, and the comment misleads.",
     bad="\tint si_signo;\t/* abicheck: ignore[ABI3l0] historic ABI */",
     good="\tint si_signo;\t/* abicheck: ignore[ABI310] historic ABI */",
     fix="Use an id or name from abicheck lint --list-rules.")(_runner_only)

rule("ABI394", "unused-suppression", "note",
     "an inline suppression that suppresses nothing",
     "A suppression on a line where its rule finds nothing (the code was fixed, or the comment "
     "is on the wrong line) is dead text, and hides the next finding that appears there. "
     "Reported only for rules that ran.",
     bad="\t__u32 pkey;\t/* abicheck: ignore[ABI301] was a FIXME */",
     good="\t__u32 pkey;",
     fix="Delete the suppression, or move it to the line of the finding.")(_runner_only)
