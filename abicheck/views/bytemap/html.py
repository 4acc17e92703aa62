"""A byte map as one self-contained HTML page.

Reviewers open it from a CI artifact or a mail attachment, often offline: so
everything is inline (the SVG pictures, the CSS), nothing is fetched, and no
script is needed to read it (hover titles are the browser's own).  Under
each picture a table lists the groups of targets and, for the members that
move between them, where each group puts them.
"""
from __future__ import annotations

from html import escape as _escape
from typing import Sequence

from abicheck.errors import printable
from abicheck.views.bytemap import svg
from abicheck.views.bytemap.groups import Figure

CSS = ("body{margin:0;padding:0 16px 16px 0;font-family:sans-serif;font-size:14px;color:#222;"
       "background:#fff}"
       "h1{font-size:18px;margin:12px 16px}h2{font-size:15px;margin:16px 16px 4px}"
       "p{margin:4px 16px}svg.bytemap{display:block}"
       "table{border-collapse:collapse;margin:8px 16px;font-size:12px}"
       "th,td{border:1px solid #bbb;padding:2px 6px;text-align:left;vertical-align:top}"
       "th{background:#eee}td.num{text-align:right;font-family:monospace}"
       "td.moved{color:#b00}")


def esc(s: object) -> str:
    return _escape(printable(str(s)), quote=True)


def page(title: str, figures: Sequence[Figure], scale: float | None = None,
         intro: Sequence[str] = ()) -> str:
    """The whole document: a heading, then per figure its picture and tables."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{esc(title)}</title>", f"<style>{CSS}</style>", "</head>", "<body>",
           f"<h1>{esc(title)}</h1>"]
    out.extend(f"<p>{esc(line)}</p>" for line in intro)
    if not figures:
        out.append("<p>Nothing to draw.</p>")
    else:
        out.append(svg.legend_svg())
    for i, fig in enumerate(figures):
        out.append(f'<section id="type-{i}">')
        out.append(f"<h2>{esc(fig.name)}</h2>")
        out.append(svg.render([fig], scale, standalone=False, first=i, with_legend=False))
        out.extend(_tables(fig))
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def _tables(fig: Figure) -> list[str]:
    out = ['<table class="groups"><tr><th>row</th><th>targets</th><th>size</th><th>align</th>'
           "<th>holes</th><th>tail padding</th></tr>"]
    for g in fig.groups:
        pic = g.picture
        holes = sum(x.end - x.start for x in pic.gaps if x.kind == "hole")
        pad = sum(x.end - x.start for x in pic.gaps if x.kind == "padding")
        out.append(f"<tr><td>{esc(g.label)}</td><td>{esc(', '.join(g.targets))}</td>"
                   f'<td class="num">{pic.size}</td><td class="num">{pic.align}</td>'
                   f'<td class="num">{_bits(holes)}</td><td class="num">{_bits(pad)}</td></tr>')
    out.append("</table>")
    moved = [c.path for g in fig.groups for c in g.picture.cells if c.path in fig.moved]
    order = list(dict.fromkeys(moved))
    if order:
        head = "".join(f"<th>{esc(g.label)}</th>" for g in fig.groups)
        out.append(f'<table class="moved"><tr><th>member that moves</th><th>accessor</th>{head}</tr>')
        for path in order:
            cells, acc = [], ""
            for g in fig.groups:
                c = next((c for c in g.picture.cells if c.path == path), None)
                if c is not None and c.accessors and not acc:
                    acc = ", ".join(c.accessors)
                cells.append("-" if c is None else _span(c))
            row = "".join(f'<td class="num">{esc(x)}</td>' for x in cells)
            out.append(f'<tr><td class="moved">{esc(path)}</td><td>{esc(acc)}</td>{row}</tr>')
        out.append("</table>")
    return out


def _span(c) -> str:
    if c.unit is not None:
        return f"bits {c.start}:{c.width}"
    return f"{c.start // 8:#x}:{(c.end - c.start) // 8}"


def _bits(bits: int) -> str:
    return str(bits // 8) if bits % 8 == 0 else f"{bits / 8:g} ({bits} bits)"
