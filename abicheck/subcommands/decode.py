"""``abicheck decode``: the bytes of a record on one ABI, as fields.

Text: a ``siginfo_t`` (any type the spec gives tagged-union rules) the way
strace prints it, with names from the target's headers; any other record
member by member, nested (pahole's ``--prettify`` style).  JSON: every
decoded field with its offset, size, bytes and value; strict JSON (RFC
8259): a NaN or infinite float is the string ``"nan"``, ``"inf"`` or
``"-inf"``, which ``--set`` reads back.  A blob with an
unknown code still decodes; the output says the code is unknown."""
from __future__ import annotations

import argparse
import json

from abicheck.subcommands import SUMMARIES
from abicheck.subcommands.blobopts import blob_args, blob_context, read_blob, split_inputs
from abicheck.subcommands.options import output_arg


def add_parser(sub) -> None:
    p = sub.add_parser("decode", help=SUMMARIES["decode"])
    p.add_argument("inputs", nargs="*", metavar="BLOB [HEADER]",
                   help="the blob (a file, - for standard input; none with --hex), then headers")
    p.add_argument("--hex", metavar="STRING", help="the blob as hex digits")
    blob_args(p)
    p.add_argument("--format", default="text", choices=("text", "json"))
    output_arg(p)


def run(args: argparse.Namespace) -> str:
    from abicheck.blobs.decode import decode, nested
    from abicheck.blobs.prettify import prettify
    from abicheck.blobs.strace import siginfo_text

    source, headers = split_inputs(args)
    blob, _ = read_blob(source, args.hex)
    cx = blob_context(args, headers)
    d = decode(cx, blob)
    if args.format == "json":
        return json.dumps(d.to_json(), indent=2, allow_nan=False) + "\n"
    if cx.tagged is not None:
        return siginfo_text(d) + "\n"
    return prettify(d.cx, nested(d.cx, blob))
