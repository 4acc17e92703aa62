"""``abicheck encode``: fields to the bytes of a record on one ABI.

``--format bin`` (the default) writes the raw bytes, to ``-o FILE``
(atomically) or to standard output when that is not a terminal: a binary
blob on a terminal would garble it, so that is refused (use ``-o``, a pipe,
or ``--format hex``).  ``hex`` writes one line of hex digits, ``json`` every
field with its offset, size, bytes and value (strict JSON: non-finite floats
as the strings ``"nan"``, ``"inf"``, ``"-inf"``)."""
from __future__ import annotations

import argparse
import json
import sys

from abicheck.errors import UsageError
from abicheck.subcommands import SUMMARIES
from abicheck.subcommands.blobopts import blob_args, blob_context
from abicheck.subcommands.options import output_arg


def add_parser(sub) -> None:
    p = sub.add_parser("encode", help=SUMMARIES["encode"])
    p.add_argument("headers", nargs="*", metavar="HEADER",
                   help="a header file or include name (default: --headers SET's siginfo header)")
    blob_args(p)
    p.add_argument("--set", dest="fields", action="append", default=[], metavar="FIELD=VALUE",
                   help="a field (accessor such as si_pkey, or member path) and its value: a "
                        "number in any base or a constant the headers define (SEGV_PKUERR)")
    p.add_argument("--format", default="bin", choices=("bin", "hex", "json"))
    output_arg(p)


def run(args: argparse.Namespace):
    from abicheck.blobs.decode import decode
    from abicheck.blobs.encode import encode_values
    from abicheck.blobs.values import parse_assignments, typed_fields

    pairs = parse_assignments(args.fields)
    cx = blob_context(args, list(args.headers))
    seen = set()
    for name, _ in pairs:
        if name in seen:
            raise UsageError(f"--set {name} is given twice")
        seen.add(name)
    blob = encode_values(cx, typed_fields(cx, dict(pairs)))
    if args.format == "hex":
        return blob.hex() + "\n"
    if args.format == "json":
        doc = decode(cx, blob).to_json()
        doc["hex"] = blob.hex()
        return json.dumps(doc, indent=2, allow_nan=False) + "\n"
    if not args.output and sys.stdout.isatty():
        raise UsageError("refusing to write a binary blob to a terminal: use -o FILE, a pipe, "
                         "or --format hex")
    return blob
