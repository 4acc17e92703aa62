"""``abicheck diff``: two revisions of headers, compared on every ABI at once.

For each target, each revision is translated header by header and boiled
down to a ``Snapshot`` (``diff_snapshot``); the two snapshots are compared
type by type (``diff_layout``, with root causes from ``diff_cause``),
constant by constant and accessor by accessor (``diff_constants``).  Every
change becomes a ``Finding`` with a verdict (compatible / needs review /
incompatible), so the one findings model of ``abicheck check`` carries the
diff to every renderer.  Nothing here prints.

A header that does not compile on a target is a finding for that header and
target (what it declares is left out there, on both sides); only when
nothing compiles anywhere is the input bad.
"""
from __future__ import annotations

import dataclasses
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from typing import Sequence

from abicheck import api
from abicheck.checks.diff_change import (
    COMPATIBLE, INCOMPATIBLE, NOT_COMPARED, REVIEW, Change)
from abicheck.checks.diff_constants import compare_accessors, compare_constants
from abicheck.checks.diff_same import BatchConstants
from abicheck.checks.diff_layout import compare_shapes
from abicheck.checks.diff_snapshot import (
    Shape, Snapshot, add_shapes)
from abicheck.errors import AbicheckError
from abicheck.frontend import collector, moment
from abicheck.report.findings import Report
from abicheck.revision import Revision, load_revision
from abicheck.targets import Target

HEADERS = "headers"
#: headers whose macro expansions share a cpp run per target: fewer runs, and
#: few translations alive at once
EXPANSION_BATCH = 8


def run_diff(old_spec: str, new_spec: str, targets: Sequence[Target], types: Sequence[str] = (),
             include_dirs: Sequence[str] = (), defines: Sequence[str] = (),
             pictures: bool = False) -> Report:
    """Compare revision ``old_spec`` with ``new_spec`` (see ``abicheck.revision``);
    ``pictures``: keep the changed types' shapes (``Report.layouts``) for the
    byte map, which no piece carries."""
    from abicheck.checks.diff_pieces import assemble_diff, diff_frame, target_pieces
    with ExitStack() as stack:
        old = load_revision(old_spec, "OLD", include_dirs, stack)
        new = load_revision(new_spec, "NEW", include_dirs, stack)
        wanted = tuple(types)
        shapes: dict | None = {} if pictures else None
        report = assemble_diff(diff_frame(old, new, targets, wanted),
                               target_pieces(old, new, targets, wanted, defines, shapes))
        if shapes is not None:
            report = dataclasses.replace(report, layouts=changed_layouts(shapes, targets))
        return report


def snapshots(rev: Revision, targets: Sequence[Target], wanted: tuple[str, ...],
              defines: Sequence[str]) -> dict[str, Snapshot]:
    """Each target's snapshot of ``rev``; a target a tree of several ABIs'
    headers has nothing for is marked ``missing``."""
    return snapshot_revisions([rev], targets, wanted, defines)[0]


def snapshot_revisions(revs: Sequence[Revision], targets: Sequence[Target],
                       wanted: tuple[str, ...], defines: Sequence[str]
                       ) -> list[dict[str, Snapshot]]:
    """``snapshots`` of each of ``revs``, taken one header at a time across
    the revisions: OLD's and NEW's copies of a header are translated
    together (their cpp runs overlap), so a text both trees preprocess to
    is parsed once while the front end's memo of recent parses still holds
    it (taken tree after tree, a whole tree came between them).  Each
    snapshot still receives its own headers in its own order, as taken
    alone: the merged order keeps every revision's (sorted) order, and
    revisions whose headers are not sorted are taken one after another."""
    if len(revs) > 1 and any(list(r.headers) != sorted(r.headers) for r in revs):
        return [snapshot_revisions([r], targets, wanted, defines)[0] for r in revs]
    # the cycle collector scans every live object each time, and a tree's
    # snapshots are hundreds of thousands of them (shapes, slots), none in a
    # cycle: measured on a quarter of bookworm -> trixie (x86_64), the
    # translations took 11% less CPU with it run less often
    with collector.fewer_collections():
        return _snapshot_revisions(revs, targets, wanted, defines)


