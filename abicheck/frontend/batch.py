"""Many headers through one gcc process, each exactly as its own run.

A ``gcc -E`` run costs about 8 ms, nearly all of it process start-up (cc1
needs well under a millisecond for a uapi header), and a corpus run makes
hundreds.  Here the headers of jobs that share a target, include
directories and roots go through one process whose main file includes them
in turn, and its output is cut into one ``Preprocessed`` per job that is
byte for byte what ``preprocess`` of that job alone would return.

Between two headers the main file resets cpp: every macro the previous
header may have defined (``batch_scan``) is ``#undef``'d and a command-line
macro it may have changed is defined again; ``#line 1`` makes the main
file's line markers read as in a run of its own.  Nothing is taken on trust:

- the macro state at the start of each header is rebuilt from the batch's
  own ``-dD`` record and must equal the initial one, else the batch is cut
  there and the rest runs in a new batch (the names missed are reset from
  then on);
- each header's diagnostics are told apart by ``#warning`` separators on
  stderr; a header with any diagnostic at all, one that reaches a fatal
  error (it ends the batch: the rest goes into a new one), one whose output
  passes ``cpp-output``, or one that fails confinement, is run alone, which
  gives today's error and partial output exactly;
- state ``-dD`` cannot show (``#pragma once``, ``push_macro``, ``poison``,
  ``#assert``) ends the batch after the header that entered such a file
  or may have expanded a macro holding ``_Pragma`` (``batch_pragma``),
  and a ``__COUNTER__`` user runs alone unless it comes first;
- gcc knows a file is guarded per include entry (where its search began,
  the name as written), so a header that may reach a file two ways
  (``batch_scan.Closure``) starts a new batch when an earlier header
  entered that file: the second way may be skipped unseen, where a run
  alone enters it again (i386's linux/kfd_ioctl.h after drm/amdgpu_drm.h).

``cpp-timeout`` and ``cpp-output`` bound each header's share of the run
(the time and output since the previous separator), as for a run alone.
Measured (608 x86_64 uapi headers, before ``batch_pragma``): one gcc
process per header 5.0 s of CPU, batched 2.0 s; 24 headers a batch is as
good as 8, 64 is worse (more re-runs).
"""
from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

from abicheck import limits
from abicheck.errors import AbicheckError
from abicheck.frontend import batch_pragma, batch_proc, batch_scan, confine
from abicheck.frontend.cpp_output import MAIN, Preprocessed, _split_defines, split_after
from abicheck.frontend.moment import one_moment
from abicheck.frontend.preprocess import _check_inputs, _gcc, bundled_include_dir, main_source
from abicheck.targets import Target

#: headers per gcc process: large enough that start-up stops mattering,
#: small enough that the parser gets its first texts early
BATCH = 24
#: what cpp's own macros (``-undef`` keeps these) or a -dD reset cannot undo
_UNRESETTABLE = frozenset({
    "defined", "__FILE__", "__LINE__", "__COUNTER__", "__DATE__", "__TIME__", "__TIMESTAMP__",
    "__INCLUDE_LEVEL__", "__BASE_FILE__", "__FILE_NAME__", "_Pragma", "__VA_ARGS__", "__VA_OPT__",
    "__has_include", "__has_include_next", "__has_attribute", "__has_cpp_attribute",
    "__has_c_attribute", "__has_builtin"})
_MAIN_START = b'\n# 1 "<stdin>"\n'
#: a name cpp's -dD record defines or undefines, with the line break
#: before it (a literal the regex engine skips to: ``^`` with ``re.M`` is
#: tried at every character), read from output decoded as Latin-1 (one
#: character a byte: names as str without a decode each) with ASCII ``\w``
_TOUCHED = re.compile(r"\n#(?:define|undef) ([A-Za-z_]\w*)", re.A)

STANDALONE, REQUEUE = "standalone", "requeue"


@dataclass
class _Part:
    """One job's headers as a part of a batched cpp run, and what the next part must reset."""

    index: int                      # the caller's position
    headers: tuple[str, ...]
    main: str                       # main_source(headers)
    roots: confine.Roots | None
    names: frozenset[str]
    entries: frozenset[str]         # files it may reach two ways (``batch_scan.Closure``)
    #: the reset after it with nothing learned: (names, their #undef
    #: lines, the names as a set), made once (a part runs again in every
    #: batch a REQUEUE before it starts: 1330 resets for 608 x86_64 headers)
    reset: tuple[list[str], str, frozenset[str]] | None = None


