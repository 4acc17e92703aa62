"""The tree diff's shortcut (``checks/diff_same``): a constant of NEW proven to
mean what it means in OLD takes OLD's outcome without being expanded or
evaluated.  Its traps, each diffed with the shortcut on and off (the same
report, byte for byte) and the values it reports checked against the
target's own gcc: a constant whose text is unchanged but whose macro
changed; one whose ``sizeof(struct X)`` operand changes on one ABI only
(through a typedef the unchanged struct uses); an enum constant that
changed value under an unchanged macro; constants added and removed; and a
chain of three revisions.  Also: the shortcut is taken (fewer valuations),
and tables probe only what the diff asks for (each as its own run would
expand it)."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from abicheck import api
from abicheck.checks import diff_expand, diff_same, diff_snapshot
from abicheck.checks.diff import run_diff
from abicheck.frontend.macros import MacroTable
from abicheck.layout import Layouter
from abicheck.report.render import render
from abicheck.targets import get_target
from runs.tree import write_tree

#: target -> its gcc (the oracle of every value a test expects)
COMPILERS = {"x86_64": ["gcc"], "i386": ["i686-linux-gnu-gcc"]}

IOC = ("#define _IOC(d, t, n, s) (((d) << 30) | ((t) << 8) | (n) | ((s) << 16))\n"
       "#define _IOR(t, n, T) _IOC(2U, (t), (n), sizeof(T))\n")


def dep(base: int, word: str, first: int) -> str:
    """linux/dep.h: what linux/user.h (unchanged text) reaches."""
    return (f"#ifndef _DEP\n#define _DEP\n{IOC}#define BASE {base:#x}\n#define BASE2 7\n"
            f"typedef {word} word_t;\nenum dep_codes {{ DEP_A = {first}, DEP_B }};\n#endif\n")


USER = ("#include <linux/dep.h>\n"
        "struct arg { word_t w; int i; };\n"
        "#define USER_CODE (BASE + 1)\n"            # its macro changes
        "#define SAME_CODE (BASE2 << 2)\n"          # the same in every revision
        "#define ARG_IOC _IOR('a', 1, struct arg)\n"  # struct arg changes size on i386 only
        "#define BY_ENUM (DEP_B * 2)\n"             # the enum constant changes
        "#define user_word w\n")                    # an accessor

#: three revisions: A -> B changes BASE and DEP_A; B -> C word_t and adds/removes
REVS = {
    "A": {"linux/dep.h": dep(0x10, "unsigned long", 1), "linux/user.h": USER,
          "linux/gone.h": "#define ONLY_OLD 5\n"},
    "B": {"linux/dep.h": dep(0x20, "unsigned long", 3), "linux/user.h": USER,
          "linux/gone.h": "#define ONLY_OLD 5\n"},
    "C": {"linux/dep.h": dep(0x20, "unsigned long long", 3), "linux/user.h": USER,
          "linux/new.h": "#define ONLY_NEW (BASE2_NEW + 1)\n#define BASE2_NEW 6\n"},
}
NAMES = ["USER_CODE", "SAME_CODE", "ARG_IOC", "BY_ENUM", "DEP_A", "DEP_B", "BASE"]


def _compiler(name: str) -> list[str]:
    cc = COMPILERS[name]
    if shutil.which(cc[0]) is None:
        pytest.skip(f"no {cc[0]}")
    return cc


def gcc_values(cc: list[str], root: str, names: list[str]) -> dict[str, int]:
    """Each constant's value as the target's gcc computes it (asm immediates)."""
    probe = "#include <linux/user.h>\nvoid f(void) {\n" + "".join(
        f'  __asm__ volatile("#V {n} %0" :: "i"((long long)({n})));\n' for n in names) + "}\n"
    out = subprocess.run([*cc, "-S", "-o", "-", "-I", root, "-xc", "-"], input=probe,
                         capture_output=True, text=True, check=True).stdout
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"#V (\w+) [#$]?(-?\d+)", out)}


def _both_ways(monkeypatch, old: str, new: str, targets):
    """(report with the shortcut, its JSON); the JSON without the shortcut
    must be the same text."""
    monkeypatch.setattr(diff_same, "SHORTCUT", False)
    slow = render(run_diff(old, new, targets), "json")
    monkeypatch.setattr(diff_same, "SHORTCUT", True)
    report = run_diff(old, new, targets)
    fast = render(report, "json")
    assert fast == slow
    return report


def _changed(report, target: str) -> dict[str, tuple]:
    """constant -> (old, new) of the ABI232 findings on ``target``."""
    out = {}
    for r in report.results:
        for f in r.findings:
            m = re.match(r"(\w+) is (-?\d+), was (-?\d+)$", f.message)
            if f.id == "ABI232" and target in f.targets and m:
                out[m.group(1)] = (int(m.group(3)), int(m.group(2)))
    return out


def _messages(report, target: str) -> list[str]:
    return [f.message for r in report.results for f in r.findings if target in f.targets]


@pytest.mark.parametrize("pair", [("A", "B"), ("B", "C")])
def test_each_link_of_a_chain_reports_what_gcc_computes(tmp_path, monkeypatch, pair):
    targets = [get_target(n) for n in COMPILERS]
    roots = {k: write_tree(tmp_path / k, REVS[k]) for k in pair}
    report = _both_ways(monkeypatch, roots[pair[0]], roots[pair[1]], targets)
    for t in targets:
        cc = _compiler(t.name)
        old, new = (gcc_values(cc, roots[k], NAMES) for k in pair)
        want = {n: (old[n], new[n]) for n in NAMES if old[n] != new[n]}
        # B -> C changes nothing of these on x86_64 (both words are 8 bytes)
        assert bool(want) != (pair == ("B", "C") and t.name == "x86_64"), want
        assert _changed(report, t.name) == want, t.name
        msgs = _messages(report, t.name)
        if pair == ("B", "C"):
            assert "ONLY_OLD removed (was 5)" in msgs
            assert "ONLY_NEW added, = 7" in msgs
    if pair == ("B", "C"):
        # word_t from unsigned long to unsigned long long: struct arg and
        # ARG_IOC change on i386 alone (gcc says so above); the text of
        # linux/user.h is the same in both
        assert "ARG_IOC" in _changed(report, "i386")
        assert "ARG_IOC" not in _changed(report, "x86_64")


def test_the_shortcut_is_taken(tmp_path, monkeypatch):
    """Fewer valuations with it than without, for the same report."""
    old, new = (write_tree(tmp_path / k, REVS[k]) for k in ("A", "B"))
    calls = {"n": 0}
    real = diff_snapshot.macro_value

    def counted(*a):
        calls["n"] += 1
        return real(*a)
    monkeypatch.setattr(diff_snapshot, "macro_value", counted)
    counts = []
    for on in (False, True):
        monkeypatch.setattr(diff_same, "SHORTCUT", on)
        calls["n"] = 0
        run_diff(old, new, [get_target("x86_64")])
        counts.append(calls["n"])
    slow, fast = counts
    # SAME_CODE, ARG_IOC (struct arg is the same on x86_64 in A and B),
    # user_word, BASE2, and the _IOC helpers' users are valued once
    assert fast < slow and slow - fast >= 3, counts


def _pair(tmp_path, old_files, new_files, name="linux/user.h"):
    t = get_target("x86_64")
    trs = []
    for side, files in (("old", old_files), ("new", new_files)):
        root = write_tree(tmp_path / side, files)
        trs.append(api.translate([str(tmp_path / side / name)], t, [root]))
    return diff_same.SamePair(*trs)


def test_what_the_proof_sees(tmp_path):
    a, b = REVS["A"], REVS["B"]
    same = _pair(tmp_path, a, b)
    assert same.macro("SAME_CODE") and same.macro("user_word")
    assert not same.macro("USER_CODE")          # BASE changed
    assert not same.macro("BY_ENUM")            # DEP_B = DEP_A + 1 changed
    assert same.macro("ARG_IOC")                # struct arg is the same model
    c = _pair(tmp_path / "c", b, REVS["C"])
    assert not c.macro("ARG_IOC")               # word_t, inside struct arg, changed
    assert c.macro("USER_CODE") and c.macro("BY_ENUM")


@pytest.mark.parametrize("body", [
    "(__LINE__ + 0)", "(__COUNTER__ + 0)", "(PASTE(BA, SE) + 0)", "(__FILE__[0])"])
def test_no_proof_where_the_expansion_depends_on_where_it_happens(tmp_path, body):
    files = {"linux/user.h": f"#define BASE 1\n#define PASTE(a, b) a##b\n#define X {body}\n"}
    assert not _pair(tmp_path, files, files).macro("X")


def test_a_name_that_is_a_macro_on_one_side_only(tmp_path):
    old = {"linux/user.h": "enum { K = 1 };\n#define Y (K + 1)\n"}
    new = {"linux/user.h": "enum { K = 1 };\n#define K 5\n#define Y (K + 1)\n"}
    assert not _pair(tmp_path, old, new).macro("Y")


def test_self_referring_types_compare(tmp_path):
    files = {"linux/user.h": "struct node { struct node *next; struct leaf *l; int v; };\n"
                             "struct leaf { struct node *up; };\n"
                             "#define NODE_SIZE sizeof(struct node)\n"}
    other = {"linux/user.h": files["linux/user.h"].replace("struct node *up;", "long up;")}
    assert _pair(tmp_path, files, files).macro("NODE_SIZE")
    # struct leaf changed: sizeof(struct node) is the same number, but the
    # proof is of the types, not of one number
    assert not _pair(tmp_path / "o", files, other).macro("NODE_SIZE")


def test_probing_a_few_names_expands_them_as_the_whole_run(tmp_path):
    text = ("#define A 1\n#define B (A + 1)\n#define L (__LINE__ + A)\n#define C (B * 2)\n"
            "#define D (C + L)\n")
    root = write_tree(tmp_path, {"linux/x.h": text})
    t = get_target("x86_64")
    tr = api.translate([str(tmp_path / "linux/x.h")], t, [root])
    whole = MacroTable(tr, Layouter(tr.unit, t)).expansions()
    assert set(whole) == {"B", "L", "C", "D"}
    for want in ({"D"}, {"L"}, {"B", "D"}):
        got = diff_expand.expansions([tr], (), [want])[0]
        assert got == {n: whole[n] for n in want}


#: a sample of real uapi headers, with what they include: enough ioctl
#: numbers, enum sentinels and accessors, small enough for the default run
REAL = ["linux/input-event-codes.h", "linux/fs.h", "linux/if_link.h", "linux/netlink.h",
        "linux/perf_event.h", "linux/signal.h", "linux/videodev2.h", "linux/kvm.h",
        "linux/loop.h", "linux/ioctl.h"]
#: NEW's edits: a macro others reach, a struct an ioctl sizes, an enum, one added
EDITS = [("linux/input-event-codes.h", "#define KEY_ESC\t\t\t1\n", "#define KEY_ESC\t\t\t99\n"),
         ("linux/fs.h", "struct fsxattr {", "struct fsxattr {\n\t__u32 fsx_extra;"),
         ("linux/if_link.h", "IFLA_UNSPEC,", "IFLA_UNSPEC,\n\tIFLA_EXTRA_NEW,"),
         ("linux/loop.h", "#define LOOP_CTL_ADD", "#define LOOP_NEW_ONE 0x4C0F\n#define LOOP_CTL_ADD")]


def _real_tree(dirs: list[str], inc: str, asm: str, edit: bool) -> None:
    """REAL and what they include (transitively) from one ABI's ``dirs``,
    under ``inc``, its asm/ under ``asm``."""
    import os
    todo, seen = list(REAL), set()
    while todo:
        h = todo.pop()
        if h in seen:
            continue
        seen.add(h)
        src = next((os.path.join(d, h) for d in dirs if os.path.isfile(os.path.join(d, h))), None)
        if src is None:
            continue                    # libc's (sys/...): the header fails on both sides
        dst = os.path.join(asm if h.startswith("asm/") else inc, h)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        text = open(src).read()
        todo += re.findall(r'^\s*#\s*include\s*<([^>]+)>', text, re.M)
        if edit:
            for name, old, new in EDITS:
                if name == h:
                    assert old in text, (h, old)
                    text = text.replace(old, new, 1)
        with open(dst, "w") as f:
            f.write(text)


def test_real_headers_the_same_report_with_and_without(tmp_path, monkeypatch):
    """Two trees laid out as Debian 12 installs them (the host's headers in
    usr/include, asm/ in its multiarch folder; aarch64's cross headers in
    usr/aarch64-linux-gnu/include), NEW edited (EDITS), on both ABIs."""
    from debian_headers import include_dirs
    targets = [t for t in map(get_target, ("x86_64", "aarch64")) if include_dirs(t)]
    if not targets or targets[0].name != "x86_64":
        pytest.skip("no host uapi headers")
    for side in ("old", "new"):
        usr = tmp_path / side / "usr"
        for t in targets:
            if t.name == "x86_64":
                inc, asm = usr / "include", usr / "include" / "x86_64-linux-gnu"
            else:
                inc = asm = usr / t.triple / "include"
            _real_tree(include_dirs(t), str(inc), str(asm), side == "new")
    report = _both_ways(monkeypatch, str(tmp_path / "old"), str(tmp_path / "new"), targets)
    for t in targets:
        msgs = _messages(report, t.name)
        assert any(m.startswith("KEY_ESC is 99") for m in msgs), msgs
        assert any(m.startswith("FS_IOC_FSGETXATTR is") for m in msgs), msgs
        assert any(m.startswith("LOOP_NEW_ONE added") for m in msgs), msgs
        assert any("IFLA_EXTRA_NEW" in m for m in msgs), msgs


#: a name whose reach is the same on both ABIs (borrowed), and names whose
#: reach differs by a predefined macro or a definition under #ifdef (never)
LEND = ("#define SHIFT 4\n#define SAME ((1 << SHIFT) + 1)\n"
        "#define WORD (__SIZEOF_LONG__ * 8)\n"
        "#ifdef __x86_64__\n#define WIDE 64\n#else\n#define WIDE 32\n#endif\n"
        "#define BY_ABI (WIDE + SHIFT)\n#define VALUE_%d (SAME + BY_ABI + WORD + %d)\n")


def test_an_abi_borrows_an_expansion_only_when_its_definitions_agree(tmp_path, monkeypatch):
    """The second ABI's table takes the first's text for a name whose
    definitions agree all the way down, and asks cpp for the others; the
    values are gcc's on each ABI, with borrowing and without."""
    targets = [get_target(n) for n in COMPILERS]
    trees = [write_tree(tmp_path / k, {"linux/user.h": LEND % (v, v)})
             for k, v in (("a", 1), ("b", 2))]
    lent: list[set] = []
    real = diff_expand._Lenders.lend

    def spy(self, tr, want):
        got = real(self, tr, want)
        lent.append((tr.target.name, set(got)))
        return got
    monkeypatch.setattr(diff_expand._Lenders, "lend", spy)
    report = _both_ways(monkeypatch, trees[0], trees[1], targets)
    borrowed = set().union(*(names for t, names in lent if t == "i386"))
    assert "SAME" in borrowed
    assert not borrowed & {"WORD", "BY_ABI"}
    for t in targets:
        cc = _compiler(t.name)
        old, new = (gcc_values(cc, root, [name]) for root, name in zip(trees, ("VALUE_1", "VALUE_2")))
        assert old["VALUE_1"] + 1 == new["VALUE_2"]
        assert _changed(report, t.name) == {}
        msgs = _messages(report, t.name)
        assert f"VALUE_2 added, = {new['VALUE_2']}" in msgs
        assert f"VALUE_1 removed (was {old['VALUE_1']})" in msgs
    monkeypatch.setattr(diff_expand._Lenders, "lend", lambda self, tr, want: {})
    assert render(run_diff(trees[0], trees[1], targets), "json") == render(report, "json")
