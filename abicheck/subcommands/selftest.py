"""``abicheck selftest``: the scenarios as a C program to run on a real
kernel (the library side is ``abicheck.fault.selftest``; tools/qemu/ boots it
under Debian kernels and records what they answered)."""
from __future__ import annotations

import argparse

from abicheck.subcommands import SUMMARIES
from abicheck.subcommands.options import output_arg


def add_parser(sub) -> None:
    p = sub.add_parser("selftest", help=SUMMARIES["selftest"])
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO.json",
                   help="scenario files (the simulator's format), run in the order given")
    p.add_argument("--target", choices=("x86_64", "i386", "x32"),
                   help="the ABI the program is compiled for (default: the scenarios' "
                        "\"target\", else x86_64); the C needs "
                        "gcc -static, i686-linux-gnu-gcc -static or x86_64-linux-gnux32-gcc "
                        "-static")
    p.add_argument("--expect", action="store_true",
                   help="embed the simulator's result for every op; the program then prints "
                        "'check <i> OK' or 'check <i> MISMATCH expected <line>' after each")
    p.add_argument("--kernel", choices=("6.1", "6.12"),
                   help="with --expect: the kernel version whose behaviour the simulator "
                        "models (default: the scenario's, else 6.12)")
    p.add_argument("--headers", dest="headers_set", metavar="SET",
                   help="with --expect: the bundled header set for the blob layout")
    output_arg(p)


def run(args: argparse.Namespace) -> str:
    from abicheck.errors import UsageError
    from abicheck.fault.selftest import expectations, generate, load_all

    target, scenarios = load_all(args.scenarios, args.target)
    if (args.kernel or args.headers_set) and not args.expect:
        raise UsageError("--kernel and --headers choose the simulator's expectation: "
                         "give --expect too")
    expected = None
    if args.expect:
        from abicheck.fault import simulate
        expected = [expectations(s, target, args.kernel, args.headers_set, simulate)
                    for s in scenarios]
    return generate(scenarios, target, expected)
