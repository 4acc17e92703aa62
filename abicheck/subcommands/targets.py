"""``abicheck targets``: the ABIs abicheck knows (the rows of
``abicheck/data/targets.json``)."""
from __future__ import annotations

import argparse

from abicheck.subcommands import SUMMARIES


def add_parser(sub) -> None:
    tg = sub.add_parser("targets", help=SUMMARIES["targets"])
    tg.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> str:
    from abicheck import __version__
    from abicheck.targets import all_targets
    from abicheck.views import json as jview
    rows = all_targets()
    if args.format == "json":
        doc = {"tool": "abicheck", "version": __version__, "command": "targets", "targets": [
            {"name": t.name, "description": t.description, "aliases": list(t.aliases),
             "triple": t.triple, "kernel_arch": t.kernel_arch, "debian_arch": t.debian_arch,
             "byte_order": t.byte_order, "char_signed": t.char_signed,
             "classes": sorted(t.classes),
             "scalars": {k: {"size": s.size, "align": s.align, "pref_align": s.pref_align}
                         for k, s in t.scalars.items()}} for t in rows]}
        return jview.dumps(doc)
    head = f"{'target':<12} {'endian':<6} {'ptr':>3} {'long':>4} {'llong':>5} {'ldbl':>7}  aliases"
    lines = [head]
    for t in rows:
        ll = t.scalars["long long"]
        ld = t.scalars["long double"]
        lines.append(f"{t.name:<12} {t.byte_order:<6} {t.pointer_size:>3} {t.scalars['long'].size:>4} "
                     f"{str(ll.size) + '/' + str(ll.align):>5} {str(ld.size) + '/' + str(ld.align):>7}  "
                     f"{', '.join(t.aliases)}")
    lines.append("")
    lines.append("llong: size/alignment of long long inside structs; ldbl: long double size/alignment")
    return "\n".join(lines) + "\n"
