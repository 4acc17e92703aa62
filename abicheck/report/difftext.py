"""The text and markdown views of a diff: verdicts first, then causes.

A reviewer must read a 26-ABI diff of siginfo in one screen, so nothing is
printed per target: each root change prints once, with the targets it holds
on grouped by identical effect ("at 0x1c on i386, arm, mips, ... (13 of 26
ABIs)"); what follows from it (members that move with it, holes that vanish)
is counted under it, not listed; constants added or removed alike on the
same targets share one line; targets without any change are listed once.
"""
from __future__ import annotations

import re
import textwrap

from abicheck.report.common import plural
from abicheck.report.diffmodel import NO_CHANGE, RANK, Topic, target_list, topics, verdicts
from abicheck.report.findings import Finding, Report
from abicheck.report.markdown import md_escape

WIDTH = 100
#: A list line names at most this many (a whole tree adds thousands of
#: constants; --format json lists every one).
LIST_MAX = 24
TYPES = "types added or removed"
#: Findings that read best as a list of names on one line.
LISTED = {"ABI230": "added", "ABI231": "removed", "ABI240": None, "ABI201": "added",
          "ABI202": "removed"}
_FOLLOWS = {"ABI222": "moved member", "ABI225": "moved bitfield", "ABI210": "size change",
            "ABI211": "alignment change", "ABI229": "hole change", "ABI223": "resized record",
            "ABI220": "addition", "ABI221": "removal", "ABI227": "use of reserved bytes"}


def _wrap(text: str, indent: str, hang: str) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=hang,
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]


def verdict_lines(report: Report) -> list[tuple[str, str]]:
    """(verdict, target list) for every verdict some target has, worst first."""
    per = verdicts(report)
    out = []
    for v in sorted(set(per.values()), key=lambda v: -RANK.get(v, -1)):
        out.append((v, target_list(report, [t for t, x in per.items() if x == v])))
    return out


def _follows(derived: list[Finding]) -> str:
    counts: dict[str, int] = {}
    for f in derived:
        what = _FOLLOWS.get(f.id, "change")
        counts[what] = counts.get(what, 0) + 1
    parts = [f"{n} {w.replace('use of', 'uses of') if n > 1 and w.startswith('use') else w}"
             f"{'s' if n > 1 and not w.startswith('use') else ''}" for w, n in sorted(counts.items())]
    return "follows from it: " + ", ".join(parts)


def _listed(groups: list[Topic]) -> tuple[list[tuple], list[Topic]]:
    """Constants (and types, accessors) added or removed alike: (check,
    verdict, code, targets, names) lines; the rest stays as topics."""
    lines: dict[tuple, list[str]] = {}
    rest = []
    for g in groups:
        if g.id == "ABI200" and g.verdict == "not compared":
            # headers that were never compared: their names, not their errors
            # (one per header and target in the JSON and SARIF views)
            label, _, verb = g.topic.partition(" ")
            for f in g.variants:
                key = (g.check, g.verdict, g.id, verb, tuple(sorted(f.targets)))
                lines.setdefault(key, []).append(label)
            continue
        if g.id not in LISTED or g.derived or not g.topic.endswith(("added", "removed")):
            rest.append(g)
            continue
        check = TYPES if g.id in ("ABI201", "ABI202") else g.check
        for f in g.variants:
            key = (check, g.verdict, g.id, g.topic.rsplit(" ", 1)[1], tuple(sorted(f.targets)))
            lines.setdefault(key, []).append(_short(f))
    out = [(*key, sorted(set(names))) for key, names in lines.items()]
    return out, rest


def _short(f: Finding) -> str:
    """``NAME = 4`` for a constant, the topic otherwise."""
    if f.id in ("ABI230", "ABI231"):
        value = f.measured if f.id == "ABI230" else f.expected
        return f"{f.topic.split()[1]} = {value}"
    return (f.topic or f.message).rsplit(" ", 1)[0].split(" ", 1)[1]


def render_diff_text(report: Report) -> str:
    out = [f"abicheck diff {report.subject}: {target_list(report, report.targets)}"]
    for v, names in verdict_lines(report):
        out.extend(_wrap(names, f"  {v:<13} ", " " * 16))
    compared = report.meta.get("compared")
    if compared:
        h = compared["headers"]
        out.append(f"  compared      {plural(compared['types'], 'type')} and "
                   f"{plural(compared['constants'], 'constant')} from {plural(h['old'], 'header')}"
                   f" -> {plural(h['new'], 'header')}")
    groups = topics(report)
    listed, rest = _listed(groups)
    checks = _sections(rest, listed)
    for check in checks:
        out.append("")
        out.append(check)
        for g in (x for x in rest if x.check == check):
            locs = {f.loc for f in g.variants}
            shared = len(locs) == 1 and None not in locs
            head = f"{g.topic} ({next(iter(locs))})" if shared else g.topic
            out.extend(_wrap(head, f"  {g.verdict:<13} ", " " * 16))
            out.extend(_variants(report, g.variants, shared))
            if g.derived:
                out.extend(_wrap(_follows(g.derived), " " * 16, " " * 18))
        for _, verdict, code, verb, targets, names in _lines_of(listed, check):
            what = _list_words(code, verb, len(names))
            out.extend(_wrap(f"{what} on {target_list(report, targets)}: {_names(names)}",
                             f"  {verdict:<13} ", " " * 16))
    if all(v == NO_CHANGE for v in verdicts(report).values()):
        out.append("")
        out.append("no ABI change")
    return "\n".join(out) + "\n"


