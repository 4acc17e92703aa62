"""``abicheck selftest``: the scenarios as a C program to run on a real
kernel (the library side is ``abicheck.fault.selftest``; tools/qemu/ boots it
under Debian kernels and records what they answered)."""
from __future__ import annotations

import argparse

from abicheck.subcommands.options import output_arg


def add_parser(sub) -> None:
    p = sub.add_parser("selftest", help="generate a C program performing scenarios on a real "
                                        "kernel and printing the siginfo it delivers")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO.json",
                   help="scenario files (the simulator's format), run in the order given")
    p.add_argument("--target", default="x86_64", choices=("x86_64", "i386", "x32"),
                   help="the ABI the program is compiled for (default: x86_64); the C needs "
                        "gcc -static, i686-linux-gnu-gcc -static or x86_64-linux-gnux32-gcc "
                        "-static")
    output_arg(p)


def run(args: argparse.Namespace) -> str:
    from abicheck.fault.selftest import generate, load_all

    return generate(load_all(args.scenarios, args.target), args.target)
