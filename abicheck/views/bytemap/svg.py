"""A byte map as SVG: bytes on x, one row per group of targets.

Geometry is fixed and public (``X0``, ``LANE_H``, the scale in pixels per
byte) so that a reader of the picture, a test or a browser screenshot, can
turn a pixel column back into a byte offset.  Members of a union, which
share bytes, are stacked in lanes: a member goes to the first lane where
nothing else occupies its bits; a hole goes into the lane of the member it
follows, so it reads as part of its struct.  Tail padding spans every lane
of its row (nothing can be there).  Bits run left to right in allocation
order, so on a big-endian ABI the first bitfield of a unit, which takes its
most significant bits, is drawn leftmost, as on a little-endian one.  Colours are attributes, not only CSS, so
the file looks the same in any viewer; every shape has a ``<title>`` that a
browser shows on hover.  Ids are derived from the figure's position, never
from a counter shared between runs.
"""
from __future__ import annotations

from typing import Sequence
from xml.sax.saxutils import escape, quoteattr

from abicheck.errors import printable
from abicheck.views.bytemap.groups import Cell, Figure, Gap, Group

X0 = 16               # left edge of byte 0, in pixels
LANE_H = 22           # height of one lane
LABEL_H = 18          # the group's label line above its lanes
ROW_GAP = 10
CAPTION_H = 24
RULER_H = 20
LEGEND_H = 30
MAX_WIDTH = 1200      # pixels the widest record is scaled to, at most
MIN_WIDTH = 640
CHAR_W = 6.2          # a 10px sans-serif character, for fitting labels

COLOURS = {
    "member": "#4c78a8",     # a member's bytes
    "bitfield": "#72b7b2",   # a bitfield's bits, inside its storage unit
    "moved": "#e45756",      # a member whose place differs between rows
    "hole": "#8c8c8c",       # unused bytes inside a struct
    "padding": "#c8c8c8",    # tail padding
    "row": "#f4f4f4",        # the record's extent, behind everything
    "storage": "#2f4b6e",    # outline of a bitfield's storage unit
}
LEGEND = (("member", "member"), ("bitfield", "bitfield (in its storage unit)"),
          ("moved", "moves between rows"), ("hole", "hole"), ("padding", "tail padding"))

STYLE = ("svg.bytemap text{font-family:sans-serif;font-size:10px;fill:#222}"
         "svg.bytemap text.in{fill:#fff;pointer-events:none}"
         "svg.bytemap text.caption{font-size:13px;font-weight:bold}"
         "svg.bytemap rect.member:hover,svg.bytemap rect.hole:hover{stroke:#000}")


