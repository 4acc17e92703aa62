"""``abicheck model``: print the construct model of one type on one ABI as
Python source (the library API, ``abicheck.views.construct_model``, returns
the live object)."""
from __future__ import annotations

import argparse

from abicheck.errors import UsageError
from abicheck.subcommands import SUMMARIES
from abicheck.subcommands.blobopts import one_target, one_target_help
from abicheck.subcommands.options import common_header_args, output_arg


def add_parser(sub) -> None:
    p = sub.add_parser("model", help=SUMMARIES["model"])
    p.add_argument("headers", nargs="*", metavar="HEADER",
                   help="a header file or an include name resolved through -I "
                        "(default with --headers: the set's asm/siginfo.h, else signal.h)")
    p.add_argument("--type", dest="type", required=True, metavar="NAME",
                   help="typedef name, 'struct TAG' or 'union TAG'")
    p.add_argument("--headers", dest="headers_set", metavar="SET",
                   help="a bundled header set (linux-6.6, pkeys-u8-reserved ...) or a header "
                        "directory, searched first")
    common_header_args(p, "the host")
    one_target_help(p, "default: the host")
    output_arg(p)


def run(args: argparse.Namespace) -> str:
    from abicheck import api
    from abicheck.blobs.context import header_request
    from abicheck.targets import host_target
    from abicheck.views.construct_model import model_source

    target = one_target(args, "a model is for one ABI", host_target() if not args.target else None)
    if not args.headers and not args.headers_set:
        raise UsageError("model needs a HEADER (or --headers SET)")
    headers, dirs, _ = header_request(args.headers_set, args.headers, args.include_dirs)
    tr = api.translate(headers, target, dirs, args.defines, args.system)
    (layout,) = api.layout_translation(tr, [args.type])
    return model_source(layout, tr)
