"""``abicheck check``: a spec (``specs/siginfo.json`` by default) against
headers on every ABI it names."""
from __future__ import annotations

import argparse
import os

from abicheck.errors import UsageError
from abicheck.subcommands import SUMMARIES
from abicheck.subcommands.options import common_header_args, output_arg, run_planned, shard_args


def add_parser(sub) -> None:
    from abicheck.report.render import formats
    ck = sub.add_parser("check", help=SUMMARIES["check"])
    ck.add_argument("spec", nargs="?", metavar="SPEC",
                    help="a spec file, *.json (default: the bundled specs/siginfo.json)")
    ck.add_argument("headers", nargs="*", metavar="HEADER",
                    help="headers to check instead of the spec's own entry headers")
    ck.add_argument("--headers", dest="headers_dir", metavar="DIR",
                    help="a header directory (default: the bundled set the spec names; "
                         "a bundled set's name works too, e.g. pkeys-v1)")
    ck.add_argument("--format", default="text", choices=formats("check"))
    ck.add_argument("--exit-zero", action="store_true", help="exit 0 even when checks fail")
    common_header_args(ck)
    shard_args(ck)
    output_arg(ck)


def run(args: argparse.Namespace) -> tuple[str, int]:
    from abicheck import bundled
    from abicheck.checks.spec_load import bundled_spec, load_spec
    from abicheck.targets import select_targets

    if args.spec and not args.spec.endswith(".json"):
        # `abicheck check signal.h --headers glibc`: a header, not a spec
        args.headers, args.spec = [args.spec, *args.headers], None
    spec = load_spec(args.spec or bundled_spec())
    dirs = list(args.include_dirs)
    subject = spec.name
    if args.headers_dir:
        d = args.headers_dir if os.path.isdir(args.headers_dir) else bundled.headers_dir(args.headers_dir)
        dirs.insert(0, d)
        subject = f"{spec.name} on {os.path.basename(os.path.normpath(d))}"
    elif not args.headers and not args.include_dirs:
        if "bundled_headers" not in spec.data:
            raise UsageError(f"{spec.file}: the spec names no bundled headers; give --headers DIR or -I DIR")
        dirs.insert(0, bundled.headers_dir(spec.data["bundled_headers"]))
        subject = f"{spec.name} on {spec.data['bundled_headers']}"
    targets = select_targets(args.target or ["all"])
    _start_ahead(args, spec, targets, dirs)
    from abicheck.runs import check as planned
    return run_planned(args, planned.plan(spec, targets, args.headers, dirs, args.defines,
                                          subject, args.format, args.exit_zero))


def _start_ahead(args: argparse.Namespace, spec, targets, dirs) -> None:
    """The cpp runs a whole run in this process will ask for, started
    before the checks' modules are imported (``frontend.across``): a cold
    default ``check`` imports for as long as its cpp runs take."""
    from abicheck import parallel
    if getattr(args, "shard", None) is None and parallel.workers() <= 1:
        from abicheck.checks.spec_load import spec_inputs
        from abicheck.frontend import across
        hdrs, defs = spec_inputs(spec, args.headers, args.defines)
        across.start(hdrs, targets, dirs, defs)