def _sections(rest: list[Topic], listed: list[tuple]) -> list[str]:
    """Section headings in report order: types with changes, then the
    added/removed types, constants, accessors and headers."""
    names = list(dict.fromkeys([g.check for g in rest] + [x[0] for x in listed]))
    tail = [TYPES, "accessor macros", "constants", "headers"]
    return [n for n in names if n not in tail] + [n for n in tail if n in names]


def _variants(report: Report, variants: list[Finding], shared: bool) -> list[str]:
    """One line per distinct effect.  When the effects differ only in a few
    words (the offsets), the common words print once and each variant only
    its own: ``... added at {0x30 | 0x1c | 0x1a} into a union``."""
    words = [re.findall(r"\w+|\s+|[^\w\s]", f.message) for f in variants]
    pre = _common(words)               # tokens are whole words, numbers or marks
    post = _common([w[pre:][::-1] for w in words])

    def mids() -> list[str]:
        return ["".join(w[pre:len(w) - post]).strip() for w in words]

    def unbalanced() -> bool:
        return any(m.count("(") != m.count(")") or m.count("[") != m.count("]") for m in mids())
    while unbalanced() and (pre or post):     # keep brackets with what they enclose
        if post:
            post -= 1
        else:
            pre -= 1
    middles = mids()
    if len(variants) > 1 and pre + post > 0 and all(0 < len(m) <= 40 for m in middles):
        head = "".join(words[0][:pre]) + "..." + "".join(words[0][len(words[0]) - post:])
        out = _wrap(head + ":", " " * 16, " " * 18)
        for f, mid in zip(variants, middles):
            place = "" if shared else _place(f)
            out.extend(_wrap(f"{place}{mid} on {target_list(report, f.targets)}", " " * 18, " " * 20))
        return out
    out = []
    for f in variants:
        place = "" if shared else _place(f)
        out.extend(_wrap(f"{place}{f.message} [{target_list(report, f.targets)}]", " " * 16, " " * 18))
    return out


def _common(seqs: list[list[str]]) -> int:
    n = 0
    while all(len(s) > n for s in seqs) and len({s[n] for s in seqs}) == 1:
        n += 1
    return n


def _names(names: list[str]) -> str:
    if len(names) <= LIST_MAX:
        return ", ".join(names)
    return ", ".join(names[:LIST_MAX]) + f" and {len(names) - LIST_MAX} more (--format json lists all)"


def _lines_of(listed: list[tuple], check: str) -> list[tuple]:
    return sorted((x for x in listed if x[0] == check),
                  key=lambda x: (-RANK.get(x[1], 0), x[2], x[3], x[4]))


def _place(f: Finding) -> str:
    return f"{f.loc}: " if f.loc else ""


def _list_words(code: str, verb: str, n: int) -> str:
    if code == "ABI200":
        verb = verb.replace("does not compile", "do not compile").replace("did not", "did not") \
            if n != 1 else verb
        return f"{n} header{'s' if n != 1 else ''} {verb}"
    noun = {"ABI230": "constant", "ABI231": "constant", "ABI240": "accessor",
            "ABI201": "type", "ABI202": "type"}[code]
    return f"{n} {noun}{'s' if n != 1 else ''} {verb}"


def render_diff_markdown(report: Report) -> str:
    """A pull-request comment: summary table of ABIs x verdicts, then causes."""
    per = verdicts(report)
    out = [f"### abicheck diff: {md_escape(report.subject)}", ""]
    cols = ["incompatible", "needs review", "compatible", "not compared"]
    counts = {t: {c: 0 for c in cols} for t in report.targets}
    for r in report.results:
        for f in r.findings:
            if f.verdict in cols and f.cause is None:
                counts[r.target][f.verdict] += 1
    out.append("| ABIs | verdict | " + " | ".join(cols) + " |")
    out.append("|---|---|" + "---:|" * len(cols))
    rows: dict[tuple, list[str]] = {}
    for t in report.targets:        # ABIs with the same verdict and counts share a row
        rows.setdefault((per[t], tuple(counts[t][c] for c in cols)), []).append(t)
    for (verdict, nums), names in sorted(rows.items(), key=lambda r: (-RANK.get(r[0][0], -1),
                                                                      report.targets.index(r[1][0]))):
        row = [md_escape(target_list(report, names)),
               f"**{verdict}**" if verdict == "incompatible" else verdict]
        row += [str(n) if n else "" for n in nums]
        out.append("| " + " | ".join(row) + " |")
    out.append("")
    groups = topics(report)
    listed, rest = _listed(groups)
    for check in _sections(rest, listed):
        out.append(f"#### {md_escape(check)}")
        out.append("")
        for g in (x for x in rest if x.check == check):
            out.append(f"- **{g.verdict}**: {md_escape(g.topic)}")
            for f in g.variants:
                place = f"`{f.loc}`: " if f.loc else ""
                out.append(f"  - {place}{md_escape(f.message)} "
                           f"({md_escape(target_list(report, f.targets))})")
            if g.derived:
                out.append(f"  - {md_escape(_follows(g.derived))}")
        for _, verdict, code, verb, targets, names in _lines_of(listed, check):
            out.append(f"- **{verdict}**: {_list_words(code, verb, len(names))} on "
                       f"{md_escape(target_list(report, targets))}: "
                       + _names([f"`{n}`" for n in names]))
        out.append("")
    if not groups:
        out.append("No ABI change.")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
