"""``abicheck simulate``: run a fault scenario against the kernel model
(``abicheck.fault``) and print what each op did and the siginfo bytes each
faulting access delivers."""
from __future__ import annotations

import argparse

from abicheck.subcommands import SUMMARIES

EPILOG = """\
formats:
  text  one line per op; a fault as strace prints its siginfo, and the blob in hex
  json  {"scenario", "target", "headers", "kernel", "paging", "results": [...]} with blob_hex
        per fault
  hex   the 128-byte blob of each faulting access, one line each, in op order
  bin   those blobs as raw bytes, one after another
exit status: 0 simulated; 2 bad input (file: ops[N].field: error: ...)
"""


def add_parser(sub) -> None:
    KERNELS, PAGING = ("6.1", "6.12"), ("4-level", "5-level")   # checked: tests/fault/test_cli.py
    from abicheck.subcommands.options import output_arg
    p = sub.add_parser("simulate", help=SUMMARIES["simulate"],
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    p.add_argument("scenario", metavar="SCENARIO.json")
    p.add_argument("--target", "-t", metavar="T",
                   help="the ABI (default: the scenario's 'target', else x86_64)")
    p.add_argument("--headers", dest="headers_set", metavar="SET",
                   help="bundled header set whose siginfo_t lays out the blob "
                        "(default: the scenario's, else linux-6.6)")
    p.add_argument("--kernel", choices=KERNELS,
                   help="kernel version whose behaviour is modelled (default: the scenario's, "
                        "else 6.12)")
    p.add_argument("--paging", choices=PAGING,
                   help="x86-64 page tables: where the user half ends (default: the "
                        "scenario's, else 4-level; 5-level as on LA57 CPUs and qemu -cpu max)")
    p.add_argument("--format", choices=("text", "json", "hex", "bin"), default="text")
    output_arg(p)


def run(args: argparse.Namespace):
    from abicheck.blobs.context import context
    from abicheck.blobs.decode import decode
    from abicheck.blobs.strace import siginfo_text
    from abicheck.fault import render
    from abicheck.fault.scenario import load
    from abicheck.fault.simulate import choose, simulate

    scen = load(args.scenario)
    tgt, hset, kv = choose(scen, args.target, args.headers_set, args.kernel, args.scenario)
    paging = args.paging or scen.get("paging") or "4-level"
    results = simulate(scen, target=tgt.name, headers=hset, kernel=kv, file=args.scenario,
                       paging=paging)
    if args.format == "json":
        meta = {"scenario": args.scenario, "target": tgt.name, "headers": hset, "kernel": kv,
                "paging": paging}
        return render.as_json(results, meta)
    if args.format == "hex":
        return render.hex_lines(results)
    if args.format == "bin":
        return render.binary(results)
    head = f"# {args.scenario}: {tgt.name}, kernel {kv}, siginfo_t of {hset}"
    cx = context("siginfo_t", tgt, hset)
    return render.text(results, scen["ops"], head, lambda blob: siginfo_text(decode(cx, blob)))