@dataclass
class _Group:
    """What every part of one batch shares."""

    target: Target
    dirs: list[str]
    macros: dict[str, str]
    lim: limits.Limits
    learned: set[str] = field(default_factory=set)  # names the scan missed, seen in -dD
    restore: dict[str, str] = field(default_factory=dict)  # _initial(macros), made once
    #: one ``Roots`` (and its memo of verdicts) for every part naming the same folders
    roots: dict[tuple[str, ...], confine.Roots] = field(default_factory=dict)
    #: per ``Roots`` (by id; None: no confinement), the entries that passed
    #: ``confine.check_entries`` in this group (its ``passed``)
    passed: dict[int, set[tuple[str, str, int]]] = field(default_factory=dict)


def preprocess_group(headers: Sequence[Sequence[str]], target: Target, include_dirs: Sequence[str],
                     defines: Sequence[str], roots: Sequence[str] = ()
                     ) -> Iterator[tuple[int, Preprocessed | None]]:
    """(position, result) for each of ``headers`` (the header lists of jobs
    sharing everything else), in order; None where the job must run alone
    (``preprocess``): a failure, a diagnostic, anything batching cannot
    reproduce exactly."""
    lim = limits.active()
    if (os.environ.get("ABICHECK_CPP") == "pcpp" or not _gcc()
            or not all(os.path.isdir(d) for d in include_dirs)):
        yield from ((i, None) for i in range(len(headers)))
        return
    try:
        macros = batch_proc.command_macros(target, defines)
    except AbicheckError:
        macros = None
    if macros is None or any("__COUNTER__" in k + v or "_Pragma" in v for k, v in macros.items()):
        yield from ((i, None) for i in range(len(headers)))
        return
    dirs = [*include_dirs, bundled_include_dir()]
    group = _Group(target, dirs, macros, lim, restore=_initial(macros))
    pending: list[_Part] = []
    for i, hs in enumerate(headers):
        try:
            _check_inputs(hs, None, lim)
        except AbicheckError:
            yield from _drain(group, pending)
            pending = []
            yield i, None
            continue
        part_roots = None
        if not lim.allow_include_outside:
            key = (*dirs, *confine.header_roots(hs), *roots)
            part_roots = group.roots.get(key) or group.roots.setdefault(key, confine.Roots(key))
        reach = batch_scan.closure(tuple(hs), tuple(dirs))
        pending.append(_Part(i, tuple(hs), main_source(hs), part_roots, reach.names, reach.entries))
    yield from _drain(group, pending)


def _drain(group: _Group, parts: list[_Part]) -> Iterator[tuple[int, Preprocessed | None]]:
    while parts:
        chunk = parts[:BATCH]
        results = _run_batch(group, chunk) if len(chunk) > 1 else [STANDALONE]
        for part, res in zip(chunk, results):
            if res == REQUEUE:
                break
            yield part.index, res if isinstance(res, Preprocessed) else None
        done = next((k for k, r in enumerate(results) if r == REQUEUE), len(chunk))
        parts = parts[done:]


def _initial(macros: dict[str, str]) -> dict[str, str]:
    """name -> the ``#define`` that restores it (command-line macros)."""
    out = {}
    for key, value in macros.items():
        name = re.match(r"[A-Za-z_]\w*", key).group(0)
        out[name] = f"#define {key} {value}"
    return out


def _main_file(group: _Group, parts: list[_Part], nonce: str) -> tuple[str, list[frozenset[str]]]:
    """The batch's main file, and the names reset after each part."""
    restore = group.restore
    skip = restore.keys() | _UNRESETTABLE
    restored = group.learned & restore.keys()
    text, resets = [], []
    for k, part in enumerate(parts):
        if k:
            text.append("#line 1\n")
        text.append(part.main)
        text.append(f"#pragma abicheck_split {nonce} {k}\n#warning abicheck_split {nonce} {k}\n")
        if k == len(parts) - 1:
            break
        # a command-line macro is restored only once a header was seen to
        # change one (gcc warns on every #undef of a __STDC_ macro)
        if part.reset is None:          # ``skip`` is the same in every batch of the group
            base = sorted(part.names - skip)
            part.reset = base, "".join(f"#undef {n}\n" for n in base), frozenset(base)
        names, block, done = part.reset
        extra = group.learned.difference(names) if group.learned else ()
        if extra:                       # a sorted run and a few more: one merge
            names = sorted([*names, *extra])
        if restored:
            for name in names:
                text.append(f"#undef {name}\n")
                if name in restore:
                    text.append(restore[name] + "\n")
            done = frozenset(names)
        elif extra:
            text.append("".join(f"#undef {n}\n" for n in names))
            done = frozenset(names)
        else:
            text.append(block)
        resets.append(done)
        text.append(f"#warning abicheck_reset {nonce} {k}\n")
    return "".join(text), resets


