"""``abicheck layout``: the memory layout of types on one or more ABIs, as
pahole prints it (one ABI) or as a comparison table (several), with
pahole's options: shaping its text (-E, --hex, -r, -c), selecting records
(--structs, --unions, -H, -B) and what reordering would save (-P, per
target).  A filter keeps a record that passes it on at least one target."""
from __future__ import annotations

import argparse
import dataclasses

from abicheck.errors import UsageError
from abicheck.subcommands import SUMMARIES
from abicheck.subcommands.options import (common_header_args, output_arg, picture_to_terminal, positive,
                                          run_planned, shard_args, targets_or_host)


def add_parser(sub) -> None:
    lay = sub.add_parser("layout", help=SUMMARIES["layout"])
    lay.add_argument("headers", nargs="+", metavar="HEADER",
                     help="a header file, or an include name resolved through -I (asm/siginfo.h)")
    lay.add_argument("--type", dest="types", action="append", default=[], metavar="NAME",
                     help="typedef name, 'struct TAG' or 'union TAG' (repeatable; default: "
                          "every struct and union the named headers define, else their typedefs)")
    lay.add_argument("--field", dest="fields", action="append", default=[], metavar="ACCESSOR",
                     help="report a member by its public name (si_pkey) or path (repeatable)")
    lay.add_argument("--format", choices=("text", "json", "html", "svg"), default="text",
                     help="html, svg: a byte map, one row per group of targets with identical "
                          "layout (with -o FILE)")
    pahole_args(lay)
    common_header_args(lay)
    shard_args(lay)
    output_arg(lay)


def pahole_args(lay: argparse.ArgumentParser) -> None:
    """pahole 1.24's options, spelled as pahole spells them (its -x is
    --exclude, so hexadecimal is --hex only)."""
    g = lay.add_argument_group("pahole's options (views/pahole_options.py)")
    g.add_argument("-E", "--expand_types", action="store_true",
                   help="expand members of named struct, union and typedef types in place")
    g.add_argument("--hex", action="store_true", help="offsets and sizes in hexadecimal")
    g.add_argument("-r", "--rel_offset", action="store_true",
                   help="offsets of members of inner records relative to that record")
    g.add_argument("-c", "--cacheline_size", type=positive, default=64, metavar="SIZE",
                   help="cacheline size for the markers and the summary (default: 64)")
    g.add_argument("-H", "--holes", type=positive, default=0, metavar="N",
                   help="only structs with at least N holes")
    g.add_argument("-B", "--bit_holes", type=positive, default=0, metavar="N",
                   help="only structs with at least N bit holes")
    g.add_argument("--structs", action="store_true", help="only structs")
    g.add_argument("--unions", action="store_true", help="only unions")
    g.add_argument("-P", "--packable", action="store_true",
                   help="only structs that reordering would shrink: name, size, reordered "
                        "size, bytes saved (per target with several)")
    g.add_argument("--show-only-differences", action="store_true",
                   help="several targets: only the comparison rows that differ")


def run(args: argparse.Namespace) -> str | tuple[str, int]:
    """The plain text and JSON views run as planned items (``abicheck.runs``:
    ``-j N`` processes, ``--shard K/N``); pahole's options and the byte map
    shape live layouts of every target at once, so they run in this process."""
    from abicheck.views import pahole_options as popts

    if args.format in ("html", "svg"):     # a document for a terminal: refused before any work
        picture_to_terminal(args)
    targets = targets_or_host(args)
    text_opts, sel = popts.from_args(args, len(targets))
    shaped = (text_opts != popts.TextOptions() or sel.active or args.show_only_differences
              or args.format not in ("text", "json"))
    if not shaped:
        from abicheck.runs import layout as planned
        return run_planned(args, planned.plan(
            args.headers, targets, args.types, args.fields, args.include_dirs, args.defines,
            args.system, args.format, args.format == "text" or bool(args.shard)))
    if args.shard:
        raise UsageError("--shard splits the plain text and JSON views; pahole's options and "
                         "--format html/svg need every target's layouts in one run")
    return _shaped(args, targets, text_opts, sel)


def _shaped(args: argparse.Namespace, targets, text_opts, sel) -> str:
    from abicheck import api
    from abicheck.views import json as jview
    from abicheck.views import packable
    from abicheck.views import text as tview
    from abicheck.views.layout_selection import select

    shown = select(api.translate_all(args.headers, targets, args.include_dirs, args.defines, args.system),
                   args.headers, args.types, args.fields, sel)
    per_type = shown.per_type
    if sel.packable:
        return packable.packable_lines(
            [(packable.record_name(per_type[n][0][0]), shown.sizes[n]) for n in per_type],
            [t.name for t in targets])
    if args.format == "json":
        return jview.dumps(jview.layout_document(
            [(t, [jview.type_json(x, fl) for x, fl in shown.on_target(t)]) for t in shown.translations]))
    if args.format in ("html", "svg"):     # the byte map (views/bytemap)
        from abicheck.views.bytemap.sources import layout_document
        return layout_document(args.format, args.headers, targets,
                               {n: [(x, fl) for x, fl, _ in v] for n, v in per_type.items()},
                               shown.translations, filtered=sel.active)
    chunks = []
    if not per_type:
        if sel.active:
            return f"/* no record of {', '.join(args.headers)} passes the filters on " \
                f"{', '.join(t.name for t in targets)} */\n"
        verb = "declares" if len(args.headers) == 1 else "declare"
        return (f"/* {', '.join(args.headers)} {verb} no struct, union or typedef "
                f"on {', '.join(t.name for t in targets)} */\n")
    for name, items in per_type.items():
        lays = [x for x, _, _ in items]
        if len(lays) == 1:
            opts = dataclasses.replace(text_opts, layouter=items[0][2])
            chunks.append(tview.render(lays[0], opts))
        else:
            chunks.append(tview.render_comparison(lays, args.show_only_differences))
        lines = [tview.field_line(x.target, f) for x, fl, _ in items for f in fl]
        if lines:
            chunks.append("\n".join(lines) + "\n")
    return "\n".join(chunks)
