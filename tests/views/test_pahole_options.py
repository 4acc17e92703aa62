"""pahole's options on `abicheck layout` give what pahole gives with them.

The oracle is pahole 1.24 itself, as in test_pahole_golden.py: the same
corpus compiled with ``gcc -g``, ``pahole OPTION -C NAME`` against ``abicheck
layout --target x86_64 OPTION --type NAME``, identical text but for our first
comment line.  The filters (-H, -B, --structs, --unions, -P) run over every
record of forty real uapi and glibc headers and must list what pahole lists.
Where our -P differs from pahole's (its reorganizer is a heuristic), the
difference is listed with its reason and our number is checked with gcc: the
reordered struct, compiled, has the size we print.
"""
from __future__ import annotations

import contextlib
import io
import os
import platform
import re
import shutil
import subprocess

import pytest

from abicheck.cli import main
from views.test_pahole_golden import RECORDS, SWEEP, SYNTHETIC, SYSTEM, _run_cli, _variable

pytestmark = [
    pytest.mark.skipif(shutil.which("pahole") is None, reason="pahole not installed (apt-get install dwarves)"),
    pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed"),
    pytest.mark.skipif(platform.machine() != "x86_64", reason="the corpus is compiled for the host, x86_64"),
]

#: records of our own beyond the golden corpus: pahole's habits it does not show
EXTRA = """
struct g_inner_pad { long a; char b; };
struct g_padbits { struct g_inner_pad s; int c:3; };
typedef unsigned char g_u8;
typedef g_u8 g_key[5];
typedef g_key g_keys[2];
struct g_typedef_arrays { g_u8 a:3; g_key k; g_keys ks; g_u8 :0; g_u8 z; };
typedef g_keys g_keyss[3];
struct g_arrays_of_typedefs { g_key arr[3]; g_keys k2[2]; g_keyss k3; };
"""
EXTRA_RECORDS = [("struct g_padbits", "g_padbits"), ("struct g_typedef_arrays", "g_typedef_arrays"),
                 ("struct g_arrays_of_typedefs", "g_arrays_of_typedefs")]


@pytest.mark.parametrize("option", [[], ["-E"], ["-E", "--hex", "-r"]], ids=lambda o: " ".join(o) or "plain")
def test_extra_records_print_what_pahole_prints(tmp_path, option):
    """A member's padding and a trailing bitfield's bit padding (pahole
    prints "paddings" before "bit_padding"); -E through a typedef of an
    array of a typedef of an array of a typedef."""
    header = tmp_path / "extra.h"
    header.write_text(EXTRA)
    src = tmp_path / "extra.c"
    src.write_text(f'#include "{header}"\n' + "".join(_variable(n, i) for i, (n, _) in enumerate(EXTRA_RECORDS)))
    obj = tmp_path / "extra.o"
    subprocess.run(["gcc", "-g", "-c", str(src), "-o", str(obj)], check=True, capture_output=True)
    for name, pname in EXTRA_RECORDS:
        if pname == "g_arrays_of_typedefs" and "-E" not in option:
            continue    # not yet: without -E we print 'g_key arr[3]', DWARF (and pahole) 'g_u8 arr[3][5]'
        code, out, err = _ours(["layout", str(header), "--target", "x86_64", "--type", name, *option])
        assert code == 0, err
        theirs = _pahole(*option, "-C", pname, str(obj))
        assert out.split("\n", 1)[1] == theirs
    assert "paddings: 1, sum paddings: 7 */\n\t/* bit_padding: 29 bits" in _pahole("-C", "g_padbits", str(obj))