def auto_scale(size: int) -> float:
    """Pixels per byte: whole pixels up to 24 while the record fits
    ``MAX_WIDTH``, a fraction beyond."""
    if size <= 0:
        return 24
    if size * 1 > MAX_WIDTH:
        return MAX_WIDTH / size
    return float(max(1, min(24, MAX_WIDTH // size)))


def num(x: float) -> str:
    """A coordinate, deterministic and short: ``12``, ``12.5``, ``0.33``."""
    r = round(x, 2)
    return str(int(r)) if r == int(r) else f"{r:.2f}".rstrip("0")


def text(s: str) -> str:
    return escape(printable(s))


def attr(s: str) -> str:
    return quoteattr(printable(s))


def lanes(group: Group) -> tuple[list[tuple[Cell, int]], list[tuple[Gap, int]], int]:
    """Each leaf and hole of a row with its lane; and the number of lanes.
    Lanes the picture does not give (a diff's flat shapes) are packed:
    a member in the lane of its parent's latest member when that is
    free, else the first free lane; a hole next to its member."""
    occupied: list[list[tuple[int, int]]] = []
    where: dict[str, int] = {}

    def free(lane: int, a: int, b: int) -> bool:
        return all(not (a < d and c < b) for c, d in occupied[lane])

    def put(a: int, b: int, prefer: int | None = None) -> int:
        order = ([prefer] if prefer is not None else []) + list(range(len(occupied)))
        for lane in order:
            if free(lane, a, b):
                occupied[lane].append((a, b))
                return lane
        occupied.append([(a, b)])
        return len(occupied) - 1

    pic = group.picture
    holes = [g for g in pic.gaps if g.kind == "hole"]
    if pic.cells and all(c.lane is not None for c in pic.cells):    # the tree decided
        n = max([c.lane for c in pic.cells] + [h.lane or 0 for h in holes]) + 1
        return [(c, c.lane) for c in pic.cells], [(h, h.lane or 0) for h in holes], n
    cells: list[tuple[Cell, int]] = []
    placed: list[tuple[Gap, int]] = []
    last: dict[str, int] = {}          # parent path -> lane of its latest member
    for c in pic.cells:
        # a struct's next member stays in its sibling's lane when it can
        parent = c.path.rpartition(".")[0]
        lane = put(c.start, c.end, last.get(parent))
        last[parent] = lane
        where[c.path] = lane
        cells.append((c, lane))
        for h in holes:                 # a hole right after its member
            if h.after == c.path or (h.after is None and h.start == c.end
                                     and c.path.startswith(h.record)):
                if all(h is not g for g, _ in placed):
                    placed.append((h, put(h.start, h.end, lane)))
    for h in holes:
        if all(h is not g for g, _ in placed):
            placed.append((h, put(h.start, h.end, where.get(h.after or "", None))))
    return cells, placed, max(1, len(occupied))


def figure_height(fig: Figure, scale: float | None = None) -> int:
    rows = sum(LABEL_H + lanes(g)[2] * LANE_H + ROW_GAP for g in fig.groups)
    key = len(accessor_key(fig, _scale(fig, scale)))
    return CAPTION_H + RULER_H + rows + LANE_H * (len(fig.notes) + key)


def _scale(fig: Figure, scale: float | None) -> float:
    return scale or auto_scale(max((g.picture.size for g in fig.groups), default=0))


def _box_font(c: Cell, s: float) -> int | None:
    """The font size (px) a member's label is drawn with inside its box:
    10, or for an accessor (the name a reader looks for) 7 where 10 does
    not fit; None when the box is too narrow (the key below names it)."""
    if c.unit is not None:
        return None                     # a bitfield's box is too thin for text
    w = (c.end - c.start) * s / 8
    for font in (10, 7) if c.accessors else (10,):
        if len(c.label) * CHAR_W * font / 10 + 4 <= w:
            return font
    return None


def accessor_key(fig: Figure, s: float) -> list[str]:
    """The lines under a figure naming the accessors no box shows (box too
    narrow, a bitfield, or a second macro for the same member), each with
    its member path, wrapped to the figure's width: every accessor is in
    the picture's text, not only in a hover title."""
    entries: list[str] = []
    for g in fig.groups:
        for c in g.picture.cells:
            hidden = c.accessors[1:] if _box_font(c, s) else c.accessors
            for a in hidden:
                e = f"{a} = {c.path}"
                if e not in entries:
                    entries.append(e)
    if not entries:
        return []
    width = max(figure_width(fig, s) - 2 * X0, MIN_WIDTH - 2 * X0)
    lines: list[str] = []
    line = ""
    for e in entries:
        longer = f"{line}; {e}" if line else f"accessors: {e}"
        if line and len(longer) * CHAR_W > width:
            lines.append(line + ";")
            longer = f"    {e}"
        line = longer
    return lines + [line]


def figure_width(fig: Figure, scale: float | None = None) -> int:
    size = max((g.picture.size for g in fig.groups), default=0)
    s = scale or auto_scale(size)
    return max(MIN_WIDTH, int(X0 * 2 + size * s + 0.999))


def render_figure(fig: Figure, index: int = 0, scale: float | None = None, y: int = 0) -> str:
    """One type's byte map as an SVG ``<g>``, its top at ``y``."""
    size = max((g.picture.size for g in fig.groups), default=0)
    s = scale or auto_scale(size)
    fid = f"bm{index}"
    out = [f'<g class="figure" id="{fid}" data-type={attr(fig.name)} data-scale="{num(s)}" '
           f'transform="translate(0,{y})">',
           f'<text class="caption" x="{X0}" y="16">{text(fig.caption)}</text>']
    yy = CAPTION_H
    out.append(_ruler(size, s, yy))
    yy += RULER_H
    for note in fig.notes:
        out.append(f'<text class="note" x="{X0}" y="{yy + 14}">{text(note)}</text>')
        yy += LANE_H
    for gi, g in enumerate(fig.groups):
        body, h = _group(g, fig, s, f"{fid}-g{gi}", yy)
        out.append(body)
        yy += h
    for line in accessor_key(fig, s):
        out.append(f'<text class="key" x="{X0}" y="{yy + 14}">{text(line)}</text>')
        yy += LANE_H
    out.append("</g>")
    return "\n".join(out)


def _ruler(size: int, s: float, y: int) -> str:
    step = 1
    while step * s < 40:
        step *= 2
    marks = list(range(0, size + 1, step))
    if marks[-1] != size:
        if (size - marks[-1]) * s < 28:
            marks.pop()
        marks.append(size)
    out = [f'<g class="ruler"><line x1="{X0}" y1="{y + 14}" x2="{num(X0 + size * s)}" '
           f'y2="{y + 14}" stroke="#666"/>']
    for off in marks:
        x = num(X0 + off * s)
        out.append(f'<line x1="{x}" y1="{y + 10}" x2="{x}" y2="{y + 18}" stroke="#666"/>'
                   f'<text x="{x}" y="{y + 8}" text-anchor="middle">{off:#x}</text>')
    out.append("</g>")
    return "".join(out)


def _group(g: Group, fig: Figure, s: float, gid: str, y: int) -> tuple[str, int]:
    pic = g.picture
    cells, holes, n = lanes(g)
    top = LABEL_H
    width = pic.size * s
    full = f"[{g.label}] {', '.join(g.targets)}: {pic.size} bytes, align {pic.align}"
    label = _fit(g, pic, max(width, MIN_WIDTH - 2 * X0))
    out = [f'<g class="group" id="{gid}" data-label={attr(g.label)} '
           f'data-targets={attr(" ".join(g.targets))} data-lanes="{n}" transform="translate(0,{y})">',
           f'<text class="glabel" x="{X0}" y="{top - 5}">{text(label)}<title>{text(full)}</title></text>',
           f'<rect class="row" x="{X0}" y="{top}" width="{num(width)}" height="{n * LANE_H}" '
           f'fill="{COLOURS["row"]}" stroke="#999" stroke-width="0.5"/>']
    for gap in pic.gaps:
        if gap.kind == "padding":
            nbytes = (gap.end - gap.start) / 8
            tip = f"tail padding: {num(nbytes)} byte{'s' if nbytes != 1 else ''} at {_where(gap.start)}"
            out.append(_rect("padding", gap.start, gap.end, s, top, n * LANE_H, COLOURS["padding"], tip))
    for gap, lane in holes:
        bits = gap.end - gap.start
        tip = (f"hole: {_amount(bits)} at {_where(gap.start)}"
               + (f" after {gap.after}" if gap.after else "")
               + (f" in {gap.record}" if gap.record else ""))
        out.append(_rect("hole", gap.start, gap.end, s, top + lane * LANE_H + 1, LANE_H - 2,
                         COLOURS["hole"], tip))
    units = sorted({(lane, c.unit) for c, lane in cells if c.unit is not None})
    for lane, (u0, u1) in units:
        out.append(f'<rect class="storage" x="{num(X0 + u0 * s / 8)}" y="{top + lane * LANE_H + 1}" '
                   f'width="{num((u1 - u0) * s / 8)}" height="{LANE_H - 2}" fill="none" '
                   f'stroke="{COLOURS["storage"]}" stroke-dasharray="3,2"/>')
    for c, lane in cells:
        out.append(_cell(c, c.path in fig.moved, s, top + lane * LANE_H + 1))
    out.append("</g>")
    return "\n".join(out), top + n * LANE_H + ROW_GAP


def _fit(g: Group, pic, width: float) -> str:
    """The row's label in ``width`` pixels: as many target names as fit,
    then how many more (the title and the page's table have them all)."""
    tail = f": {pic.size} bytes, align {pic.align}"
    names = list(g.targets)
    for n in range(len(names), 0, -1):
        more = f", ... (+{len(names) - n})" if n < len(names) else ""
        label = f"[{g.label}] {', '.join(names[:n])}{more}{tail}"
        if len(label) * CHAR_W <= width or n == 1:
            return label
    return f"[{g.label}]{tail}"


def _cell(c: Cell, moved: bool, s: float, y: int) -> str:
    bf = c.unit is not None
    kind = "moved" if moved else "bitfield" if bf else "member"
    cls = "member" + (" bitfield" if bf else "") + (" moved" if moved else "")
    h = LANE_H - 2
    if bf:
        y, h = y + 4, h - 8
    span = (f"bits {c.start}..{c.end} ({c.width} bit{'s' if c.width != 1 else ''}) in the "
            f"{(c.unit[1] - c.unit[0]) // 8}-byte unit at {c.unit[0] // 8:#x}" if bf
            else f"{c.start // 8:#x}..{c.end // 8:#x} ({(c.end - c.start) // 8} bytes)")
    tip = (f"{c.path} ({c.type_name}{':' + str(c.width) if bf else ''}): {span}"
           + (f"; accessor {', '.join(c.accessors)}" if c.accessors else "")
           + ("; moves between rows" if moved else ""))
    x, w = X0 + c.start * s / 8, (c.end - c.start) * s / 8
    if w == 0:                          # a flexible array member: a mark
        x, w = x - 1, 2
    rect = (f'<rect class="{cls}" data-path={attr(c.path)} x="{num(x)}" y="{y}" width="{num(w)}" '
            f'height="{h}" fill="{COLOURS[kind]}" stroke="#fff" stroke-width="1">'
            f'<title>{text(tip)}</title></rect>')
    font = _box_font(c, s)
    if font is not None:
        size = "" if font == 10 else f' font-size="{font}px" style="font-size:{font}px"'
        rect += (f'<text class="in" x="{num(x + w / 2)}" y="{y + h / 2 + font * 0.35:g}"{size} '
                 f'text-anchor="middle">{text(c.label)}</text>')
    return rect


def _rect(cls: str, a: int, b: int, s: float, y: int, h: int, fill: str, tip: str) -> str:
    return (f'<rect class="{cls}" data-start="{a}" data-end="{b}" x="{num(X0 + a * s / 8)}" y="{y}" '
            f'width="{num((b - a) * s / 8)}" height="{h}" fill="{fill}"><title>{text(tip)}</title></rect>')


def _amount(bits: int) -> str:
    if bits % 8 == 0:
        return f"{bits // 8} byte{'s' if bits != 8 else ''}"
    return f"{bits} bit{'s' if bits != 1 else ''}"


def _where(bit: int) -> str:
    return f"{bit // 8:#x}" if bit % 8 == 0 else f"bit {bit}"


def legend(y: int) -> str:
    out = [f'<g class="legend" transform="translate(0,{y})">']
    x = X0
    for key, words in LEGEND:
        out.append(f'<rect class="swatch" x="{x}" y="6" width="14" height="14" fill="{COLOURS[key]}"/>'
                   f'<text x="{x + 18}" y="17">{text(words)}</text>')
        x += 32 + int(len(words) * CHAR_W)
    out.append("</g>")
    return "".join(out)


def render(figures: Sequence[Figure], scale: float | None = None, standalone: bool = True,
           first: int = 0, with_legend: bool = True, empty: str = "") -> str:
    """Every figure stacked in one ``<svg>``, a legend below (unless the
    page has its own); with ``standalone`` an XML document (``--format
    svg``), else an element to inline in HTML (``first``: the first
    figure's index on the page, so ids stay unique).  ``empty``: the line
    that says why there are no figures (a blank picture explains nothing)."""
    if not figures:
        body, height, width = [], 0, MIN_WIDTH
        if empty:
            body.append(f'<text class="note" x="{X0}" y="16">{text(empty)}</text>')
            height = CAPTION_H
    else:
        body, height = [], 0
        for i, f in enumerate(figures):
            body.append(render_figure(f, first + i, scale, height))
            height += figure_height(f, scale)
        width = max(figure_width(f, scale) for f in figures)
    if with_legend:
        body.append(legend(height))
        height += LEGEND_H
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else "")
    what = ", ".join(f.name for f in figures) or "nothing"
    return (f'{head}<svg xmlns="http://www.w3.org/2000/svg" class="bytemap" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label={attr("byte map of " + what)}>\n<style>{STYLE}</style>\n'
            + "\n".join(body) + "\n</svg>\n")


def legend_svg() -> str:
    """The legend alone, for a page that shows it once."""
    width = MIN_WIDTH
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="bytemap legend" width="{width}" '
            f'height="{LEGEND_H}" viewBox="0 0 {width} {LEGEND_H}" role="img" aria-label="legend">'
            f'<style>{STYLE}</style>{legend(0)}</svg>')
