"""``abicheck layout``: the memory layout of types on one or more ABIs, as
pahole prints it (one ABI) or as a comparison table (several)."""
from __future__ import annotations

import argparse

from abicheck.subcommands.options import common_header_args, output_arg, targets_or_host


def add_parser(sub) -> None:
    lay = sub.add_parser("layout", help="show the memory layout of types, pahole style")
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
    common_header_args(lay)
    output_arg(lay)


def run(args: argparse.Namespace) -> str:
    from abicheck import api
    from abicheck.views import json as jview
    from abicheck.views import text as tview

    targets = targets_or_host(args)
    translations = {}                   # the byte map's accessors come from each target's macros
    per_type: dict[str, list] = {}
    results = []
    for tr in api.translate_all(args.headers, targets, args.include_dirs, args.defines, args.system):
        t = tr.target
        # default: the records the headers define, else their typedefs; a
        # header that declares neither (glibc's <complex.h>) has nothing to show
        types = args.types or api.declared_records(tr, args.headers) \
            or api.declared_typedefs(tr, args.headers)
        layouts = api.layout_translation(tr, types)
        translations[t.name] = (tr, layouts)
        fields = api.resolve_fields(tr, layouts, args.fields) if args.fields else {}
        results.append((t.name, [jview.type_json(x, fields.get(x.name, ())) for x in layouts]))
        for x in layouts:
            per_type.setdefault(x.name, []).append((x, fields.get(x.name, ())))
    if args.format == "json":
        return jview.dumps(jview.layout_document(results))
    if args.format in ("html", "svg"):     # the byte map (views/bytemap)
        from abicheck.subcommands.options import picture_to_terminal
        from abicheck.views.bytemap.sources import layout_document
        picture_to_terminal(args)
        return layout_document(args.format, args.headers, targets, per_type, translations)
    chunks = []
    if not per_type:
        verb = "declares" if len(args.headers) == 1 else "declare"
        return (f"/* {', '.join(args.headers)} {verb} no struct, union or typedef "
                f"on {', '.join(t.name for t in targets)} */\n")
    for name, items in per_type.items():
        lays = [x for x, _ in items]
        chunks.append(tview.render(lays[0]) if len(lays) == 1 else tview.render_comparison(lays))
        lines = [f"{x.target}: {f['accessor']} -> {f['path']}: offset {f['offset']}, size {f['size']}"
                 + (f", bits {f['bit_offset']}:{f['bit_width']}" if f.get("bit_width") is not None else "")
                 for x, fl in items for f in fl]
        if lines:
            chunks.append("\n".join(lines) + "\n")
    return "\n".join(chunks)
