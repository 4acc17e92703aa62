"""``abicheck merge``: the shards of one run back into its report.

``shard.gather`` checks the set of shard documents (one run, every shard
once, every item once); the command's own ``assemble`` (``runs/<command>``)
makes the report from the pieces, as a single run does, in the format the
shards recorded unless another is asked for.
"""
from __future__ import annotations

import importlib
from typing import Sequence

from abicheck.errors import AbicheckError, UsageError

#: the commands that write shards, and their planned runs
COMMANDS = ("layout", "check", "diff", "lint", "compat")


def merge(paths: Sequence[str], fmt: str | None = None) -> tuple[str, int]:
    """(the report, the exit status) a single run would have given."""
    from abicheck import shard
    first, pieces = shard.gather(paths)
    if first["of"] not in COMMANDS:
        raise UsageError(f"'{paths[0]}' is a shard of an unknown command '{first['of']}'")
    mod = importlib.import_module(f"abicheck.runs.{first['of']}")
    context = dict(first["context"])
    if fmt is not None:
        if fmt not in mod.formats():
            raise UsageError(f"'abicheck {first['of']}' has no format '{fmt}' (choose from: "
                             f"{', '.join(mod.formats())})")
        context["format"] = fmt
    try:
        return mod.assemble(context, pieces)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as e:
        # the documents' frame was checked, not every value inside the
        # pieces: one edited by hand is bad input (the same assemble runs in
        # every single run, so a bug of its own would show there first)
        raise AbicheckError(f"the shard results are malformed ({type(e).__name__}: {e}); "
                            "write them again with --shard K/N") from None


def formats() -> list[str]:
    """Every format some command renders (``merge --format`` choices)."""
    out: set[str] = set()
    for c in COMMANDS:
        out |= set(importlib.import_module(f"abicheck.runs.{c}").formats())
    return sorted(out)
