"""``abicheck validate``: a blob against its type's layout and the spec's
rules (``abicheck.checks.blob``), as a findings report in any format
``check`` has; exit 0 when every check passed, 1 when one failed, 2 for bad
input."""
from __future__ import annotations

import argparse

from abicheck.subcommands import EXIT_FINDINGS, EXIT_OK, SUMMARIES
from abicheck.subcommands.blobopts import blob_args, blob_context, read_blob, split_inputs
from abicheck.subcommands.options import output_arg


def add_parser(sub) -> None:
    from abicheck.report.render import formats
    p = sub.add_parser("validate", help=SUMMARIES["validate"])
    p.add_argument("inputs", nargs="*", metavar="BLOB [HEADER]",
                   help="the blob (a file, - for standard input; none with --hex), then headers")
    p.add_argument("--hex", metavar="STRING", help="the blob as hex digits")
    p.add_argument("--spec", metavar="SPEC",
                   help="the spec whose layouts apply (default: the bundled specs/siginfo.json)")
    blob_args(p)
    p.add_argument("--format", default="text", choices=formats("check"))
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when checks fail")
    output_arg(p)


def run(args: argparse.Namespace) -> tuple[str, int]:
    import os

    from abicheck.checks.blob import validate_blob
    from abicheck.report.render import render

    source, headers = split_inputs(args)
    blob, name = read_blob(source, args.hex)
    spec = os.path.abspath(args.spec) if args.spec else None
    if spec is not None:
        from abicheck.checks.spec import load_spec
        load_spec(spec)                  # a bad spec is bad input, reported as such
    cx = blob_context(args, headers, spec)
    report = validate_blob(cx, blob, name)
    code = EXIT_FINDINGS if report.failed and not args.exit_zero else EXIT_OK
    return render(report, args.format), code
