"""A run cut into items: what ``-j N`` spreads over processes and
``--shard K/N`` spreads over CI runners.

Each command that reads headers on many ABIs (layout, check, diff, lint,
compat) makes a ``Plan``: the items of its run in the order a single
process takes them (``keys`` name them), a ``compute`` that turns one item
into a *piece* (plain JSON values: what that item found, its errors as
data), and an ``assemble`` that turns every piece, in item order, into the
command's output and exit status.  A single run is
``assemble(compute(i) for i in items)``; ``-j N`` computes the pieces in N
processes (``abicheck.parallel``); a shard computes some of them and writes
them out (``abicheck.shard``), and ``abicheck merge`` assembles them all.
One ``assemble`` serves all three, so their outputs are the same bytes by
construction, and an error is reported by ``assemble`` as a single run
reports it: the first bad input in item order wins.

An item is what can be computed alone:

- ``layout``, ``check``, ``compat``: one target (the headers named form one
  translation unit, so a target is the pair (headers, target));
- ``diff``: one target, both revisions (what a target's changes are
  depends on every header of it: a header that stops compiling hides what
  it declares);
- ``lint``: one header on every target (the multi-ABI rules compare a
  header across targets), ``--since`` OLD's headers as items of their own.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence


@dataclass
class Plan:
    """One command's run as items.  ``context`` (plain JSON) is everything
    ``assemble`` needs besides the pieces, and identifies the run (with
    ``keys``) so that shards of different runs are never merged."""

    command: str
    context: dict
    keys: list[str]
    items: list
    compute: Callable[[Any], dict]
    assemble: Callable[[dict, Sequence[dict]], tuple[str, int]]
    #: the formats ``assemble`` renders (``context["format"]`` is one)
    formats: Sequence[str] = field(default_factory=tuple)
    #: computes the pieces of several items in one process at once (their cpp
    #: runs overlapped); the same pieces as ``compute`` one by one
    batch: Callable[[list], list[dict]] | None = None


def run_plan(plan: Plan) -> tuple[str, int]:
    """The whole run here: every piece (in processes when ``-j N`` asks),
    then the output."""
    from abicheck import parallel
    return plan.assemble(plan.context, parallel.compute_all(plan))