def _snapshot_revisions(revs: Sequence[Revision], targets: Sequence[Target],
                        wanted: tuple[str, ...], defines: Sequence[str]
                        ) -> list[dict[str, Snapshot]]:
    headers = revs[0].headers if len(revs) == 1 else sorted({h for r in revs for h in r.headers})
    out = [{t.name: Snapshot(t.name, missing=rev.view(t) is None) for t in targets}
           for rev in revs]
    # the snapshots and the parse memo grow batch by batch, and stay; the
    # files are read as of one moment (what each may define, where its
    # includes land: ``frontend.moment``), not again for every batch.
    # Each batch's macro expansions (cpp runs, ``diff_same.BatchConstants``)
    # run in a thread while the next batch is translated; its constants are
    # valued once that is done, before the next batch asks what it lacks
    ahead: tuple[BatchConstants, Future] | None = None
    with collector.growing() as growth, moment.one_moment(), \
            ThreadPoolExecutor(1, thread_name_prefix="abicheck-expand") as expanding:
        for at in range(0, len(headers), EXPANSION_BATCH):
            growth.step()           # what the batches before kept: out of the collections
            # the types of a few headers, then their constants: the cpp runs that
            # expand their macros are one per target (``diff_expand``)
            pending = []
            # by path: an include name could resolve against the current folder
            here = [(header, i, t, v) for header in headers[at:at + EXPANSION_BATCH]
                    for i, rev in enumerate(revs) for t in targets
                    if (v := rev.view(t)) is not None and header in v.header_set]
            # the few headers' jobs in one call: those sharing an ABI and a tree
            # share gcc processes (``frontend.batch``); one header's jobs alone
            # (each on its own ABI or tree) ran one gcc each
            jobs = [([v.file_of(header)], t, v.include_dirs, v.roots) for header, _, t, v in here]
            for (header, i, t, v), tr in zip(here, api.translate_each(jobs, defines)):
                if isinstance(tr, AbicheckError):
                    out[i][t.name].failures[header] = tr
                else:
                    lay, mine = add_shapes(out[i][t.name], v, header, tr, wanted)
                    pending.append((out[i][t.name], v, header, tr, lay, mine, i))
            if ahead is not None:
                ahead[0].finish(ahead[1].result())
            batch = BatchConstants(pending, defines)
            ahead = batch, expanding.submit(batch.expand)
        if ahead is not None:
            ahead[0].finish(ahead[1].result())
    return out


def _translate(rev: Revision, header: str, targets: Sequence[Target], defines: Sequence[str]):
    """(target, translation or error) for one header file of ``rev``."""
    jobs = [([header], t, rev.include_dirs, rev.roots) for t in targets]
    return list(zip(targets, api.translate_each(jobs, defines)))


def diff_target(old: Revision | None, new: Revision | None, so: Snapshot, sn: Snapshot,
                wanted: tuple[str, ...] = ()) -> list[Change]:
    """Every change on one target; ``old``/``new`` are the revisions as this
    target sees them (None: a tree with no headers for it)."""
    if old is None or new is None:
        which = "either revision" if old is None and new is None else "OLD" if old is None else "NEW"
        topic = f"no headers for this ABI in {which}"
        return [Change("ABI205", NOT_COMPARED, HEADERS, topic, f"not compared: {topic}", None,
                       side="shown")]
    out: list[Change] = []
    failing = sorted({_key(h, old) for h in so.failures} | {_key(h, new) for h in sn.failures})
    for key in failing:
        ho, hn = _header(key, old), _header(key, new)
        eo, en = so.failures.get(ho), sn.failures.get(hn)
        err = en or eo
        first = str(err).splitlines()[0] if err else ""
        label = (new if en else old).header_label(hn if en else ho)
        if en is not None and eo is None and ho in old.headers:
            verdict, topic = REVIEW, f"{label} no longer compiles"
        elif eo is not None and en is not None:
            verdict, topic = NOT_COMPARED, f"{label} does not compile in either revision"
        elif eo is not None:
            verdict, topic = NOT_COMPARED, f"{label} did not compile in OLD"
        else:
            verdict, topic = NOT_COMPARED, f"{label} does not compile"
        side_rev = new if en else old
        out.append(Change("ABI200", verdict, HEADERS, topic, _shown_error(first, side_rev),
                          side_rev.shown_loc(err.loc) if err and err.loc else None,
                          side="shown"))
        if not old.each_own or not new.each_own:
            for snap in (so, sn):       # one entry header speaks for the whole revision
                snap.shapes.clear()
                snap.constants.clear()
                snap.accessors.clear()
        so.drop_header(ho)
        sn.drop_header(hn)
    out.extend(_types(so, sn, wanted))
    if not wanted:
        out.extend(compare_constants(so.constants, sn.constants))
        out.extend(compare_accessors(so.accessors, sn.accessors, _resolver(so), _resolver(sn)))
    return out


