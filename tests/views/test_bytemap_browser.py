"""The byte map page in a real browser: headless Chromium (Debian's
``chromium`` package; ``.ci/run`` installs it) renders the page with no
console error, and a screenshot at a fixed size shows the member, bitfield,
hole and padding colours in the pixel columns the oracle's offsets give
(libclang or gcc, ``tests/oracle``): column = X0 + offset x scale, the
picture's geometry, fixed by the test (16 pixels per byte).  The PNG is read
with ``png_reader`` (zlib only).  Skips when Chromium is not installed."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from abicheck import api
from abicheck.cli import main
from abicheck.targets import get_target
from abicheck.views.bytemap import html as bhtml
from abicheck.views.bytemap import sources, svg
from views import bytemap_oracle as bo
from views.png_reader import read_png
from views.test_bytemap import PROBE, check_page

pytestmark = pytest.mark.oracle

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed "
                                    "(apt-get install chromium; .ci/run does)")
SCALE = 16
WINDOW = (720, 440)
CONSOLE = re.compile(r":CONSOLE[:(]")


def chromium(page: str, *args: str) -> subprocess.CompletedProcess:
    here = os.path.dirname(os.path.abspath(page))
    # --no-sandbox: CI runs as root; a profile of its own in the test's folder
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--force-device-scale-factor=1", "--enable-logging=stderr", "--v=0",
           "--no-first-run", "--disable-extensions", f"--user-data-dir={here}/profile",
           *args, "file://" + os.path.abspath(page)]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                              env={**os.environ, "HOME": here})
    except subprocess.TimeoutExpired:
        pytest.fail("chromium did not finish in 120 s")


def console_errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


@needs_chromium
def test_the_console_check_sees_errors(tmp_path):
    # the check below must be able to fail: a page with a script error
    bad = tmp_path / "bad.html"
    bad.write_text("<!DOCTYPE html><html><body><script>nosuch();</script></body></html>")
    r = chromium(str(bad), "--dump-dom")
    assert console_errors(r.stderr), r.stderr[-2000:]


@needs_chromium
def test_siginfo_page_renders_without_console_errors(tmp_path):
    from abicheck import bundled
    page = tmp_path / "siginfo.html"
    assert main(["layout", "asm/siginfo.h", "--type", "siginfo_t", "-I",
                 bundled.headers_dir("linux-6.6"), "-t", "x86_64,i386,arm64,mips,s390x",
                 "--format", "html", "-o", str(page)]) == 0
    p = check_page(page.read_text())
    r = chromium(str(page), "--dump-dom")
    assert r.returncode == 0, r.stderr[-2000:]
    assert not console_errors(r.stderr), console_errors(r.stderr)
    dom = r.stdout
    assert dom.count('class="group"') == p.svg_rows > 1
    assert "<svg" in dom and "si_pkey" in dom
    # the standalone SVG too: an XML parse error would show as the page
    pic = tmp_path / "siginfo.svg"
    assert main(["layout", "asm/siginfo.h", "--type", "siginfo_t", "-I",
                 bundled.headers_dir("linux-6.6"), "-t", "x86_64,i386",
                 "--format", "svg", "-o", str(pic)]) == 0
    r = chromium(str(pic), "--dump-dom")
    assert r.returncode == 0 and not console_errors(r.stderr)
    assert "parsererror" not in r.stdout and 'class="group"' in r.stdout


def _near(c, want: str, tol: int = 12) -> bool:
    w = tuple(int(want[i:i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= tol for a, b in zip(c, w))


def _runs(kinds: list[str]) -> list[tuple[int, int, str]]:
    out, start = [], 0
    for i in range(1, len(kinds) + 1):
        if i == len(kinds) or kinds[i] != kinds[start]:
            out.append((start, i, kinds[start]))
            start = i
    return out


def _kinds(lay_o: dict, moved: set[str]) -> tuple[list[str], list[str]]:
    """What each bit of the record is, by the oracle, and whose it is."""
    kinds = ["?"] * (lay_o["size"] * 8)
    owner = [""] * len(kinds)           # runs split where one member ends, another starts
    leaves = bo.leaves(lay_o)
    for m in lay_o["members"]:
        a, b = bo.span(m)
        if m["path"] in leaves:
            for i in range(a, b):
                kinds[i] = ("moved" if m["path"] in moved else
                            "bitfield" if m["bit_width"] is not None else "member")
                owner[i] = m["path"] + (" bits" if m["bit_width"] is not None else "")
    for i in bo.hole_bits(lay_o):
        kinds[i] = "hole"
    for i in bo.padding_bits(lay_o):
        kinds[i] = "padding"
    assert "?" not in kinds
    return kinds, owner


def _row_top(png, kinds: list[str], below: int) -> int:
    """The first pixel line under ``below`` with a member's colour in the
    middle of byte 0 and a hole's in the middle of the first hole (the
    legend has both colours too, but not in those columns)."""
    assert kinds[0] == "member"
    col0 = svg.X0 + SCALE // 2
    h0 = kinds.index("hole")
    h1 = next(i for i in range(h0, len(kinds)) if kinds[i] != "hole")
    colh = int(svg.X0 + (h0 + h1) / 2 / 8 * SCALE)
    top = next((y for y in range(below, png.height - 8)
                if _near(png.pixel(col0, y), svg.COLOURS["member"])
                and _near(png.pixel(colh, y + 8), svg.COLOURS["hole"])), None)
    assert top is not None, f"no row below pixel line {below} with a member at byte 0 and a hole after it"
    return top


def _wrong_pixels(png, top: int, kinds: list[str], owner: list[str]) -> list[str]:
    wrong = []
    for a, b, key in _runs([f"{k} {o}" for k, o in zip(kinds, owner)]):
        kind = key.split()[0]
        x0, x1 = svg.X0 + a * SCALE / 8, svg.X0 + b * SCALE / 8
        # every pixel column of the run, away from its edges (strokes blend
        # there); a run narrower than five pixels: its middle
        cols = range(int(x0) + 2, int(x1) - 2) if x1 - x0 >= 5 else [int((x0 + x1) / 2)]
        # above a box's label; a bitfield's box is inset in its storage unit
        y = top + 3 if kind in ("member", "moved") and not key.endswith(" bits") else top + 8
        bad = [x for x in cols if not _near(png.pixel(x, y), svg.COLOURS[kind])]
        if bad:
            wrong.append(f"bits {a}..{b} ({key}): pixels {bad[0]}..{bad[-1]} at y={y} are not "
                         f"{svg.COLOURS[kind]} (first: {png.pixel(bad[0], y)})")
    return wrong


@needs_chromium
def test_screenshot_shows_boxes_and_holes_where_the_oracle_puts_them(tmp_path):
    targets = [get_target("x86_64"), get_target("i386")]     # rows differ: big moves
    oracle = [bo.oracle_layout(t, PROBE, "struct bm_probe") for t in targets]
    assert not bo.same(*oracle)
    moved = bo.moved(oracle)
    items = [(api.layout_source(PROBE, ["struct bm_probe"], t)[0], {}) for t in targets]
    page = tmp_path / "probe.html"
    page.write_text(bhtml.page("probe", sources.layout_figures({"struct bm_probe": items}),
                               scale=SCALE))
    shot = tmp_path / "shot.png"
    r = chromium(str(page), f"--screenshot={shot}", f"--window-size={WINDOW[0]},{WINDOW[1]}")
    assert r.returncode == 0 and shot.exists(), r.stderr[-2000:]
    assert not console_errors(r.stderr)
    png = read_png(shot.read_bytes())
    assert (png.width, png.height) == WINDOW

    below, wrong, seen = 0, [], set()
    for t, lay_o in zip(targets, oracle):
        kinds, owner = _kinds(lay_o, moved)
        seen |= set(kinds)
        top = _row_top(png, kinds, below)
        left = next(x for x in range(png.width) if _near(png.pixel(x, top + 3), svg.COLOURS["member"]))
        assert abs(left - svg.X0) <= 1, f"{t.name}: byte 0 starts at pixel {left}, not {svg.X0}"
        wrong += [f"{t.name}: {w}" for w in _wrong_pixels(png, top, kinds, owner)]
        below = top + svg.LANE_H
    assert {"member", "bitfield", "moved", "hole", "padding"} <= seen
    assert not wrong, "\n".join(wrong)
