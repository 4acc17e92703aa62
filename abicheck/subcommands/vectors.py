"""``abicheck vectors``: write the simulator's test vectors (a blob and a
JSON expectation per faulting access of every catalogued scenario, on every
chosen ABI and modelled kernel)."""
from __future__ import annotations

import argparse

from abicheck.subcommands import SUMMARIES


def add_parser(sub) -> None:
    p = sub.add_parser("vectors", help=SUMMARIES["vectors"])
    p.add_argument("--out", required=True, metavar="DIR", help="the folder to write into "
                   "(created; files replaced whole)")
    p.add_argument("--target", "-t", action="append", default=[], metavar="T",
                   help="an ABI, or 'all' (default: all); repeat or comma-separate")
    p.add_argument("--headers", dest="headers_set", metavar="SET",
                   help="bundled header set for the blob layout (default linux-6.6)")


def run(args: argparse.Namespace) -> str:
    from abicheck.fault.vectors import write
    from abicheck.targets import all_targets, select_targets
    targets = select_targets(args.target) if args.target else list(all_targets())
    n = write(args.out, targets, args.headers_set)
    return f"{n} vectors for {len(targets)} target(s) in {args.out}\n"
