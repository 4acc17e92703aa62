"""The byte map (``abicheck layout|diff --format svg|html``) against the
oracles: every member box sits at the x the compiler's offset gives and is
as wide as its size, holes and tail padding are shaded exactly where no
member is, rows are the targets whose compiler layouts are identical, and
the members highlighted as moving are those the compiler places differently
between rows.  Expected numbers come from ``tests/oracle`` (libclang
``-target`` or the ABI's cross gcc) through ``bytemap_oracle``; the drawing's
own geometry (``X0``, the scale) is only used to turn pixels back into
bytes.  The browser test is ``test_bytemap_browser.py``."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

import debian_headers
from abicheck import api
from abicheck.cli import main
from abicheck.errors import UsageError
from abicheck.targets import get_target
from abicheck.views.bytemap import html as bhtml
from abicheck.views.bytemap import sources, svg
from views import bytemap_oracle as bo

pytestmark = pytest.mark.oracle

NS = "{http://www.w3.org/2000/svg}"
TARGETS = ("x86_64", "i386", "arm64", "mips", "s390x")
PKEY = "_sifields._sigfault._addr_pkey._pkey"

#: holes before and after ints, a bitfield unit with an unnamed bitfield in
#: it (a bit hole) and a bit hole after it, a 64-bit member that i386 aligns
#: to 4, a nested struct with its own hole, tail padding
PROBE = """\
struct bm_probe {
    char tag;
    int count;
    unsigned int lo : 3;
    unsigned int : 2;
    unsigned int mid : 7;
    unsigned char flag;
    long long big;
    struct { char c; int i; } inner;
    short last;
};
"""


def parse_svg(text: str) -> list[dict]:
    """Per figure: its scale and rows, each row's boxes, holes, padding."""
    root = ET.fromstring(text.encode())
    assert root.tag == NS + "svg"
    figures = []
    for fig in root.iter(NS + "g"):
        if fig.get("class") != "figure":
            continue
        rows = []
        for g in fig.iter(NS + "g"):
            if g.get("class") != "group":
                continue
            row = {"label": g.get("data-label"), "targets": g.get("data-targets").split(),
                   "members": {}, "holes": [], "padding": [], "storage": []}
            for r in g.iter(NS + "rect"):
                cls = r.get("class", "").split()
                geo = (float(r.get("x")), float(r.get("width")), float(r.get("y")),
                       float(r.get("height")))
                if "member" in cls:
                    title = r.find(NS + "title").text
                    row["members"][r.get("data-path")] = (geo, cls, title)
                elif cls and cls[0] in ("hole", "padding"):
                    row[cls[0] if cls[0] == "padding" else "holes"].append(
                        (int(r.get("data-start")), int(r.get("data-end")), geo))
                elif "storage" in cls:
                    row["storage"].append(geo)
            rows.append(row)
        figures.append({"type": fig.get("data-type"), "scale": float(fig.get("data-scale")),
                        "rows": rows})
    return figures


def expected_rows(oracle: dict[str, dict]) -> list[list[str]]:
    """Targets grouped by identical oracle layouts, in first-seen order."""
    rows: list[list[str]] = []
    for t, lay in oracle.items():
        for r in rows:
            if bo.same(oracle[r[0]], lay):
                r.append(t)
                break
        else:
            rows.append([t])
    return rows


def close(a: float, b: float) -> bool:
    return abs(a - b) < 0.011


def check_row(row: dict, lay: dict, scale: float, moved: set[str]) -> None:
    """One drawn row against the oracle's layout of its targets."""
    want = bo.leaves(lay)
    assert set(row["members"]) == set(want), f"{row['label']}: boxes are not the oracle's leaves"
    for path, (a, b) in want.items():
        (x, w, _, _), cls, _ = row["members"][path]
        if a == b:                          # a flexible array: a thin mark centred on its offset
            assert close(x + w / 2, svg.X0 + a / 8 * scale) and w <= 2, f"{path}: mark at {x}"
        else:
            assert close(x, svg.X0 + a / 8 * scale) and close(w, (b - a) / 8 * scale), \
                f"{row['label']} {path}: box at x={x} w={w}, oracle bits {a}..{b}"
        assert ("moved" in cls) == (path in moved), f"{row['label']} {path}: moved class {cls}"
    holes = set()
    for a, b, (x, w, _, _) in row["holes"]:
        assert close(x, svg.X0 + a / 8 * scale) and close(w, (b - a) / 8 * scale)
        holes.update(range(a, b))
    assert holes == bo.hole_bits(lay), f"{row['label']}: holes drawn at other bits than the oracle's"
    pad = set()
    for a, b, (x, w, _, _) in row["padding"]:
        assert close(x, svg.X0 + a / 8 * scale) and close(w, (b - a) / 8 * scale)
        pad.update(range(a, b))
    assert pad == bo.padding_bits(lay)


