"""``abicheck compat``: the parser and the call into ``checks/compat``."""
from __future__ import annotations

import argparse

from abicheck.subcommands import SUMMARIES
from abicheck.subcommands.options import bounds_args, output_arg, run_planned, shard_args
from abicheck.errors import UsageError

COMPAT_EPILOG = """\
a view is --kernel PROFILE / --libc PROFILE, or the --kernel-* / --libc-*
options; bundled profiles: linux-6.6, glibc, musl (headers/), host-kernel,
host-glibc, host-musl (the machine's /usr/include, host ABI only),
debian-kernel, debian-glibc (Debian's cross headers /usr/<triple>/include,
each ABI that has them); a PROFILE may also be a TOML file with the keys
headers, include, define (and targets).  Default: linux-6.6 against glibc.

exit status: 0 no mismatch, 1 a mismatch, 2 bad input; --exit-zero forces 0
(except for bad input).
"""


def add_parser(sub) -> None:
    from abicheck.report.render import formats
    cp = sub.add_parser(
        "compat", help=SUMMARIES["compat"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compare the kernel uapi view and a C library view of types, joined by "
                    "public accessor names, on every ABI.", epilog=COMPAT_EPILOG)
    cp.add_argument("--type", dest="types", action="append", default=[], metavar="NAME",
                    help="typedef name, 'struct TAG' or 'union TAG' (repeatable; default: "
                         "siginfo_t)")
    cp.add_argument("--target", "-t", action="append", default=[], metavar="T",
                    help="target ABI, 'all' (the default), repeatable or comma-separated")
    for side in ("kernel", "libc"):
        cp.add_argument(f"--{side}", metavar="PROFILE", dest=f"{side}_profile",
                        help=f"the {side} view: a bundled profile name or a TOML file")
        cp.add_argument(f"--{side}-header", dest=f"{side}_headers", action="append", default=[],
                        metavar="H", help=f"a header of the {side} view (repeatable)")
        cp.add_argument(f"--{side}-include", dest=f"{side}_include", action="append", default=[],
                        metavar="DIR", help=f"an include directory of the {side} view "
                        "(repeatable)")
        cp.add_argument(f"--{side}-define", dest=f"{side}_defines", action="append", default=[],
                        metavar="NAME[=VAL]", help=f"a macro for the {side} view (repeatable)")
    cp.add_argument("--map", dest="maps", action="append", default=[],
                    metavar="KERNEL_PATH=LIBC_PATH",
                    help="join two members named differently (repeatable)")
    cp.add_argument("--format", default="text", choices=formats("compat"))
    cp.add_argument("--exit-zero", action="store_true", help="exit 0 even on a mismatch")
    bounds_args(cp)
    shard_args(cp)
    output_arg(cp)


def run(args: argparse.Namespace) -> tuple[str, int]:
    from abicheck.checks.compat_views import ViewOptions, make_view
    from abicheck.runs import compat as planned
    from abicheck.targets import select_targets

    views = [make_view(side, ViewOptions(getattr(args, f"{side}_profile"),
                                         getattr(args, f"{side}_headers"),
                                         getattr(args, f"{side}_include"),
                                         getattr(args, f"{side}_defines")))
             for side in ("kernel", "libc")]
    maps = []
    for m in args.maps:
        k, eq, lc = m.partition("=")
        if not eq or not k.strip() or not lc.strip():
            raise UsageError(f"--map '{m}': expected KERNEL_PATH=LIBC_PATH")
        maps.append((k.strip(), lc.strip()))
    return run_planned(args, planned.plan(views[0], views[1], args.types or ["siginfo_t"],
                                          select_targets(args.target or ["all"]), maps,
                                          args.format, args.exit_zero))
