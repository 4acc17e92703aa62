"""Rewrite and split a preprocessed text one stretch between line markers
at a time, each distinct stretch once per process.

Why: ``gnu.rewrite`` and ``chunks.split`` read the whole text of every
header, and every uapi header's text repeats the files it includes: over
the 608 x86_64 headers 7.0 MB of text hold ~1 MB of distinct stretches,
and the two passes were a fifth of a cold run's main thread.

A run of text (one stretch, or several in a row) is taken on its own when
nothing of the two passes can reach across its ends, checked, not
assumed, on the run itself:

- its rewritten text splits whole (``chunks.split`` raises nothing): its
  brackets balance, and it ends after a declaration's ``;`` with nothing
  but blanks after it, so ``rewrite``'s attribute and ``asm`` groups, the
  function bodies ``strip_function_bodies`` takes out and every
  declaration ``split`` cuts close inside it;
- no ``]]`` stands right before a ``{`` in it once its spellings are
  rewritten: whether a ``{`` opens a function body is then read from the
  one token before it (``gnu._ends_declarator``), the same with or without
  what precedes the run (with lists before it, how far back the tokens
  kept reach would depend on how many came before);
- it starts with a line marker (which sets the file and line ``split``
  numbers by), or at the start of the text;
- before its first ``;``, ``{`` or ``}`` it has no ``:``: the bitfield
  attribute hoisting (``gnu._hoist_bitfield_attributes``) matches from a
  ``;`` or ``{`` up to a ``:``, and would otherwise reach from the run
  before into this one.

A stretch that does not pass is taken together with the next (and, for
the last condition, with the one before), up to ``_LONGEST`` stretches;
past that, or when the end of the text is never reached this way, the
text is rewritten and split whole, as before.  The result is the pieces
``split`` gives of the whole rewritten text, piece for piece
(tests/frontend/test_segments.py holds real corpus texts to it, and texts
made to reach across a stretch's end in each of the ways above).

Measured (608 x86_64 uapi headers, cold, one process, cache off): 3,437
distinct runs of 142,000 stretches; rewrite + split 0.46 -> 0.20 CPU s,
the process 2.59 -> 2.33 CPU s.
"""
from __future__ import annotations

import re
import threading

from abicheck.frontend import chunks, gnu

#: off (False): every text rewritten and split whole
ENABLED = True

#: where a stretch starts: a line marker as cpp writes one (its line number)
_MARKER = re.compile(r'^# ([0-9]+) "', re.M)
#: an attribute list right before a brace, as ``strip_function_bodies``
#: reads tokens (what stands between is none: blanks, numbers, operators)
_LIST_BEFORE_BRACE = re.compile(r"""\]\][^A-Za-z_(){};\[\]=,"'#]*\{""")
_DECLARATION_END = re.compile(r"[;{}]")
#: stretches taken together at most before giving up on the text
_LONGEST = 8

#: a run's key -> (its pieces, whether ':' comes before its first ';{}'),
#: or None when the run cannot stand alone.  A one-stretch run is keyed
#: by its text after the marker's line number, and its pieces are
#: numbered from line 0 (a file's stretch met again at another line
#: needs no new rewrite); a longer run by its text; a run at the start
#: of the text by (name, text).
_MEMO: dict = {}
_MEMO_LIMIT = 50_000
_LOCK = threading.Lock()


def clear() -> None:
    """Forget the runs seen."""
    _MEMO.clear()


def pieces(text: str, name: str) -> list[tuple[str, str, int, int]] | None:
    """What ``chunks.split(gnu.rewrite(text), name)`` gives, or None when
    the text is to be rewritten and split whole."""
    if not ENABLED or '"' in name or "\\" in name or "\n" in name:
        return None                 # a name ``split`` refuses: whole, as before
    marks = list(_MARKER.finditer(text))
    cuts = [mt.start() for mt in marks]
    lines = [int(mt.group(1)) for mt in marks]
    numbered = [mt.end(1) for mt in marks]
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
        lines.insert(0, 0)
        numbered.insert(0, -1)
    cuts.append(len(text))
    firsts: list[int] = []      # the cut each run taken starts at
    taken: list[tuple] = []     # and what it gave, with the line it is numbered from
    first, k = 0, 1             # the run is text[cuts[first]:cuts[k]]
    while k < len(cuts):
        res, line = _run(text, cuts, lines, numbered, first, k, name)
        if res is None:
            k += 1
            if k - first > _LONGEST:
                return None
            continue
        if res[1] and firsts:
            # a ':' before the run's first declaration end: the hoisting could
            # reach here from the run before; take both together
            first = firsts.pop()
            taken.pop()
            if k - first > _LONGEST:
                return None
            continue
        firsts.append(first)
        taken.append((res[0], line))
        first, k = k, k + 1
    if first != len(cuts) - 1:
        return None
    out: list[tuple[str, str, int, int]] = []
    for got, line in taken:
        if line:
            out += [(src, file, ln + line, col) for src, file, ln, col in got]
        else:
            out += got
    return out


def _run(text: str, cuts: list[int], lines: list[int], numbered: list[int], first: int, k: int,
         name: str) -> tuple[tuple | None, int]:
    """(what the run from cut ``first`` to cut ``k`` gives, the line its
    pieces are numbered from)."""
    start, end = cuts[first], cuts[k]
    if start == 0 and numbered[0] < 0:
        key: object = (name, text[:end])
        run, line = text[:end], 0
    elif k == first + 1:
        key = text[numbered[first]:end]
        run, line = None, lines[first]
    else:
        key = text[start:end]
        run, line = key, 0
    hit = _MEMO.get(key, _MEMO)
    if hit is not _MEMO:
        return hit, line
    res = _alone("# 0" + key if run is None else run, name if start == 0 else "<run>")
    with _LOCK:
        if len(_MEMO) >= _MEMO_LIMIT:
            _MEMO.clear()
        _MEMO[key] = res
    return res, line


def _alone(run: str, name: str) -> tuple[tuple, bool] | None:
    """What ``pieces`` takes from ``run`` when it can stand alone."""
    spelled = gnu.rewrite_spellings(run)
    if _LIST_BEFORE_BRACE.search(spelled):
        return None
    rewritten = gnu.rewrite_bodies(spelled)
    try:
        got = tuple(chunks.split(rewritten, name))
    except chunks.Unusual:
        return None
    end = _DECLARATION_END.search(rewritten)
    return got, ":" in rewritten[:end.start() if end else len(rewritten)]
