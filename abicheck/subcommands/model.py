"""``abicheck model``: print the construct model of one type on one ABI as
Python source (the library API, ``abicheck.views.construct_model``, returns
the live object)."""
from __future__ import annotations

import argparse

from abicheck.errors import UsageError
from abicheck.subcommands.options import common_header_args, output_arg


def add_parser(sub) -> None:
    p = sub.add_parser("model", help="print a type's binary model (construct) as Python source")
    p.add_argument("headers", nargs="*", metavar="HEADER",
                   help="a header file or an include name resolved through -I "
                        "(default with --headers: the set's asm/siginfo.h, else signal.h)")
    p.add_argument("--type", dest="type", required=True, metavar="NAME",
                   help="typedef name, 'struct TAG' or 'union TAG'")
    p.add_argument("--headers", dest="headers_set", metavar="SET",
                   help="a bundled header set (linux-6.6, pkeys-u8-reserved ...) or a header "
                        "directory, searched first")
    common_header_args(p, "the host")
    output_arg(p)


def run(args: argparse.Namespace) -> str:
    import os

    from abicheck import api, bundled
    from abicheck.targets import host_target, select_targets
    from abicheck.views.construct_model import model_source

    if len(args.target) > 1 or any("," in t or t == "all" for t in args.target):
        raise UsageError("model takes one --target (a model is for one ABI)")
    (target,) = select_targets(args.target) if args.target else (host_target(),)
    dirs = list(args.include_dirs)
    headers = list(args.headers)
    if args.headers_set:
        hs = args.headers_set
        d = hs if os.path.isdir(hs) else bundled.headers_dir(hs)
        dirs.insert(0, d)
        if not headers:   # the set's siginfo entry: the kernel's, else the libc's
            headers = ["asm/siginfo.h" if os.path.isfile(os.path.join(d, "asm", "siginfo.h"))
                       else "signal.h"]
    if not headers:
        raise UsageError("model needs a HEADER (or --headers SET)")
    tr = api.translate(headers, target, dirs, args.defines, args.system)
    (layout,) = api.layout_translation(tr, [args.type])
    return model_source(layout, tr)