def check_figure(fig: dict, oracle: dict[str, dict]) -> None:
    rows = expected_rows(oracle)
    assert [r["targets"] for r in fig["rows"]] == rows
    moved = bo.moved([oracle[r[0]] for r in rows])
    for row in fig["rows"]:
        check_row(row, oracle[row["targets"][0]], fig["scale"], moved)


# --------------------------------------------------------------- siginfo_t

@pytest.fixture(scope="module")
def siginfo():
    """abicheck's figure of the kernel's siginfo_t (Debian's headers for each
    ABI) and the oracle's layouts of the same text."""
    oracle, items = {}, []
    for name in TARGETS:
        t = get_target(name)
        dirs = bo.skip_without_dirs(debian_headers.include_dirs(t), t)
        oracle[t.name] = bo.oracle_layout(t, "#include <asm/siginfo.h>\n", "siginfo_t", dirs)
        tr = api.translate(["asm/siginfo.h"], t, dirs)
        (lay,) = api.layout_translation(tr, ["siginfo_t"])
        items.append((lay, sources.accessor_paths(tr, [lay])["siginfo_t"]))
    return oracle, sources.layout_figures({"siginfo_t": items})


def test_siginfo_rows_boxes_holes_and_moves_are_the_oracles(siginfo):
    oracle, figures = siginfo
    (fig,) = parse_svg(svg.render(figures))
    assert len(fig["rows"]) > 1                # the test must see rows differ
    check_figure(fig, oracle)


def test_siginfo_si_pkey_is_labelled_with_its_accessor(siginfo):
    # the kernel's uapi header: #define si_pkey _sifields._sigfault._addr_pkey._pkey
    _, figures = siginfo
    (fig,) = parse_svg(svg.render(figures))
    for row in fig["rows"]:
        assert "accessor si_pkey" in row["members"][PKEY][2]
        assert "accessor" not in row["members"]["si_signo"][2]


def test_siginfo_every_accessor_is_in_the_pictures_text(siginfo):
    """At the automatic scale si_pid's 4-byte box is narrower than its name:
    the name is drawn smaller or listed in the key under the figure, never
    left to a hover title alone (nor only a sibling path's name shown)."""
    import re
    _, figures = siginfo
    root = ET.fromstring(svg.render(figures).split("\n", 1)[1])
    ns = "{http://www.w3.org/2000/svg}"
    shown = " ".join("".join(t.itertext()) for t in root.iter(f"{ns}text"))
    titled = {a for t in root.iter(f"{ns}title")
              for m in re.finditer(r"accessor ([\w, ]+)", t.text or "") for a in m.group(1).split(", ")}
    # the kernel's asm-generic/siginfo.h defines these for every ABI
    assert {"si_pid", "si_uid", "si_addr", "si_pkey", "si_status", "si_utime", "si_band", "si_fd"} <= titled
    missing = [a for a in sorted(titled) if not re.search(rf"\b{a}\b", shown)]
    assert missing == []


# --------------------------------------------------- a record with holes

def _probe(targets=TARGETS, source=PROBE, name="struct bm_probe"):
    oracle, items = {}, []
    for n in targets:
        t = get_target(n)
        oracle[t.name] = bo.oracle_layout(t, source, name)
        (lay,) = api.layout_source(source, [name], t)
        items.append((lay, {}))
    return oracle, sources.layout_figures({name: items})


def test_probe_rows_boxes_holes_and_padding_are_the_oracles():
    oracle, figures = _probe()
    (fig,) = parse_svg(svg.render(figures))
    assert len(fig["rows"]) > 1
    check_figure(fig, oracle)


