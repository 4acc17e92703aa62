"""``abicheck lint``: the parser and the call into ``checks/lint``."""
from __future__ import annotations

import argparse

from abicheck.subcommands import SUMMARIES
from abicheck.subcommands.options import common_header_args, output_arg, run_planned, shard_args
from abicheck.errors import UsageError

LINT_EPILOG = """\
exit status:
   0  no finding at or above --fail-on (default: error)
   1  at least one
   2  bad input or usage (a bad config or waiver file: file:line:col: error: ...)
a header that does not compile is a finding (ABI390), not bad input.

abicheck lint --list-rules lists the rules; docs/lint-rules.md explains each.
"""


def add_parser(sub) -> None:
    from abicheck.report.render import formats
    ln = sub.add_parser(
        "lint", help=SUMMARIES["lint"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Lint headers: text rules over every #if branch, layout rules on every ABI.",
        epilog=LINT_EPILOG)
    ln.add_argument("paths", nargs="*", metavar="PATH", help="a header, a folder of headers "
                    "(recursively; it is also the include root), a bundled set (pkeys-v1) or "
                    "REV:path")
    ln.add_argument("--format", default="text", choices=formats("lint"))
    ln.add_argument("--fail-on", choices=("error", "warning", "note"), default=None,
                    help="exit 1 when a finding at or above this severity is left "
                         "(default: the config's, else error)")
    ln.add_argument("--since", metavar="OLD", help="report only what is new relative to OLD "
                    "(a header, folder, bundled set or REV:path, as diff takes)")
    ln.add_argument("--explain", metavar="ID", help="print a rule's documentation and exit")
    ln.add_argument("--list-rules", action="store_true", help="list every rule and exit")
    ln.add_argument("--config", metavar="FILE", help="abicheck.toml or pyproject.toml (default: "
                    "found from the current folder upward)")
    ln.add_argument("--waivers", metavar="FILE", help="a waiver file (TOML [[waiver]] tables)")
    common_header_args(ln, "all, or the config's", "an include directory (after the "
                        "folder's own)", system=False)
    shard_args(ln)
    output_arg(ln)


def run(args: argparse.Namespace) -> str | tuple[str, int]:
    from contextlib import ExitStack

    from abicheck.checks.lint import docs
    from abicheck.checks.lint.options import lint_options
    from abicheck.checks.lint.rules import find_rule
    from abicheck.runs import lint as planned

    if args.list_rules:
        return docs.list_rules()
    if args.explain:
        r = find_rule(args.explain)
        if r is None:
            raise UsageError(f"no lint rule '{args.explain}' (see abicheck lint --list-rules)")
        return docs.explain(r)
    if not args.paths:
        raise UsageError("lint needs a PATH (a header, a folder, a bundled set or REV:path)")
    opts = lint_options(args.target, args.include_dirs, args.defines, args.fail_on, args.since,
                        args.config, args.waivers)
    with ExitStack() as stack:
        return run_planned(args, planned.plan(args.paths, opts, args.format, stack))