def _run_batch(group: _Group, parts: list[_Part]) -> list[Preprocessed | str]:
    """One gcc process for ``parts``: a result, STANDALONE or REQUEUE each
    (REQUEUE: this part and all after it go into a new batch)."""
    nonce = secrets.token_hex(8)
    text, resets = _main_file(group, parts, nonce)
    _, code, out, err = batch_proc.run(batch_proc.gcc_args(group.dirs, group.macros),
                                       text.encode("utf-8", "surrogateescape"), group.lim,
                                       f"\n#pragma abicheck_split {nonce} ".encode())
    n = len(parts)
    results: list[Preprocessed | str] = [REQUEUE] * n
    cut = out.find(_MAIN_START)
    if cut < 0:
        results[0] = STANDALONE
        return results
    prefix = out[:cut + 1]
    # what cpp printed before the main file, read once for every part
    try:
        head: Preprocessed | None = _split_defines(prefix[:-1].decode("utf-8", "surrogateescape"), "")
    except AbicheckError:
        head = None                                 # as each part's whole output would fail
    # where each part's text starts and ends
    spans: list[tuple[int, int]] = []
    start = cut + 1
    for k in range(n):
        end = out.find(f"\n#pragma abicheck_split {nonce} {k}\n".encode(), start - 1)
        if end < 0:
            break
        spans.append((start, end + 1))
        if k + 1 < n:
            nxt = out.find(_MAIN_START, end)
            if nxt < 0:
                break
            start = nxt + 1
    diag, reset_diag = batch_proc.diagnostics(err.decode("utf-8", "surrogateescape"), nonce, n,
                                              group.restore)
    latin = out.decode("latin-1")
    # each span opens after a line break
    touched = [set(_TOUCHED.findall(latin, s - 1, e)) for s, e in spans]
    clean = _clean_starts(touched, resets, group)
    initial = set(_TOUCHED.findall("\n" + latin[:cut + 1]))
    known: dict[str, set[str]] = {}         # guard -> files cpp now skips unseen while it is defined
    learned: set[str] = set()               # those files, os.path.normpath'ed
    for k, (s, e) in enumerate(spans):
        seg = out[s:e]
        if k and (not clean[k] or reset_diag[k - 1] or _skips_unseen(seg, touched[k], known)
                  or not learned.isdisjoint(parts[k].entries)):
            return results                          # REQUEUE from here
        pre, files = _part_result(group, parts[k], head, len(prefix), seg)
        if files is None:                           # unreadable: its state is unknown
            results[k] = STANDALONE
            return results
        stateful, counter, pieces = batch_scan.entered_flags(files)
        if not stateful and (pieces or latin.find("_Pragma", s, e) >= 0):
            stateful = batch_pragma.may_run(latin[s - 1:e], files, group.macros)
        results[k] = STANDALONE if diag[k] or pre is None or (counter and k) else pre
        for f in files:
            g = batch_scan.file_facts(f).guard
            if g:
                # skipped unseen in every later part
                stateful |= g in initial and batch_scan.guarded(f)
                known.setdefault(g, set()).add(f)
                learned.add(os.path.normpath(f))
        if stateful:                # it changed state -dD does not show
            return results
    if len(spans) < n:          # a fatal error or a limit stopped cpp in this part
        results[len(spans)] = STANDALONE
    elif code != 0 and not any(diag):
        return [STANDALONE] * n                     # a failure we cannot place: trust nothing
    return results


def _skips_unseen(seg: bytes, touched: set[str], known: dict[str, set[str]]) -> bool:
    """Whether cpp may have skipped an ``#include`` in this part without a
    trace where a run of its own enters the file (empty).  gcc remembers the
    guard of each file it closed (its multiple-include optimisation): once
    it knows ``F`` is guarded by ``G``, an ``#include`` of ``F`` while ``G``
    is defined prints nothing, while a run that never read ``F`` enters it.
    That can differ only when this part defines ``G`` before it first
    enters ``F`` (another file defines ``F``'s guard: glibc's sgidefs.h and
    the kernel's asm/sgidefs.h)."""
    for name in touched & known.keys():
        g = name.encode("latin-1")
        plain, params = b"\n#define " + g + b" ", b"\n#define " + g + b"("
        for f in known[name]:
            esc = f.replace("\\", "\\\\").replace('"', '\\"').encode("utf-8", "surrogateescape")
            at = seg.find(b'\n# 1 "' + esc + b'" 1')
            # a define before the entry (none straddles it: neither holds a
            # line break past its first byte), or any at all when the part
            # never enters the file: the search stops at the entry
            end = at if at >= 0 else len(seg)
            if ((seg.find(plain, 0, end) >= 0 or seg.find(params, 0, end) >= 0)
                    and batch_scan.guarded(f)):     # else gcc enters it every time
                return True
    return False


