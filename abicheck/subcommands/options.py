"""Arguments several commands share: include dirs and defines, targets, the
bounds on hostile input, parallelism, ``-o``.  Each command module in this
package adds its own parser with ``add_parser(sub)`` and runs with
``run(args)``; ``abicheck/cli.py`` only dispatches and decides the exit."""
from __future__ import annotations

import argparse

from abicheck.errors import UsageError


def common_header_args(p: argparse.ArgumentParser, default_target: str = "the host",
                        include_help: str = "add an include directory (searched in order)",
                        system: bool = True) -> None:
    p.add_argument("-I", dest="include_dirs", action="append", default=[], metavar="DIR",
                   help=include_help)
    p.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME[=VAL]",
                   help="define a macro for the preprocessor")
    p.add_argument("--target", "-t", action="append", default=[], metavar="T",
                   help="target ABI name, alias, Debian arch or GNU triple; 'all' for every "
                        f"ABI; repeat or comma-separate for several (default: {default_target})")
    if system:
        p.add_argument("--system", action="store_true",
                       help="also search the host compiler's standard include directories")
    bounds_args(p)


def bounds_args(p: argparse.ArgumentParser) -> None:
    """Confinement, bounds and parallelism: every command that reads headers."""
    p.add_argument("--allow-include-outside", action="store_true",
                   help="let #include leave the include directories (absolute paths, '..', "
                        "symlinks); refused by default")
    p.add_argument("--limit", dest="limits", action="append", default=[], metavar="NAME=VALUE",
                   help="raise or lower a bound: input-size, cpp-output (bytes; K/M/G suffix), "
                        "cpp-timeout (seconds), nesting (bracket depth); see the README")
    p.add_argument("-j", "--jobs", type=positive, default=0, metavar="N",
                   help="with N > 1 (or $ABICHECK_JOBS), the (headers, target) items run in N "
                        "processes (at most one per item, per CPU, and 64), and each item's "
                        "preprocessor runs one at a time; without "
                        "it, one process with min(8, CPUs) preprocessor runs at once. Output "
                        "never depends on it")
    cache_args(p)


def cache_args(p: argparse.ArgumentParser) -> None:
    """The persistent cache of parsed headers (``abicheck.cache``)."""
    p.add_argument("--no-cache", action="store_true",
                   help="neither read nor write the cache of parsed headers "
                        "($ABICHECK_CACHE_DIR, else $XDG_CACHE_HOME/abicheck; ABICHECK_CACHE=0 "
                        "turns it off too); output never depends on it")


def output_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the report to FILE (replaced whole, or left alone on error) "
                        "instead of standard output")


def picture_to_terminal(args: argparse.Namespace) -> None:
    """A page or a picture (``--format html|svg``) is for a file or a pipe,
    not a terminal: refuse before any work rather than flood the screen."""
    import sys
    if not getattr(args, "output", None) and sys.stdout.isatty():
        raise UsageError(f"--format {args.format} writes a document: give -o FILE "
                         "(or redirect standard output)")


def positive(text: str) -> int:
    """A positive integer in ASCII digits (``str.isdigit`` takes '\u0663' and
    '\u00b2' too)."""
    import re
    if not re.fullmatch(r"[0-9]{1,6}", text, re.ASCII) or int(text) <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not '{text}'")
    return int(text)


def targets_or_host(args: argparse.Namespace) -> list:
    """The ``--target`` selection, or the host's ABI when none is given."""
    from abicheck.targets import host_target, select_targets
    if not args.target:
        return [host_target()]
    return select_targets(args.target)


def shard_args(p: argparse.ArgumentParser) -> None:
    """``--shard K/N``: compute one CI runner's part of the run and write it
    as a shard document for ``abicheck merge`` (see ``abicheck/shard.py``)."""
    p.add_argument("--shard", metavar="K/N", type=shard_spec,
                   help="compute only shard K of N (N <= 10000) of the (headers, target) items "
                        "and write "
                        "them as JSON for 'abicheck merge' (--format becomes the merged "
                        "report's default)")


def shard_spec(text: str) -> str:
    """``--shard``'s value, checked when the command line is read (an empty
    one too: it is not 'no shard')."""
    from abicheck import shard
    try:
        shard.parse(text)
    except UsageError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix("abicheck: error: ")) from None
    return text


def run_planned(args: argparse.Namespace, plan) -> tuple[str, int]:
    """A planned run (``abicheck.runs``): the whole of it, or with ``--shard``
    one shard's document (exit 0: the verdict is the merge's)."""
    if getattr(args, "shard", None) is not None:
        from abicheck import shard
        k, n = shard.parse(args.shard)
        return shard.run_shard(plan, k, n), 0
    from abicheck.runs import run_plan
    return run_plan(plan)