def _key(header: str, rev: Revision) -> str:
    """What names a header across revisions: its include name in a folder
    or bundled set; a lone header file is the same header on both sides."""
    return "" if rev.kind == "file" or (rev.kind == "git" and rev.files) else header


def _header(key: str, rev: Revision) -> str:
    return rev.headers[0] if key == "" else key


def _shown_error(line: str, rev: Revision) -> str:
    """The front end's error line, with the file shown as the revision shows it."""
    head, sep, rest = line.partition(": error: ")
    if not sep:
        return line
    file, _, pos = head.partition(":")
    return f"{rev.shown(file)}{':' + pos if pos else ''}: error: {rest}"


def _resolver(snap: Snapshot):
    paths = {s.path for sh in snap.shapes.values() for s in sh.slots}
    return lambda p: p in paths


def _moved_accessors(so: Snapshot, sn: Snapshot) -> list[tuple[str, str, str]]:
    """(accessor, old path, new path) of the accessors both revisions have
    under different paths, by name (made once, not once per type)."""
    out = []
    for acc in sorted(set(so.accessors) & set(sn.accessors)):
        a, b = so.accessors[acc], sn.accessors[acc]
        if a.path != b.path:
            out.append((acc, a.path, b.path))
    return out


def _renames(so: Snapshot, sn: Snapshot, name: str, moved: list[tuple[str, str, str]]
             ) -> dict[str, tuple[str, str]]:
    """old path -> (new path, accessor) for accessors (of ``moved``) that
    name members of ``name`` in both revisions under different paths."""
    o, n = so.shapes[name], sn.shapes[name]
    out = {}
    for acc, old_path, new_path in moved:
        if o.slot(old_path) is not None and n.slot(new_path) is not None:
            out.setdefault(old_path, (new_path, acc))
    return out


def _signature(s: Shape) -> tuple:
    return (s.kind, s.size, s.align, s.rep,
            tuple((x.bits, x.size, x.rep) for x in s.slots if x.leaf))