#: the options that shape the text, alone and combined as pahole allows
SHAPING = [["-E"], ["--expand_types", "-r"], ["-E", "--hex"], ["--hex"], ["-r"], ["--rel_offset", "--hex"],
           ["-c", "32"], ["-c", "128"], ["--cacheline_size", "16", "-r"], ["-E", "-c", "32"]]


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    """(header, object) of the golden corpus: one variable of each record."""
    d = tmp_path_factory.mktemp("pahole_opts")
    header = d / "golden.h"
    header.write_text(SYSTEM + SYNTHETIC)
    src = d / "golden.c"
    src.write_text(f'#include "{header}"\n' + "".join(_variable(n, i) for i, (n, _) in enumerate(RECORDS)))
    obj = d / "golden.o"
    subprocess.run(["gcc", "-g", "-c", str(src), "-o", str(obj)], check=True, capture_output=True)
    return header, obj


def _pahole(*argv: str) -> str:
    return subprocess.run(["pahole", *argv], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("option", SHAPING, ids=" ".join)
def test_shaping_options_print_what_pahole_prints(golden, option):
    """Every record of the golden corpus, with the option, as pahole prints it."""
    header, obj = golden
    argv = ["layout", str(header), "--system", "--target", "x86_64", *option]
    for name, _ in RECORDS:
        argv += ["--type", name]
    ours = _run_cli(argv)
    wrong = [name for name, pname in RECORDS if ours[name] != _pahole(*option, "-C", pname, str(obj))]
    assert wrong == []


def test_the_options_change_the_text(golden):
    """Each shaping option shows in pahole's text of the corpus (else the
    comparison above could not fail on it)."""
    _, obj = golden
    plain = _pahole("-C", "g_cacheline", str(obj))
    for option, habit in ((["--hex"], "0x3c"), (["-r"], "was 8 bytes ago --- */\n\tchar                       q;"),
                          (["-c", "32"], "cacheline 1 boundary (32 bytes)")):
        text = _pahole(*option, "-C", "g_cacheline", str(obj))
        assert habit in text and habit not in plain, option
    # -E: typedefs named in comments, named records expanded (also in arrays)
    expanded = "".join(_pahole("-E", "-C", n, str(obj)) for n in ("sigaction", "input_event", "g_arrays"))
    for habit in ("/* typedef __sighandler_t */ void", "/* typedef __sigset_t */ struct {", "\t}time; /*",
                  "} arr __attribute__((__aligned__(4)))[2][3]"):
        assert habit in expanded, habit


def test_shaping_options_on_every_record_of_real_headers(sweep):
    """-E -r --hex on the sweep's 900 records: typedef chains (``__aligned_u64
    -> __u64``), typedefs of arrays of typedefs, named records in unions."""
    from abicheck import api
    from abicheck.layout import Layouter
    from abicheck.targets import get_target
    from abicheck.views import text
    from abicheck.views.pahole_options import TextOptions

    header, obj, names = sweep
    tr = api.translate([str(header)], get_target("x86_64"), [], [], True)
    opts = TextOptions(expand_types=True, hex=True, rel_offset=True, layouter=Layouter(tr.unit, tr.target))
    wrong = []
    for name in names:
        theirs = _pahole("-E", "-r", "--hex", "-C", name.split()[1], str(obj))
        if text.render(api.layout_translation(tr, [name])[0], opts).split("\n", 1)[1] != theirs:
            wrong.append(name)
    assert wrong == []


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """(header, object, the struct and union names pahole finds) of the
    headers of test_pahole_golden's sweep, every type kept in DWARF."""
    d = tmp_path_factory.mktemp("pahole_sweep")
    headers = [h for h in SWEEP if os.path.exists(os.path.join("/usr/include", h))]
    header = d / "sweep.h"
    header.write_text("#define _GNU_SOURCE\n" + "".join(f"#include <{h}>\n" for h in headers))
    src = d / "sweep.c"
    src.write_text(f'#include "{header}"\n')
    obj = d / "sweep.o"
    subprocess.run(["gcc", "-g", "-fno-eliminate-unused-debug-types", "-c", str(src), "-o", str(obj)],
                   check=True, capture_output=True)
    names = sorted(_listed(_pahole(str(obj))))
    assert len(names) > 600
    from abicheck import api
    from abicheck.targets import get_target
    tr = api.translate([str(header)], get_target("x86_64"), [], [], True)
    # pahole -C TAG finds the typedef of that name first; leave those out
    return header, obj, [n for n in names if n.split()[1] not in tr.unit.typedefs]


def _listed(text: str) -> set[str]:
    """The records a pahole text shows (their opening lines)."""
    return {line[:-2] for line in text.splitlines()
            if line.startswith(("struct ", "union ")) and line.endswith(" {") and len(line.split()) == 3}


def _ours(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


FILTERS = [["-H", "1"], ["-H", "2"], ["--holes", "3"], ["-B", "1"], ["--bit_holes", "2"], ["--structs"],
           ["--unions"], ["-H", "1", "-B", "1"], ["--structs", "-H", "4"], ["-B", "1", "--hex"]]


@pytest.mark.parametrize("option", FILTERS, ids=" ".join)
def test_filters_list_what_pahole_lists(sweep, option):
    header, obj, names = sweep
    argv = ["layout", str(header), "--system", "--target", "x86_64", *option]
    for n in names:
        argv += ["--type", n]
    code, out, err = _ours(argv)
    assert code == 0, err
    theirs = _listed(_pahole(*option, str(obj))) & set(names)
    assert theirs, "the filter keeps nothing: the test could not fail"
    assert _listed(out) == theirs


def test_a_filter_keeping_nothing_says_so(sweep):
    header, _, _ = sweep
    code, out, err = _ours(["layout", str(header), "--system", "--target", "x86_64",
                            "--type", "struct timeval", "-H", "1"])
    assert (code, err) == (0, "") and out.startswith("/* no record of ") and out.count("\n") == 1


#: where our -P line differs from pahole's, and why (checked with gcc below)
PACKABLE_DIFFERENCES = {
    # pahole ignores aligned attributes: no order takes it under its aligned(32)
    "g_aligned": "pahole 32 -> 20; any order stays 32",
    # glibc ends struct timex with eleven 'int :32;': pahole drops them, they are declared
    "timex": "pahole 208 -> 152 by dropping declared padding; reordering gives 200",
    # pahole's moves stop at 132, sorting by alignment reaches 128
    "v4l2_event": "pahole 136 -> 132; 128 by alignment",
    # pahole's heuristic finds no move; sorting by alignment shrinks them
    "dvd_lu_send_title_key": "pahole: not packable; 16 -> 12",
    "snd_rawmidi_params": "pahole: not packable; 48 -> 40",
    "snd_timer_ginfo": "pahole: not packable; 248 -> 240",
    "v4l2_standard": "pahole: not packable; 72 -> 64",
}


def test_packable_matches_pahole_but_for_its_heuristic(golden, sweep):
    """Our -P lines are pahole's, but for the listed records; both sides of
    each listed difference are seen, so the list stays true."""
    seen_diffs = set()
    for header, obj, names, system in ((golden[0], golden[1], [n for n, _ in RECORDS], True),
                                       (sweep[0], sweep[1], sweep[2], True)):
        argv = ["layout", str(header), "--target", "x86_64", "-P"] + (["--system"] if system else [])
        for n in names:
            argv += ["--type", n]
        code, out, err = _ours(argv)
        assert code == 0, err
        ours = {line.split("\t")[0]: line for line in out.splitlines()[1:]}
        theirs = {line.split("\t")[0]: line for line in _pahole("-P", str(obj)).splitlines()}
        theirs = {k: v for k, v in theirs.items() if any(n.split()[-1] == k for n in names)}
        assert theirs
        for name in set(ours) | set(theirs):
            if ours.get(name) != theirs.get(name):
                assert name in PACKABLE_DIFFERENCES, (name, ours.get(name), theirs.get(name))
                seen_diffs.add(name)
    assert seen_diffs == set(PACKABLE_DIFFERENCES)


def _reordered_source(header, names: list[str], target: str, system: bool) -> tuple[str, int]:
    """C that asserts, for each struct -P would shrink on ``target``, that
    gcc gives the reordered struct the size we print: members re-declared in
    our order, each with its own type and alignment (``__typeof__`` and
    ``__alignof__`` of the original member; a bitfield with its declared
    type and width).  Records with anonymous members are left out (nothing
    names their type); (source, how many records it checks)."""
    from abicheck import api
    from abicheck import model as m
    from abicheck.layout import Layouter
    from abicheck.targets import get_target
    from abicheck.views import packable

    tr = api.translate([str(header)], get_target(target), [], [], system)
    engine = Layouter(tr.unit, tr.target)
    src = [f'#define _GNU_SOURCE\n#include "{header}"\n']
    checked = 0
    for i, lay in enumerate(api.layout_translation(tr, [n for n in names if n.startswith("struct ")])):
        size, fields = packable.reorder(engine, lay)
        if size == lay.size or any(f.name is None and f.bits is None for f in fields):
            continue
        of = f"((struct {lay.root.tag} *)0)"
        body = "".join(
            f"{m.c_name(f.type)} {f.name or ''}:{engine.eval(f.bits)}; " if f.bits is not None else
            f"__typeof__({of}->{f.name}) {f.name} __attribute__((aligned(__alignof__({of}->{f.name})))); "
            for f in fields)
        src.append(f"struct reordered_{i} {{ {body}}} __attribute__((aligned(__alignof__(struct {lay.root.tag}))));\n"
                   f"_Static_assert(sizeof(struct reordered_{i}) == {size}, \"{lay.name}\");\n")
        checked += 1
    return "".join(src), checked


@pytest.mark.parametrize("target, cc", [("x86_64", "gcc"), ("i386", "i686-linux-gnu-gcc"),
                                        ("m68k", "m68k-linux-gnu-gcc")])
def test_the_reordered_sizes_are_gccs(sweep, golden, tmp_path, target, cc):
    """gcc lays out each reordering -P reports in the size we print: on
    x86_64 for the sweep and the golden corpus, on i386 and m68k (where
    pahole's word-size assumptions fail most) for the synthetic records."""
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} not installed")
    if target == "x86_64":
        runs = [(sweep[0], sweep[2], True), (golden[0], [n for n, _ in RECORDS], True)]
    else:
        header = tmp_path / "synthetic.h"
        header.write_text(SYNTHETIC)
        runs = [(header, [n for n, p in RECORDS if p.startswith("g_")], False)]
    checked = 0
    for header, names, system in runs:
        source, n = _reordered_source(header, names, target, system)
        checked += n
        c = tmp_path / "reordered.c"
        c.write_text(source)
        r = subprocess.run([cc, "-fsyntax-only", str(c)], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr[-2000:]
    assert checked >= (12 if target == "x86_64" else 2)


def test_packable_on_several_targets_says_what_each_saves(golden):
    """-P with several targets: per record, the targets grouped by what
    reordering gives there; i386's numbers are i686 gcc's DWARF via pahole."""
    if shutil.which("i686-linux-gnu-gcc") is None:
        pytest.skip("i686-linux-gnu-gcc not installed")
    header = golden[0].parent / "synthetic.h"
    header.write_text(SYNTHETIC)
    obj = header.parent / "synthetic_i386.o"
    src = header.parent / "synthetic_i386.c"
    names = [(n, p) for n, p in RECORDS if p.startswith("g_")]
    src.write_text(f'#include "{header}"\n' + "".join(_variable(n, i) for i, (n, _) in enumerate(names)))
    subprocess.run(["i686-linux-gnu-gcc", "-g", "-c", str(src), "-o", str(obj)], check=True, capture_output=True)
    argv = ["layout", str(header), "--target", "x86_64,i386", "-P"]
    code, out, err = _ours(argv)
    assert code == 0, err
    rows = [line.split("\t") for line in out.splitlines()[1:]]
    assert all(r[4] in ("x86_64", "i386", "x86_64, i386") for r in rows)
    # what reordering saves on i386, where it saves anything
    i386 = {r[0]: "\t".join(r[:4]) for r in rows if "i386" in r[4].split(", ") and r[3] != "0"}
    theirs = {line.split("\t")[0]: line for line in _pahole("-P", str(obj)).splitlines()}
    assert theirs.pop("g_aligned") and "g_aligned" not in i386     # as on x86_64
    # pahole 1.24 moves no bitfield (its bitfield reorganizer is compiled out)
    assert i386.pop("g_bits") == "g_bits\t16\t12\t4"
    assert i386 == theirs and len(theirs) >= 3
    # a record packable on one ABI only shows the other's numbers too
    assert ["g_nested", "28", "28", "0", "i386"] in rows and ["g_nested", "40", "32", "8", "x86_64"] in rows


@pytest.mark.parametrize("argv, message", [
    (["--structs", "--unions"], "--structs and --unions exclude each other"),
    (["--unions", "-P"], "--unions with -P/--packable"),
    (["--unions", "-H", "1"], "--unions with -H/--holes"),
    (["--hex", "--format", "json"], "--hex shapes the pahole text"),
    (["-r", "--target", "x86_64,i386"], "-r/--rel_offset shapes the pahole text of one target"),
    (["-P", "--format", "json"], "-P/--packable prints pahole's packing lines"),
    (["-P", "-E"], "-P/--packable prints one line per record"),
    (["--show-only-differences"], "--show-only-differences compares targets"),
    (["-H", "0"], "expected a positive integer"),
    (["-c", "x"], "expected a positive integer"),
])
def test_refused_combinations_are_one_line_exit_2(tmp_path, argv, message):
    header = tmp_path / "a.h"
    header.write_text("struct a { char c; int i; };\n")
    target = [] if "--target" in argv else ["--target", "x86_64"]
    code, out, err = _ours(["layout", str(header), *target, *argv])
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err


_MEMBER = re.compile(r"^\t[^\t/].*?(\w+)(?:\[\d*\])*(?: __attribute__\(\(__aligned__\(\d+\)\)\))?;"
                     r"\s+/\*\s+(\d+)\s+(\d+) \*/$")


def _members(text: str) -> dict[str, tuple[str, str]]:
    """{name: (offset, size)} of a pahole text's outermost members, and
    the size from its summary."""
    out = {m.group(1): (m.group(2), m.group(3)) for m in map(_MEMBER.match, text.splitlines()) if m}
    out["size/align"] = (re.search(r"/\* size: (\d+),", text).group(1), "")
    return out


def test_show_only_differences_shows_the_rows_that_differ(golden, tmp_path):
    """x86_64 against i386: the rows shown are the members whose offset or
    size differ between pahole's texts from each ABI's gcc -g object."""
    if shutil.which("i686-linux-gnu-gcc") is None:
        pytest.skip("i686-linux-gnu-gcc not installed")
    records = ["g_holes", "g_arrays", "g_packed", "g_aligned", "g_typedef_member"]
    header = tmp_path / "synthetic.h"
    header.write_text(SYNTHETIC)
    src = tmp_path / "synthetic.c"
    src.write_text(f'#include "{header}"\n' + "".join(_variable(f"struct {n}", i) for i, n in enumerate(records)))
    objs = {}
    for target, cc in (("x86_64", "gcc"), ("i386", "i686-linux-gnu-gcc")):
        objs[target] = tmp_path / f"{target}.o"
        subprocess.run([cc, "-g", "-c", str(src), "-o", str(objs[target])], check=True, capture_output=True)
    argv = ["layout", str(header), "--target", "x86_64,i386", "--show-only-differences"]
    for n in records:
        argv += ["--type", f"struct {n}"]
    code, out, err = _ours(argv)
    assert code == 0, err
    chunks = dict(re.findall(r"/\* struct (\w+) on 2 targets: [^\n]*\n((?:[^/\n][^\n]*\n|/\* \[[^\n]*\n)*)", out))
    assert set(chunks) == set(records)
    for n in records:
        a, b = (_members(_pahole("-C", n, str(objs[t]))) for t in ("x86_64", "i386"))
        expected = {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}    # i128: x86_64 only
        rows = [line for line in chunks[n].splitlines() if not line.startswith(("/*", "  member"))]
        assert all(line.startswith("! ") for line in rows), rows
        assert {line.split()[1] for line in rows} == expected, n
    assert "g_typedef_member" in out and not [r for r in chunks["g_typedef_member"].splitlines() if r.startswith("!")]


@pytest.mark.parametrize("target", ["i386", "m68k", "s390x", "armel"])
def test_shaping_options_on_other_targets(tmp_path, target):
    """-E -r --hex and -c 32 on other ABIs: the synthetic records as pahole
    prints them from that ABI's Debian cross gcc -g object."""
    from abicheck import api
    from abicheck.layout import Layouter
    from abicheck.targets import get_target
    from abicheck.views import text
    from abicheck.views.pahole_options import TextOptions
    from views.test_pahole_golden import CROSS, NO_DWARF_ALIGNMENT

    cc, flags = CROSS[target]
    if shutil.which(cc) is None:
        pytest.skip(f"{cc} not installed")
    header = tmp_path / "synthetic.h"
    header.write_text(SYNTHETIC)
    names = [(n, p) for n, p in RECORDS if p.startswith("g_") and n not in NO_DWARF_ALIGNMENT.get(target, ())]
    src = tmp_path / "synthetic.c"
    src.write_text(f'#include "{header}"\n' + "".join(_variable(n, i) for i, (n, _) in enumerate(names)))
    obj = tmp_path / "synthetic.o"
    subprocess.run([cc, "-g", "-c", str(src), "-o", str(obj), *flags], check=True, capture_output=True)
    tr = api.translate([str(header)], get_target(target), [], [], False)
    engine = Layouter(tr.unit, tr.target)
    wrong = []
    for option, opts in ((["-E", "-r", "--hex"], TextOptions(True, True, True, layouter=engine)),
                         (["-c", "32"], TextOptions(cacheline_size=32, layouter=engine))):
        for name, pname in names:
            theirs = _pahole(*option, "-C", pname, str(obj))
            if text.render(api.layout_translation(tr, [name])[0], opts).split("\n", 1)[1] != theirs:
                wrong.append((option[0], name))
    assert wrong == []


def test_filters_on_several_targets_keep_what_passes_on_any(tmp_path):
    """-H 1 and -B 1 on x86_64 and m68k (2-byte alignment: fewer holes): the
    records pahole lists from either ABI's object, each shown for both."""
    if shutil.which("m68k-linux-gnu-gcc") is None:
        pytest.skip("m68k-linux-gnu-gcc not installed")
    header = tmp_path / "synthetic.h"
    header.write_text(SYNTHETIC)
    src = tmp_path / "synthetic.c"
    src.write_text(f'#include "{header}"\n')
    objs = []
    for cc in ("gcc", "m68k-linux-gnu-gcc"):
        objs.append(tmp_path / f"{cc}.o")
        subprocess.run([cc, "-g", "-fno-eliminate-unused-debug-types", "-c", str(src), "-o", str(objs[-1])],
                       check=True, capture_output=True)
    for option in (["-H", "1"], ["-B", "1"], ["-H", "2"]):
        code, out, err = _ours(["layout", str(header), "--target", "x86_64,m68k", *option])
        assert code == 0, err
        ours = set(re.findall(r"^/\* (struct \w+|union \w+) on 2 targets", out, re.M))
        each = [_listed(_pahole(*option, str(o))) for o in objs]
        assert each[0] != each[1], "the ABIs do not differ: the test could not fail"
        assert ours == each[0] | each[1], option
