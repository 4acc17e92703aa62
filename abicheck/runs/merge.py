"""``abicheck merge``: the shards of one run back into its report.

``shard.gather`` checks the set of shard documents (one run, every shard
once, every item once); the command's own ``assemble`` (``runs/<command>``)
makes the report from the pieces, as a single run does, in the format the
shards recorded unless another is asked for.
"""
from __future__ import annotations

import importlib
from typing import Sequence

from abicheck.errors import AbicheckError, SourceLoc, UsageError

#: the commands that write shards, and their planned runs
COMMANDS = ("layout", "check", "diff", "lint", "compat")


def merge(paths: Sequence[str], fmt: str | None = None) -> tuple[str, int]:
    """(the report, the exit status) a single run would have given."""
    from abicheck import shard
    first, pieces = shard.gather(paths)
    if not isinstance(first["of"], str) or first["of"] not in COMMANDS:
        raise UsageError(f"'{paths[0]}' is a shard of an unknown command")
    mod = importlib.import_module(f"abicheck.runs.{first['of']}")
    context = dict(first["context"])
    if fmt is not None:
        if fmt not in mod.formats():
            raise UsageError(f"'abicheck {first['of']}' has no format '{fmt}' (choose from: "
                             f"{', '.join(mod.formats())})")
        context["format"] = fmt
    try:
        return mod.assemble(context, pieces)
    except _MALFORMED:
        # the documents' frame was checked, not every value inside the
        # pieces: one edited by hand is bad input (the same assemble runs in
        # every single run, so a bug of its own would show there first)
        raise AbicheckError("the shard results are malformed (edited?): write them again "
                            "with --shard K/N", SourceLoc(_culprit(mod, context, paths))) from None


_MALFORMED = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def _culprit(mod, context: dict, paths: Sequence[str]) -> str:
    """The first file whose pieces alone cannot be assembled (else the
    first file): the one line names a file, never a Python type."""
    from abicheck import shard
    for path, pieces in shard.origins(paths):
        try:
            mod.assemble(context, pieces)
        except _MALFORMED:
            return path
        except Exception:       # noqa: BLE001 - any other refusal says nothing of this file
            continue
    return paths[0]


def formats() -> list[str]:
    """Every format some command renders (``merge --format`` choices)."""
    out: set[str] = set()
    for c in COMMANDS:
        out |= set(importlib.import_module(f"abicheck.runs.{c}").formats())
    return sorted(out)