def _types(so: Snapshot, sn: Snapshot, wanted: tuple[str, ...]) -> list[Change]:
    names = set(so.shapes) | set(sn.shapes)
    aliased = {r for snap in (so, sn) for t, r in snap.aliases.items()
               if t in so.shapes and t in sn.shapes}
    names = sorted(x for x in names if not (x in aliased and x in so.shapes and x in sn.shapes))
    if wanted:
        names = [x for x in names if x in wanted]
    out: list[Change] = []
    added = [x for x in names if x not in so.shapes]
    removed = [x for x in names if x not in sn.shapes]
    renamed: dict[str, str] = {}
    # each removed type takes the first added one of its signature not yet
    # taken (signatures made once: removed x added comparisons were quadratic)
    by_signature: dict[tuple, list[str]] = {}
    for a in added:
        by_signature.setdefault(_signature(sn.shapes[a]), []).append(a)
    taken: set[str] = set()
    for r in removed:
        for a in by_signature.get(_signature(so.shapes[r]), ()):
            if a not in taken:
                renamed[r] = a
                taken.add(a)
                break
    for x in sorted((set(so.unlaid) & set(sn.shapes)) | (set(sn.unlaid) & set(so.shapes))):
        if wanted and x not in wanted:
            continue
        lost = x in sn.unlaid
        why = sn.unlaid[x] if lost else so.unlaid[x]
        out.append(Change("ABI204", REVIEW if lost else NOT_COMPARED, x,
                          f"type {x} can{' no longer' if lost else ' now'} be laid out",
                          f"type {x} {'can no longer' if lost else 'could not'} be laid out"
                          f"{'' if lost else ' in OLD'}: {why}",
                          (so if lost else sn).shapes[x].loc, side="old" if lost else "new"))
    for x in sorted(set(so.unlaid) | set(sn.unlaid)):
        # a defined record neither side can lay out is one gcc rejects: say
        # so, never "no change" (a typedef of an incomplete type is no error)
        if (wanted and x not in wanted) or x in so.shapes or x in sn.shapes \
                or not x.startswith(("struct ", "union ")):
            continue
        why = sn.unlaid.get(x) or so.unlaid[x]
        out.append(Change("ABI204", NOT_COMPARED, x, f"type {x} cannot be laid out",
                          f"type {x} cannot be laid out in "
                          f"{'either revision' if x in so.unlaid and x in sn.unlaid else 'NEW' if x in sn.unlaid else 'OLD'}"
                          f": {why}", None, side="new" if x in sn.unlaid else "old"))
    moved = _moved_accessors(so, sn)
    for x in names:
        if x in so.unlaid or x in sn.unlaid:
            continue
        if x in so.shapes and x in sn.shapes:
            out.extend(compare_shapes(so.shapes[x], sn.shapes[x], _renames(so, sn, x, moved)))
        elif x in renamed:
            s = sn.shapes[renamed[x]]
            out.append(Change("ABI203", REVIEW, renamed[x], f"type {x} renamed to {renamed[x]}",
                              f"type {x} is now {renamed[x]}, with the same layout ({s.size} bytes)",
                              s.loc, x, renamed[x]))
        elif x in renamed.values():
            continue
        elif x in sn.shapes:
            s = sn.shapes[x]
            out.append(Change("ABI201", COMPATIBLE, x, f"type {x} added",
                              f"type {x} added ({s.size} bytes, {s.align}-byte aligned)", s.loc,
                              None, s.size))
        else:
            s = so.shapes[x]
            out.append(Change("ABI202", INCOMPATIBLE, x, f"type {x} removed",
                              f"type {x} removed (was {s.size} bytes)", s.loc, s.size, None,
                              side="old"))
    return out


def changed_layouts(per_target: dict[str, tuple[set[str], Snapshot, Snapshot]],
                    targets: Sequence[Target]) -> dict:
    """The shapes of every type with a change, per side and target, for the
    byte map (``Report.layouts``); each with the paths its accessors name.
    ``per_target``: target -> (names of the types changed there, OLD's and
    NEW's snapshots)."""
    out: dict = {}
    named: dict[int, dict[str, list[str]]] = {}      # id(snapshot) -> path -> accessors

    def accessors(snap: Snapshot) -> dict[str, list[str]]:
        if id(snap) not in named:
            acc: dict[str, list[str]] = {}
            for a in sorted(snap.accessors.values(), key=lambda a: a.name):
                acc.setdefault(a.path, []).append(a.name)
            named[id(snap)] = acc
        return named[id(snap)]

    names = sorted({n for changed, _, _ in per_target.values() for n in changed})
    for name in names:
        sides = {}
        for i, side in ((1, "old"), (2, "new")):
            got = []
            for t in targets:
                if t.name not in per_target:
                    continue
                changed, *snaps = per_target[t.name]
                snap = snaps[i - 1]
                if name in snap.shapes and name in changed:
                    got.append((t.name, snap.shapes[name], accessors(snap)))
            if got:
                sides[side] = got
        if sides:
            out[name] = sides
    return out
