"""``abicheck layout``: the memory layout of types on one or more ABIs, as
pahole prints it (one ABI) or as a comparison table (several)."""
from __future__ import annotations

import argparse

from abicheck.subcommands.options import (common_header_args, output_arg, run_planned,
                                          shard_args, targets_or_host)


def add_parser(sub) -> None:
    lay = sub.add_parser("layout", help="show the memory layout of types, pahole style")
    lay.add_argument("headers", nargs="+", metavar="HEADER",
                     help="a header file, or an include name resolved through -I (asm/siginfo.h)")
    lay.add_argument("--type", dest="types", action="append", default=[], metavar="NAME",
                     help="typedef name, 'struct TAG' or 'union TAG' (repeatable; default: "
                          "every struct and union the named headers define, else their typedefs)")
    lay.add_argument("--field", dest="fields", action="append", default=[], metavar="ACCESSOR",
                     help="report a member by its public name (si_pkey) or path (repeatable)")
    lay.add_argument("--format", choices=("text", "json"), default="text")
    common_header_args(lay)
    shard_args(lay)
    output_arg(lay)


def run(args: argparse.Namespace) -> tuple[str, int]:
    from abicheck.runs import layout as planned
    return run_planned(args, planned.plan(
        args.headers, targets_or_host(args), args.types, args.fields, args.include_dirs,
        args.defines, args.system, args.format, args.format == "text" or bool(args.shard)))