def _part_result(group: _Group, part: _Part, head: Preprocessed | None, head_size: int, seg: bytes
                 ) -> tuple[Preprocessed | None, list[str] | None]:
    """The part's ``Preprocessed`` (None when it must run alone) and the
    files it entered (None when its output cannot be read): ``head`` is
    the batch's output before the main file (``head_size`` bytes, its line
    break after it included), ``seg`` the part's own."""
    try:
        if head is None:
            raise AbicheckError("unreadable cpp output")
        pre = split_after(head, seg.decode("utf-8", "surrogateescape"), part.main)
    except AbicheckError:
        return None, None
    files = [f for f, _ in pre.entries]
    if head_size + len(seg) > group.lim.cpp_output:
        return None, files
    try:
        confine.check_entries(pre.entries, part.roots, group.lim.input_size, None, MAIN,
                              group.passed.setdefault(id(part.roots), set()))
    except AbicheckError:
        return None, files
    pre.search_dirs = tuple(group.dirs)
    return pre, files


def _clean_starts(touched: list[set[str]], resets: list[frozenset[str]], group: _Group) -> list[bool]:
    """Whether the macro state at the start of each part is the initial
    one: every macro a part's ``-dD`` record defines or undefines (cpp echoes
    each ``#define``/``#undef`` it obeys: ``touched``) must be among the
    names reset after it (each then undefined or given back its
    command-line value), else the state is dirty.  Names found dirty are
    learned: later batches reset them too."""
    dirty: set[str] = set()
    clean = [True]
    for k in range(len(touched) - 1):
        dirty = ((dirty | touched[k]) if dirty else touched[k]) - resets[k]
        clean.append(not dirty)
        if dirty:
            group.learned |= dirty - _UNRESETTABLE
    return clean


def preprocess_each(jobs: Sequence[tuple], defines: Sequence[str],
                    alone: Callable[[tuple], object]) -> Iterator[object]:
    """The result of each job ``(headers, target, include_dirs[, roots])``
    in order: batched where that gives exactly ``alone(job)``'s result, else
    ``alone(job)``.  cpp runs in worker threads (``limits.jobs()`` processes
    at a time) while the caller consumes the results already there, so
    parsing overlaps preprocessing."""
    with one_moment():         # the files as of now (``moment``), for this run
        yield from _each(list(jobs), defines, alone)


def _each(jobs: list[tuple], defines: Sequence[str], alone: Callable[[tuple], object]
          ) -> Iterator[object]:
    from concurrent.futures import Future, ThreadPoolExecutor
    futures: list[Future] = [Future() for _ in jobs]
    groups: dict[tuple, list[int]] = {}
    for i, (headers, t, dirs, *roots) in enumerate(jobs):
        key = (id(t), tuple(dirs), tuple(roots[0]) if roots else ())
        groups.setdefault(key, []).append(i)
    # a per-job cache in front of cpp would answer here, before grouping
    tasks = sorted((idx[k:k + BATCH * 4] for idx in groups.values()
                    for k in range(0, len(idx), BATCH * 4)), key=lambda c: c[0])

    def work(chunk: list[int]) -> None:
        _, t, dirs, *roots = jobs[chunk[0]]
        answered: set[int] = set()
        try:
            for pos, pre in preprocess_group([jobs[i][0] for i in chunk], t, dirs, defines,
                                             roots[0] if roots else ()):
                i = chunk[pos]
                futures[i].set_result(pre if pre is not None else alone(jobs[i]))
                answered.add(i)
        except BaseException as e:         # a bug of ours: the rest run alone
            for i in chunk:
                if i not in answered:
                    try:
                        futures[i].set_result(alone(jobs[i]))
                    except BaseException:
                        futures[i].set_exception(e)

    pool = ThreadPoolExecutor(max_workers=max(1, limits.jobs()))
    try:
        for c in tasks:
            pool.submit(work, c)
        for f in futures:
            yield f.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
