"""The full expansions of many headers' macros from one cpp run per target.

A constant whose body names other macros (``#define SEGV_PKUERR
(__SI_FAULT|4)``) is valued from cpp's own expansion of it, asked for in a
second, short cpp run: the definitions in force at the end of the unit, then
one probe line per macro (``frontend.macros.MacroTable``).  A tree diff asks
that of some 700 headers per ABI, and each run is a process (~20 ms); the
work inside is small.  So the diff puts the short runs of several headers
of one target into one text, each header's group fenced by ``#pragma
push_macro``/``pop_macro`` of every name it defines, which gives every group
the very macro state its own run starts from (the target's predefined macros
and nothing else), and its probes the line numbers they would have had.

Exactly the lines a run of its own prints, group by group, or the tables'
own runs: a table whose record is not exact (``Preprocessed.macros_exact``),
that uses ``__COUNTER__``, or a batch that cpp refuses (a definition it
rejects, a probe whose expansion fails) is left to ``MacroTable``, which
then runs cpp as it always did.
"""
from __future__ import annotations

from typing import Sequence

from abicheck.checks.diff_same import SameExpansion
from abicheck.errors import AbicheckError
from abicheck.frontend.macros import MacroTable
from abicheck.frontend.preprocess import preprocess

_PROBE = "@@abicheck"            # ``frontend.macros``' probe prefix
_FENCE = "@@abicheck-group"      # never a probe line: those go on with a digit


def _group(table: MacroTable, names: list[str], only: list[int] | None) -> str | None:
    """One table's short run (``MacroTable.probe_group``) as a fenced group
    of the batch, or None when it must run on its own."""
    got = table.probe_group(names, only)
    if got is None:
        return None
    text, kept = got
    if any('"' in d.name for d in kept):
        return None
    push = "".join(f'#pragma push_macro("{d.name}")\n' for d in kept)
    pop = "".join(f'#pragma pop_macro("{d.name}")\n' for d in kept)
    return f"{push}{text}{pop}"


def _table(names: list[str], lines: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in lines:
        if line.startswith(_PROBE):
            _, idx, _, rest = (line.split(None, 3) + [""])[:4]
            out[names[int(idx)]] = rest.strip()
    return out


def expansions(items: Sequence, defines: Sequence[str],
               wanted: Sequence["set[str] | None"] | None = None) -> list[dict[str, str] | None]:
    """``MacroTable(tr, lay).expansions()`` for each translation ``tr`` of
    ``items``, the same dictionaries, from one cpp run per target; None for
    a table that must run on its own (``MacroTable`` then does).  With
    ``wanted`` (per item: the names its caller will look up, None: all),
    only those of each table are expanded: the dictionary then has only
    them (each as the table's own run expands it), and a name an item of an
    earlier target expanded with the same definitions all the way down
    (``diff_same.SameExpansion``) takes that text without asking cpp."""
    out: list[dict[str, str] | None] = [None] * len(items)
    by_target: dict[str, list[int]] = {}
    for k, tr in enumerate(items):
        by_target.setdefault(tr.target.name, []).append(k)
    lenders = _Lenders()
    for members in by_target.values():
        group: list[tuple[int, list[str], str, dict[str, str]]] = []
        for k in members:
            tr = items[k]
            table = MacroTable(tr, None)
            names = table.probed()
            want = None if wanted is None else wanted[k]
            borrowed = {} if want is None else lenders.lend(tr, want)
            only = None if want is None else [i for i, n in enumerate(names)
                                              if n in want and n not in borrowed]
            if not names or only == []:
                out[k] = borrowed
                continue
            text = _group(table, names, only)
            if text is not None:
                group.append((k, names, text, borrowed))
        if group:
            _run(items, group, defines, out)
        if wanted is not None:
            for k in members:
                if out[k] is not None:
                    lenders.keep(items[k], out[k])
    return out


def _run(items: Sequence, group: list, defines: Sequence[str],
         out: list[dict[str, str] | None]) -> None:
    """One cpp run for the fenced groups of one target's tables."""
    tr0 = items[group[0][0]]
    source = "".join(f"{text}{_FENCE} {j}\n" for j, (_, _, text, _) in enumerate(group))
    try:
        lines = preprocess((), tr0.target, (), defines, False,
                           source=source[:-1]).text.splitlines()
    except AbicheckError:
        return                          # each table runs on its own, as it would have
    parts: list[list[str]] = [[]]
    for line in lines:
        if line.startswith(_FENCE):
            parts.append([])
        elif line.startswith(_PROBE):
            parts[-1].append(line)
    if len(parts) != len(group) + 1:
        return
    for (k, names, _, borrowed), part in zip(group, parts):
        out[k] = {**borrowed, **_table(names, part)}


class _Lenders:
    """The expansions cpp gave for earlier targets' tables, by name: a
    table of another ABI (another header, another revision) whose
    definitions reach the same way lends its text (most ABIs define an
    ioctl number's ``_IOC`` family alike; the 32-bit ones differ in
    ``__BITS_PER_LONG``, mips, powerpc, sparc and alpha in ``_IOC_*BITS``).
    A few lenders per name are tried, the latest first."""

    TRIES = 3

    def __init__(self) -> None:
        self._by_name: dict[str, list[tuple[object, dict[str, str]]]] = {}
        self._proofs: dict[tuple[int, int], object] = {}

    def lend(self, tr, want: set[str]) -> dict[str, str]:
        got: dict[str, str] = {}
        for n in want:
            for lender, texts in reversed(self._by_name.get(n, ())[-self.TRIES:]):
                key = (id(lender), id(tr))
                proof = self._proofs.get(key)
                if proof is None:
                    proof = self._proofs[key] = SameExpansion(
                        lender.macro_map, tr.macro_map,
                        lender.pre.macros_exact and tr.pre.macros_exact)
                if proof.macro(n):
                    got[n] = texts[n]
                    break
        return got

    def keep(self, tr, texts: dict[str, str]) -> None:
        for n in texts:
            self._by_name.setdefault(n, []).append((tr, texts))
