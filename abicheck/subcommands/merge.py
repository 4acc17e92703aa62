"""``abicheck merge``: combine the shard results of ``--shard K/N`` runs into
the report, and exit status, of a single run (``abicheck/runs/merge.py``)."""
from __future__ import annotations

import argparse

from abicheck.subcommands import SUMMARIES
from abicheck.subcommands.options import output_arg

MERGE_EPILOG = """\
Each shard is written by the same command line with --shard K/N added
(K = 1..N); merge needs all N, from one run (the same abicheck version,
command, options and items), else it refuses with exit 2.  The report is
byte for byte the one a single run would print, in the format the shards
were asked for (--format) unless --format is given here; the exit status is
the single run's.
"""


def add_parser(sub) -> None:
    mg = sub.add_parser("merge", help=SUMMARIES["merge"],
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Combine the results of 'abicheck CMD ... --shard K/N' "
                                    "runs into one report.", epilog=MERGE_EPILOG)
    mg.add_argument("results", nargs="*", metavar="RESULT.json",
                    help="the shard results, one per shard, in any order")
    mg.add_argument("--format", default=None, metavar="F",
                    help="the report's format (default: the one the shards recorded); one "
                         "of the command's formats")
    output_arg(mg)


def run(args: argparse.Namespace) -> tuple[str, int]:
    from abicheck.runs.merge import merge
    return merge(args.results, args.format)
