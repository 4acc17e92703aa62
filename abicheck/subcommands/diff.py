"""``abicheck diff``: two revisions of headers compared on every ABI, each
change with its cause and a verdict; the exit status is abidiff's bit field."""
from __future__ import annotations

import argparse

from abicheck.errors import UsageError
from abicheck.subcommands import EXIT_OK, SUMMARIES
from abicheck.subcommands.options import (common_header_args, output_arg, picture_to_terminal,
                                          run_planned, shard_args)

DIFF_EPILOG = """\
exit status (a bit field, as abidiff's):
   0  no ABI change on any target
   4  ABI changes, all compatible
  12  at least one incompatible change (4|8)
  16  some change needs review, always with 4 (20; 28 with an incompatible one)
   2  bad input or usage
  --exit-zero forces 0 (except for bad input)

verdicts: compatible (an addition that moves or resizes nothing existing, a
counter that grew, a member added in tail space the size already covered);
incompatible (an existing member moves, resizes or changes signedness; a
record's size or alignment changes; a constant changes value; a new code
collides with an existing one); needs review (reserved bytes put to use; a
rename with the same layout; a union member larger than the others).
"""


def add_parser(sub) -> None:
    from abicheck.report.render import formats
    df = sub.add_parser(
        "diff", help=SUMMARIES["diff"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compare the binary interface of two header revisions on every ABI.",
        epilog=DIFF_EPILOG)
    df.add_argument("old", metavar="OLD", help="a header, a folder of headers, a bundled set "
                    "(linux-4.5), a git revision of a path (REV:path), or a tree of several "
                    "ABIs' headers as Debian unpacks them (usr/<triple>/include, "
                    "usr/include/<tuple>/asm): each ABI reads its own part")
    df.add_argument("new", metavar="NEW", help="the same kinds as OLD")
    df.add_argument("--type", dest="types", action="append", default=[], metavar="NAME",
                    help="compare only this type (repeatable; default: every struct, union "
                         "and typedef the headers declare, and every macro constant)")
    df.add_argument("--format", default="text", choices=formats("diff"))
    df.add_argument("--exit-zero", action="store_true", help="exit 0 whatever changed")
    common_header_args(df, "all", "an include directory for both revisions, after their own",
                        system=False)
    shard_args(df)
    output_arg(df)


def run(args: argparse.Namespace) -> tuple[str, int]:
    from abicheck.frontend import collector

    # what the diff keeps out of the cycle collector while its snapshots
    # grow stays out to the end of the command: handed back when the
    # pieces are done, it was all scanned by the next full collection (2.3
    # of 47 CPU s of a two-ABI tree diff) for the little it frees before
    # the process ends
    with collector.growing():
        return _run(args)


def _run(args: argparse.Namespace) -> tuple[str, int]:
    from contextlib import ExitStack

    from abicheck.revision import load_revision
    from abicheck.runs import diff as planned
    from abicheck.targets import select_targets

    targets = select_targets(args.target or ["all"])
    if args.format in ("html", "svg"):
        # the byte map draws live shapes, which no piece carries: one process
        picture_to_terminal(args)
        if args.shard:
            raise UsageError("--shard splits the report formats; --format html/svg needs every "
                             "target's shapes in one run")
        from abicheck.checks.diff import run_diff
        from abicheck.report.diffmodel import exit_status
        from abicheck.report.render import render
        report = run_diff(args.old, args.new, targets, args.types, args.include_dirs,
                          args.defines, pictures=True)
        return render(report, args.format), EXIT_OK if args.exit_zero else exit_status(report)
    with ExitStack() as stack:
        old = load_revision(args.old, "OLD", args.include_dirs, stack)
        new = load_revision(args.new, "NEW", args.include_dirs, stack)
        return run_planned(args, planned.plan(old, new, targets, args.types, args.defines,
                                              args.format, args.exit_zero))
