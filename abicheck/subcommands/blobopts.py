"""Arguments and input shared by ``encode``, ``decode`` and ``validate``:
the type, the one target, the headers (a bundled set, default the current
kernel's, or HEADER... with -I/-D), and reading a blob (a file, ``-`` for
standard input, or ``--hex``)."""
from __future__ import annotations

import argparse
import sys

from abicheck.errors import UsageError
from abicheck.subcommands.options import common_header_args


def blob_args(p: argparse.ArgumentParser) -> None:
    from abicheck.blob_defaults import DEFAULT_SET, DEFAULT_TYPE
    p.add_argument("--type", dest="type", default=DEFAULT_TYPE, metavar="NAME",
                   help=f"typedef name, 'struct TAG' or 'union TAG' (default: {DEFAULT_TYPE})")
    p.add_argument("--headers", dest="headers_set", metavar="SET",
                   help="a bundled header set (linux-6.6, pkeys-u8-reserved ...) or a header "
                        f"directory, searched first (default without HEADER: {DEFAULT_SET})")
    common_header_args(p, system=False)
    one_target_help(p, "required")


def one_target_help(p: argparse.ArgumentParser, default: str) -> None:
    """``--target`` of a command for exactly one ABI (no 'all', no list)."""
    for action in p._actions:
        if action.dest == "target":
            action.help = f"the target ABI (name, alias, Debian arch or GNU triple); {default}"


def one_target(args: argparse.Namespace, why: str, default=None):
    """The one target the arguments name (``default`` when none is given)."""
    from abicheck.targets import select_targets
    if not args.target:
        if default is not None:
            return default
        raise UsageError(f"{args.command} needs --target T ({why})")
    if len(args.target) > 1 or any("," in t or t == "all" for t in args.target):
        raise UsageError(f"{args.command} takes one --target ({why})")
    (target,) = select_targets(args.target)
    return target


def blob_context(args: argparse.Namespace, headers: list[str], spec: str | None = None):
    """The blob context the arguments name (exactly one target)."""
    from abicheck.blobs import DEFAULT_SET, context
    target = one_target(args, "a blob is for one ABI")
    hset = args.headers_set or (None if headers else DEFAULT_SET)
    return context(args.type, target, hset, headers, args.include_dirs, args.defines, spec)


def read_blob(source: str | None, hex_text: str | None) -> tuple[bytes, str | None]:
    """(bytes, the name findings cite) from a file, ``-`` or ``--hex``."""
    from abicheck import limits
    cap = limits.active().input_size
    if hex_text is not None:
        text = "".join(hex_text.split())
        if text[:2].lower() == "0x":
            text = text[2:]
        try:
            data = bytes.fromhex(text)
        except ValueError:
            raise UsageError("--hex: not a string of hex digits (two per byte)") from None
        from abicheck.checks.blob import HEX_NAME
        return data, HEX_NAME
    if source is None:
        raise UsageError("no blob: give BLOB (a file, - for standard input) or --hex STRING")
    if source == "-":
        data = sys.stdin.buffer.read(cap + 1)
        name = "<stdin>"
    else:
        try:
            with open(source, "rb") as f:
                data = f.read(cap + 1)
        except OSError as e:
            raise UsageError(f"cannot read '{source}': {e.strerror}") from None
        name = source
    if len(data) > cap:
        raise UsageError(f"{name}: more than the input limit of {cap} bytes (see --limit input-size)")
    return data, name


def split_inputs(args: argparse.Namespace) -> tuple[str | None, list[str]]:
    """(BLOB, HEADER...) from the positionals: with --hex all are headers."""
    inputs = list(args.inputs)
    if getattr(args, "hex", None) is not None:
        return None, inputs
    if not inputs:
        return None, []
    return inputs[0], inputs[1:]