def test_bitfields_are_drawn_inside_their_storage_unit():
    oracle, figures = _probe()
    (fig,) = parse_svg(svg.render(figures))
    s = fig["scale"]
    for row in fig["rows"]:
        lay = oracle[row["targets"][0]]
        for m in lay["members"]:
            if m["bit_width"] is None:
                continue
            unit = m["size"] * 8               # the declared type's storage unit
            u0 = m["bit_offset"] - m["bit_offset"] % unit
            (x, w, y, h), cls, _ = row["members"][m["path"]]
            assert "bitfield" in cls
            want = (svg.X0 + u0 / 8 * s, unit / 8 * s)
            boxes = [g for g in row["storage"] if close(g[0], want[0]) and close(g[1], want[1])]
            assert boxes, f"{m['path']}: no storage unit drawn at bits {u0}..{u0 + unit}"
            sx, sw, sy, sh = boxes[0]
            assert sx <= x and x + w <= sx + sw and sy <= y and y + h <= sy + sh


# ------------------------------------------------------------ the commands

class _Strict(HTMLParser):
    """Balanced tags (void elements aside), and what a self-contained page
    must not have: scripts, external resources, CSS that fetches."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "source", "wbr",
            "rect", "line", "path", "circle"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.tags, self.problems, self.svg_rows = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.problems.append(f"<{tag}>")
        for k, v in attrs:
            if k in ("src", "href") or k.startswith("on") or "url(" in (v or ""):
                self.problems.append(f"{tag} {k}={v}")
        if tag == "g" and a.get("class") == "group":
            self.svg_rows += 1
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "style" and ("url(" in data or "@import" in data):
            self.problems.append("style fetches")


def check_page(text: str) -> _Strict:
    p = _Strict()
    p.feed(text)
    p.close()
    assert text.startswith("<!DOCTYPE html>")
    assert not p.problems and not p.stack, (p.problems, p.stack)
    return p


def _write(tmp_path, name, text):
    f = tmp_path / name
    f.write_text(text)
    return str(f)


def test_layout_html_parses_is_self_contained_and_deterministic(tmp_path, capsys):
    h = _write(tmp_path, "probe.h", PROBE)
    outs = []
    for i in range(2):
        out = tmp_path / f"map{i}.html"
        assert main(["layout", h, "-t", "x86_64,i386,mips", "--format", "html", "-o", str(out)]) == 0
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    page = outs[0].decode()
    p = check_page(page)
    oracle = {t: bo.oracle_layout(get_target(t), PROBE, "struct bm_probe")
              for t in ("x86_64", "i386", "mips")}
    assert p.svg_rows == len(expected_rows(oracle))
    # one table row per group, after the header row
    assert page.count("<tr><td>") >= p.svg_rows
    assert capsys.readouterr().out == ""


def test_layout_svg_to_a_pipe_is_the_oracles_picture(tmp_path, capsys):
    h = _write(tmp_path, "probe.h", PROBE)
    assert main(["layout", h, "-t", "x86_64,aarch64", "--format", "svg"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("<?xml")
    (fig,) = parse_svg(text)
    oracle = {t: bo.oracle_layout(get_target(t), PROBE, "struct bm_probe")
              for t in ("x86_64", "aarch64")}
    check_figure(fig, oracle)


def test_html_to_a_terminal_is_refused(tmp_path, capsys, monkeypatch):
    import sys
    h = _write(tmp_path, "probe.h", PROBE)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    for argv in (["layout", h, "--format", "html"], ["diff", h, h, "-t", "x86_64", "--format", "svg"]):
        assert main(argv) == 2
        cap = capsys.readouterr()
        assert cap.out == "" and cap.err.count("\n") == 1 and "-o FILE" in cap.err


def test_a_picture_to_a_terminal_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    """The refusal comes first: a header that does not exist (or a slow
    --target all) is never read for a picture that would be refused."""
    import sys
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    for fmt in ("html", "svg"):
        assert main(["layout", str(tmp_path / "missing.h"), "--format", fmt]) == 2
        cap = capsys.readouterr()
        assert cap.out == "" and cap.err.count("\n") == 1 and "-o FILE" in cap.err, cap.err


def test_a_picture_emptied_by_the_filters_says_so(tmp_path, capsys):
    """-H 5: the probe has fewer holes, so no record passes; the page and the
    picture say that, as the text does, rather than draw nothing."""
    h = _write(tmp_path, "probe.h", PROBE)
    assert main(["layout", h, "-t", "x86_64", "-H", "5"]) == 0
    assert "passes the filters" in capsys.readouterr().out
    for fmt in ("html", "svg"):
        assert main(["layout", h, "-t", "x86_64", "-H", "5", "--format", fmt]) == 0
        out = capsys.readouterr().out
        assert f"no record of {h} passes the filters on x86_64" in out, fmt
        if fmt == "svg":
            ET.fromstring(out.split("\n", 1)[1])
        else:
            check_page(out)


def test_output_in_a_missing_folder_is_refused_and_nothing_written(tmp_path, capsys):
    h = _write(tmp_path, "probe.h", PROBE)
    out = tmp_path / "no" / "such" / "map.html"
    assert main(["layout", h, "--format", "html", "-o", str(out)]) == 2
    cap = capsys.readouterr()
    assert cap.out == "" and cap.err.startswith("abicheck: error: cannot write") \
        and cap.err.count("\n") == 1
    assert not (tmp_path / "no").exists()


def test_a_report_without_layouts_refuses_html(tmp_path, capsys):
    h = _write(tmp_path, "probe.h", PROBE)
    assert main(["lint", h, "--format", "html"]) == 2        # refused before any work
    cap = capsys.readouterr()
    assert cap.out == "" and "invalid choice: 'html'" in cap.err and cap.err.count("\n") == 1
    from abicheck.report.findings import Report
    from abicheck.report.render import render
    with pytest.raises(UsageError, match="for 'abicheck diff'"):   # the library refuses too
        render(Report("lint", "probe", ("x86_64",)), "html")


OLD = "struct bm_msg {\n    int kind;\n    long stamp;\n    char tag;\n    unsigned int a : 4, b : 4;\n};\n"
NEW = ("struct bm_msg {\n    int kind;\n    int flags;\n    long stamp;\n    char tag;\n"
       "    unsigned int a : 4, : 2, b : 4;\n};\n")


def test_diff_draws_old_above_new_where_the_oracle_places_them(tmp_path, capsys):
    old, new = _write(tmp_path, "old.h", OLD), _write(tmp_path, "new.h", NEW)
    out = tmp_path / "diff.svg"
    code = main(["diff", old, new, "-t", "x86_64,i386", "--format", "svg", "-o", str(out)])
    assert code == 12                           # stamp moves on x86_64: incompatible
    (fig,) = parse_svg(out.read_text())
    assert fig["type"] == "struct bm_msg"
    labels = [r["label"] for r in fig["rows"]]
    assert labels == sorted(labels, key=lambda x: not x.startswith("OLD")) and labels[0].startswith("OLD")
    sides = {"OLD": {}, "NEW": {}}
    for side, src in (("OLD", OLD), ("NEW", NEW)):
        for t in ("x86_64", "i386"):
            sides[side][t] = bo.oracle_layout(get_target(t), src, "struct bm_msg")
    moved = set()
    for t in ("x86_64", "i386"):
        moved |= bo.moved([sides["OLD"][t], sides["NEW"][t]])
    assert "b" in moved and "kind" not in moved
    for side in ("OLD", "NEW"):
        rows = [r for r in fig["rows"] if r["label"].startswith(side)]
        assert [r["targets"] for r in rows] == expected_rows(sides[side])
        for r in rows:
            check_row(r, sides[side][r["targets"][0]], fig["scale"], moved)
    assert capsys.readouterr().out == ""
    page = tmp_path / "diff.html"
    assert main(["diff", old, new, "-t", "x86_64,i386", "--format", "html", "-o", str(page)]) == 12
    check_page(page.read_text())
    assert "OLD A" in page.read_text() and "NEW A" in page.read_text()


def test_diff_notes_name_the_abis_of_each_change(tmp_path):
    """A member inserted before ``long stamp``: where the oracle moves stamp
    (i386: no hole before it) the note that says members moved names that
    ABI, and only the ABIs where stamp really moved."""
    src_old = "struct bm_msg { int kind; long stamp; char tag; };\n"
    src_new = "struct bm_msg { int kind; int flags; long stamp; char tag; };\n"
    old, new = _write(tmp_path, "old.h", src_old), _write(tmp_path, "new.h", src_new)
    targets = ("x86_64", "i386", "aarch64", "mips")
    out = tmp_path / "diff.svg"
    main(["diff", old, new, "-t", ",".join(targets), "--format", "svg", "-o", str(out)])
    root = ET.fromstring(out.read_text().split("\n", 1)[1])
    notes = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")
             if t.get("class") == "note"]

    def stamp(t: str, src: str) -> int:
        return next(m["offset"] for m in bo.oracle_layout(get_target(t), src, "struct bm_msg")["members"]
                    if m["path"] == "stamp")
    moved_on = {t for t in targets if stamp(t, src_old) != stamp(t, src_new)}
    assert moved_on and moved_on != set(targets), "the oracle must move stamp on some ABIs only"
    (moving,) = [n for n in notes if "moved the members after it" in n]
    named = set(moving[moving.rindex("(") + 1:-1].split(", "))
    assert named == moved_on


def test_hostile_names_are_escaped():
    src = "struct bm_x { int a; };\n"
    (lay,) = api.layout_source(src, ["struct bm_x"], get_target("x86_64"))
    fig = sources.layout_figures({"struct bm_x": [(lay, {"a": ["<b>&\"x\x01"]})]})
    text = svg.render(fig)
    ET.fromstring(text.encode())
    check_page(bhtml.page("t <i>", fig))


ODD = ("typedef long bm_t;\nstruct bm_fl { int n; char d[]; };\nstruct bm_e {};\n"
       "union bm_u { char c[5]; int i; };\n"
       "struct bm_n { char a; union { char c[5]; int i; } u; union { short s; char t[3]; }; char z; };\n")


@pytest.mark.parametrize("name", ["bm_t", "struct bm_fl", "struct bm_e", "union bm_u", "struct bm_n"])
def test_odd_types_are_drawn_where_the_oracle_puts_them(name):
    targets = ("x86_64", "i386")
    if name == "struct bm_e":                # no member for the oracle to list
        (lay,) = api.layout_source(ODD, [name], get_target("x86_64"))
        (fig,) = parse_svg(svg.render(sources.layout_figures({name: [(lay, {})]})))
        assert fig["rows"][0]["members"] == {} and fig["rows"][0]["holes"] == []
        return
    if name == "bm_t":                       # a scalar typedef: one box, the type's size
        for n in targets:
            t = get_target(n)
            o = bo.oracle_layout(t, ODD + "struct bm_w { bm_t v; };\n", "struct bm_w")
            (lay,) = api.layout_source(ODD, [name], t)
            (fig,) = parse_svg(svg.render(sources.layout_figures({name: [(lay, {})]})))
            (x, w, _, _), _, _ = fig["rows"][0]["members"]["bm_t"]
            assert close(x, svg.X0) and close(w, o["members"][0]["size"] * fig["scale"])
        return
    oracle, figures = _probe(targets, ODD, name)
    (fig,) = parse_svg(svg.render(figures))
    check_figure(fig, oracle)
    check_page(bhtml.page(name, figures))


def test_accessor_macros_and_fields_label_their_members(tmp_path, capsys):
    # a dotted macro labels its member by itself; a plain one when --field names it
    h = _write(tmp_path, "probe.h", PROBE + "#define bm_inner_i inner.i\n#define bm_cnt count\n")
    assert main(["layout", h, "-t", "x86_64", "--field", "bm_cnt", "--format", "svg"]) == 0
    (fig,) = parse_svg(capsys.readouterr().out)
    members = fig["rows"][0]["members"]
    assert "accessor bm_inner_i" in members["inner.i"][2]
    assert "accessor bm_cnt" in members["count"][2]
    assert "accessor" not in members["tag"][2] and "accessor" not in members["big"][2]
    assert main(["layout", h, "-t", "x86_64", "--format", "svg"]) == 0
    (fig,) = parse_svg(capsys.readouterr().out)
    assert "accessor" not in fig["rows"][0]["members"]["count"][2]
