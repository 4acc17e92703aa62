"""What every compat format needs from a compat ``Report``: the verdict per
target, the exit status, the JSON document (``schemas/compat.schema.json``)
and the text and markdown views.

A maintainer reads a 20-ABI comparison on one screen: mismatches first,
each with both sides' member path, offset and size and the ABIs it holds on;
then what one view declares and the other lacks, names grouped on one line
per (side, ABIs); then the targets that were not compared.  Every entry,
agreements included, is in the JSON.
"""
from __future__ import annotations

from abicheck import __version__
from abicheck.errors import printable
from abicheck.report.diffmodel import target_list
from abicheck.report.findings import Finding, Report

EXIT_MISMATCH = 1
#: Worst first.
RANK = {"mismatch": 3, "skew": 2, "agree": 1, "not compared": 0}


def verdicts(report: Report) -> dict[str, str]:
    """target -> mismatch | skew | agree | not compared."""
    out = {}
    for doc in report.meta.get("results", ()):
        if not doc["compared"]:
            out[doc["target"]] = "not compared"
            continue
        found = {e["verdict"] for t in doc["types"] for e in t["accessors"]}
        found |= {t["verdict"] for t in doc["types"]} | {c["verdict"] for c in doc["constants"]}
        out[doc["target"]] = max(found | {"agree"}, key=lambda v: RANK[v])
    return out


def exit_status(report: Report) -> int:
    return EXIT_MISMATCH if "mismatch" in verdicts(report).values() else 0


def compat_document(report: Report) -> dict:
    meta = report.meta
    per = verdicts(report)
    return {
        "tool": "abicheck", "version": __version__, "command": "compat",
        "kernel": meta["kernel"], "libc": meta["libc"], "types": meta["types"],
        "maps": meta["maps"], "targets": list(report.targets), "verdicts": per,
        "summary": {v: sum(1 for x in per.values() if x == v) for v in RANK},
        "exit_status": exit_status(report), "results": meta["results"],
        "findings": [_finding(report, f) for f in report.findings],
    }


def _finding(report: Report, f: Finding) -> dict:
    order = {t: i for i, t in enumerate(report.targets)}
    return {"id": f.id, "severity": f.severity, "verdict": f.verdict, "check": f.check,
            "message": f.message, "targets": sorted(f.targets, key=lambda t: order.get(t, 99)),
            "loc": str(f.loc) if f.loc else None, "libc": f.measured, "kernel": f.expected}


def _groups(report: Report) -> tuple[list[tuple[str, list[str], str | None]], dict, list]:
    """(mismatch lines with their targets and first place), skew names by
    (check, side, targets), not-compared notes."""
    mism: dict[str, tuple[list[str], str | None]] = {}
    skew: dict[tuple, list[str]] = {}
    notes = []
    for f in report.findings:
        if f.id == "ABI400":
            notes.append(f)
        elif f.verdict == "mismatch":
            ts, loc = mism.setdefault(f.message, ([], str(f.loc) if f.loc else None))
            ts.extend(t for t in f.targets if t not in ts)
        elif f.verdict == "skew":
            name = f.message.split(" only in ")[0].split(": ", 1)[-1] if f.id != "ABI401" \
                else f.message.split(": ", 1)[0]
            key = (f.check, f.topic or "", tuple(sorted(f.targets)))
            skew.setdefault(key, []).append(name)
    return [(m, ts, loc) for m, (ts, loc) in mism.items()], skew, notes


def render_compat_text(report: Report, md: bool = False) -> str:
    """The terminal view (``md``: the pull-request comment)."""
    esc = _md if md else (lambda s: s)
    out = []
    m = report.meta
    head = f"abicheck compat: {', '.join(m['types'])}: {m['kernel']['side']} view " \
           f"'{m['kernel']['name']}' vs {m['libc']['side']} view '{m['libc']['name']}'"
    out.append(f"### {esc(head)}" if md else head)
    per = verdicts(report)
    out.append("")
    for v in sorted(set(per.values()), key=lambda v: -RANK[v]):
        names = [t for t, x in per.items() if x == v]
        line = f"{v}: {target_list(report, names)}"
        out.append(f"- **{esc(v)}**: {esc(line.split(': ', 1)[1])}" if md else line)
    mism, skew, notes = _groups(report)
    if mism:
        out += ["", "mismatches (errors):"]
        for msg, ts, loc in mism:
            line = f"{msg} [{target_list(report, ts)}]" + (f" ({loc})" if loc else "")
            out.append(f"- {esc(line)}" if md else f"  {line}")
    if skew:
        out += ["", "declared by one view only (warnings):"]
        for (check, topic, ts), names in sorted(skew.items(), key=lambda kv: (kv[0][0], kv[0][1],
                                                                               kv[0][2])):
            line = f"{check}, {topic}: {', '.join(sorted(set(names)))} [{target_list(report, ts)}]"
            out.append(f"- {esc(line)}" if md else f"  {line}")
    if notes:
        out += ["", "not compared:"]
        order = {t: i for i, t in enumerate(report.targets)}
        for f in sorted(notes, key=lambda f: min(order.get(t, 99) for t in f.targets)):
            why = f.message.removeprefix("not compared: ")
            out.append(f"- {esc(why)}" if md else f"  {why}")
    counts = {v: sum(1 for x in per.values() if x == v) for v in RANK}
    out += ["", f"{counts['mismatch']} mismatch, {counts['skew']} skew, {counts['agree']} agree, "
                f"{counts['not compared']} not compared (of {len(per)} targets)"]
    return "\n".join(printable(x) for x in out) + "\n"


def _md(text: str) -> str:
    from abicheck.report.markdown import md_escape
    return md_escape(text)
