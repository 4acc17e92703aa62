"""``abicheck diff`` cut into one piece per target (``abicheck.runs``).

A target's piece is plain JSON: what the checks of bad input need of its
snapshots (is it missing, did every header fail, which ``--type`` names it
has), its changes as findings, and the names it compared.  ``assemble_diff``
makes the report from every target's piece in target order, exactly as
``run_diff`` does in one pass: the bad-input checks across targets first,
then the rows; in a tree of several ABIs' headers, a declaration every ABI
reads from its own copy is shown at the first ABI's copy, so a change
groups across ABIs (each piece names the copy it would show and the key of
the declaration: the first target's wins).
"""
from __future__ import annotations

from typing import Sequence

from abicheck.checks.diff_change import SEVERITY
from abicheck.errors import AbicheckError, ErrorList, UsageError
from abicheck.frontend import collector
from abicheck.report.findings import CheckResult, Finding, Report
from abicheck.revision import Revision
from abicheck.targets import Target


def diff_frame(old: Revision, new: Revision, targets: Sequence[Target],
               wanted: Sequence[str]) -> dict:
    def side(rev: Revision) -> dict:
        return {"side": rev.side, "spec": rev.spec, "headers": len(rev.headers),
                "has": [n for n, v in (rev.views or {}).items() if v is not None]}
    return {"old": side(old), "new": side(new), "targets": [t.name for t in targets],
            "wanted": list(wanted)}


def target_pieces(old: Revision, new: Revision, targets: Sequence[Target],
                  wanted: tuple[str, ...], defines: Sequence[str],
                  shapes: dict | None = None) -> list[dict]:
    """The pieces of ``targets`` (their cpp runs overlapped); ``shapes``, when
    given, gets target -> (changed type names, OLD's and NEW's snapshots):
    the live shapes a byte map draws (``checks.diff.changed_layouts``)."""
    from abicheck.checks.diff import snapshot_revisions
    # the snapshots grow batch by batch and live to the end: one freeze
    # from the first batch to the last piece (``collector.growing``)
    with collector.growing() as growth:
        so, sn = snapshot_revisions([old, new], targets, wanted, defines)
        growth.step()
        return _pieces(old, new, targets, wanted, so, sn, shapes)


def _pieces(old: Revision, new: Revision, targets: Sequence[Target], wanted: tuple[str, ...],
            so: dict, sn: dict, shapes: dict | None) -> list[dict]:
    from abicheck.checks.diff import diff_target
    from abicheck.runs.codec import finding_json, loc_json
    out = []
    for t in targets:
        piece: dict = {}
        for rev, snaps, key in ((old, so, "old"), (new, sn, "new")):
            s = snaps[t.name]
            facts: dict = {"missing": s.missing}
            if not s.missing:
                facts["all_failed"] = len(s.failures) == len(rev.view(t).headers)
                facts["errors"] = [{"msg": e.msg, "loc": loc_json(rev.shown_loc(e.loc)),
                                    "text": str(e)} for e in s.failures.values()]
            facts["has"] = [n for n in wanted if n in s.shapes or n in s.unlaid]
            piece[key] = facts
        changes = diff_target(old.view(t), new.view(t), so[t.name], sn[t.name], wanted)
        if shapes is not None:
            shapes[t.name] = ({c.check for c in changes}, so[t.name], sn[t.name])
        shown = []
        for c in changes:
            side = new.view(t) if c.side == "new" else old.view(t)
            same = None
            if c.side == "shown" or side is None or c.loc is None:
                loc = c.loc
            else:
                loc = side.shown_loc(c.loc)
                if side.roots:
                    same = [c.side, side.include_name(c.loc.file), c.loc.line, c.loc.col]
            f = Finding(c.id, SEVERITY[c.verdict], (t.name,), loc, c.message, c.check, c.new,
                        c.old, c.verdict, c.topic, c.cause)
            shown.append([finding_json(f), same])
        piece["changes"] = shown
        piece["types"] = sorted({n for s in (so[t.name], sn[t.name]) for n in s.shapes})
        piece["constants"] = sorted({n for s in (so[t.name], sn[t.name]) for n in s.constants})
        out.append(piece)
    return out


def assemble_diff(frame: dict, pieces: Sequence[dict]) -> Report:
    from abicheck.checks.diff import HEADERS
    from abicheck.runs.codec import finding_of, loc_of
    targets = frame["targets"]
    for key in ("old", "new"):
        rev = frame[key]
        present = [p[key] for p in pieces if not p[key]["missing"]]
        if not present:
            which = (f"target {targets[0]}" if len(targets) == 1
                     else f"any of the {len(targets)} targets")
            raise UsageError(f"{rev['side']} revision '{rev['spec']}' has no headers for "
                             f"{which} (it has headers for {', '.join(rev['has'])})")
        if all(s["all_failed"] for s in present):
            errs = [e for s in present for e in s["errors"]]
            if len(errs) == 1 or len({e["text"] for e in errs}) == 1:
                e = errs[0]
                raise AbicheckError(f"{rev['side']} revision '{rev['spec']}' does not compile "
                                    f"on any target: {e['msg']}", loc_of(e["loc"])) from None
            raise ErrorList([AbicheckError(f"{rev['side']} revision '{rev['spec']}': {e['msg']}",
                                           loc_of(e["loc"])) for e in errs]) from None
    for name in frame["wanted"]:
        if not any(name in p[key]["has"] for p in pieces for key in ("old", "new")):
            raise UsageError(f"--type '{name}' is in neither revision (OLD "
                             f"'{frame['old']['spec']}', NEW '{frame['new']['spec']}') on any "
                             f"of {len(targets)} targets")
    rows: dict[str, dict[str, list[Finding]]] = {}
    same: dict[tuple, object] = {}
    for t, p in zip(targets, pieces):
        for fj, key in p["changes"]:
            f = finding_of(fj)
            if key is not None:
                loc = same.setdefault(tuple(key), f.loc)
                if loc != f.loc:
                    f = Finding(f.id, f.severity, f.targets, loc, f.message, f.check, f.measured,
                                f.expected, f.verdict, f.topic, f.cause)
            rows.setdefault(f.check, {}).setdefault(t, []).append(f)
    order = sorted(rows, key=lambda r: (r in (HEADERS, "constants", "accessor macros"), r))
    results = []
    for check in order:
        ids = sorted(f.id for fs in rows[check].values() for f in fs)
        for t in targets:
            fs = tuple(rows[check].get(t, ()))
            results.append(CheckResult(check, ids[0], t, not fs, fs))
    compared = {
        "types": len({n for p in pieces for n in p["types"]}),
        "constants": len({n for p in pieces for n in p["constants"]}),
        "headers": {"old": frame["old"]["headers"], "new": frame["new"]["headers"]},
    }
    meta = {"old": frame["old"]["spec"], "new": frame["new"]["spec"], "compared": compared}
    return Report("diff", f"{frame['old']['spec']} -> {frame['new']['spec']}", tuple(targets),
                  tuple(results), meta)
