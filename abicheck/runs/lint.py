"""``abicheck lint`` as items: one per header, on every target (the multi-ABI
rules compare a header across targets); with ``--since``, OLD's headers are
items too (see ``abicheck.runs``).

A header's piece is its items after inline suppressions (rule, message,
subject, targets, the file key and place users see) and how many were
suppressed; waivers, stale waivers, ``--since`` and severities apply to the
whole run, in ``assemble`` (``runner.finish``).
"""
from __future__ import annotations

from typing import Sequence

from abicheck.runs import Plan
from abicheck.runs.codec import loc_json, loc_of


def formats() -> list[str]:
    from abicheck.report.render import formats as all_formats
    return all_formats("lint")


def plan(paths: Sequence[str], opts, fmt: str, stack) -> Plan:
    """``stack`` keeps the loaded revisions (git checkouts) alive for the run."""
    from abicheck.checks.lint.runner import chosen_rules, every_header
    from abicheck.revision import load_revision
    rules = chosen_rules(opts)
    revs = [("PATH", every_header(load_revision(p, "PATH", opts.include_dirs, stack)))
            for p in paths]
    if opts.since is not None:
        revs.append(("OLD", every_header(load_revision(opts.since, "OLD", opts.include_dirs,
                                                       stack))))
    items = [(side, i, rev, h) for i, (side, rev) in enumerate(revs) for h in rev.headers]
    keys = [f"{side} {rev.spec}: {h}" for side, _, rev, h in items]
    context = {"paths": list(paths), "targets": [t.name for t in opts.targets],
               "enable": list(opts.enable), "disable": list(opts.disable),
               "severity": dict(opts.severity),
               "waivers": [[w.rule, w.file, w.subject, w.reason, loc_json(w.loc)]
                           for w in opts.waivers],
               "waiver_file": opts.waiver_file, "since": opts.since, "fail_on": opts.fail_on,
               "format": fmt}

    from abicheck.checks.lint.context import HeaderContext
    # every header's context alive for the whole run, as in one process: a
    # rule that reads a sibling header (``HeaderContext.sibling``) finds it
    # and shares its translations instead of translating it again each time
    cxs = {(i, h): HeaderContext(rev, h, tuple(opts.targets), tuple(opts.defines))
           for _, i, rev, h in items}

    def compute(item) -> dict:
        from abicheck.checks.lint.runner import header_items
        side, i, rev, h = item
        got, n = header_items(rev, cxs[(i, h)], rules)
        return {"side": side, "suppressed": n,
                "items": [[it.rule.id, it.hit.message, it.hit.subject, list(it.hit.targets),
                           it.key, loc_json(it.shown), loc_json(it.hit.loc)] for it in got]}

    return Plan("lint", context, keys, items, compute, assemble, formats())


def options_of(context: dict):
    """The run's ``LintOptions`` again, from the context."""
    from abicheck.checks.lint.runner import LintOptions
    from abicheck.checks.lint.waivers import Waiver
    from abicheck.targets import get_target
    return LintOptions(tuple(get_target(t) for t in context["targets"]),
                       enable=tuple(context["enable"]), disable=tuple(context["disable"]),
                       severity=dict(context["severity"]),
                       waivers=tuple(Waiver(r, f, s, why, loc_of(loc))
                                     for r, f, s, why, loc in context["waivers"]),
                       waiver_file=context["waiver_file"], since=context["since"],
                       fail_on=context["fail_on"])


def assemble(context: dict, pieces: Sequence[dict]) -> tuple[str, int]:
    from abicheck.checks.lint import failed
    from abicheck.checks.lint.rules import RULES, Hit
    from abicheck.checks.lint.runner import Item, chosen_rules, finish
    from abicheck.report.render import render
    from abicheck.subcommands import EXIT_FINDINGS, EXIT_OK
    opts = options_of(context)
    found: dict[str, list] = {"PATH": [], "OLD": []}
    suppressed = headers = 0
    for p in pieces:
        found[p["side"]] += [Item(RULES[rid], Hit(loc_of(hloc), msg, subject, tuple(targets)), key,
                                  loc_of(shown))
                             for rid, msg, subject, targets, key, shown, hloc in p["items"]]
        if p["side"] == "PATH":
            suppressed += p["suppressed"]
            headers += 1
    report = finish(context["paths"], opts, chosen_rules(opts), found["PATH"], suppressed,
                    headers, found["OLD"] if opts.since is not None else None)
    return (render(report, context["format"]),
            EXIT_FINDINGS if failed(report, opts.fail_on) else EXIT_OK)
