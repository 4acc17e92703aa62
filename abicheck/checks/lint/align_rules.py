"""Rules about alignment hazards (ABI34x): one declaration, several layouts
among ABIs of one word size.

ABIs with the same pointer size are expected to agree on a record that is
declared the same way on each; where they do not, a member's type has an
ABI-specific alignment or size: a 64-bit integer is 8-aligned on arm,
mips, powerpc, s390, sparc, riscv32 and parisc but 4-aligned on i386, arm
OABI and sh4 (2 on m68k), ``long double`` is 12, 8 or 16 bytes.  Records are
compared within groups of targets that have the same pointer size *and* the
same declaration (the same members resolving to the same base types), so an
``#ifdef`` that gives one ABI other members, or a typedef that is ``long
long`` on x32 and ``long`` on i386, is a deliberate difference and not
reported here.

The member blamed is the first one that moves (it, or the member before it
whose size differs, decides where everything after it goes), or, when
nothing moves, the one that makes the size or alignment differ.
"""
from __future__ import annotations

from collections.abc import Iterator

from abicheck import model as m
from abicheck.checks.lint import multiabi as ma
from abicheck.checks.lint.context import HeaderContext
from abicheck.checks.lint.rules import Hit, rule
from abicheck.layout import TypeLayout


def _canon(t: m.Type, lay) -> tuple:
    s = lay.strip(t)
    if isinstance(s, m.Scalar):
        return ("s", s.kind, s.signed, s.complex)
    if isinstance(s, m.Pointer):
        return ("*",)
    if isinstance(s, m.Array):
        return ("[]", _canon(s.element, lay))
    if isinstance(s, m.Record):
        return (s.kind,)
    if isinstance(s, m.Enum):
        return ("enum",)
    return (type(s).__name__,)


def signature(lay: TypeLayout, lay_t) -> tuple:
    """What the declaration says on one target, without sizes."""
    return tuple((k, _canon(n.member.type, lay_t), n.member.bit_width)
                 for k, n in ma.nodes(lay).items())


def partitions(cx: HeaderContext, per_t: dict[str, TypeLayout]) -> list[list[str]]:
    """Targets with one pointer size and one declaration of the record
    (two or more each), in table order."""
    groups: dict[tuple, list[str]] = {}
    for t in cx.compiled():
        if t.name in per_t:
            key = (t.pointer_size, signature(per_t[t.name], cx.layouter(t.name)))
            groups.setdefault(key, []).append(t.name)
    return [g for g in groups.values() if len(g) > 1]


def compared(cx: HeaderContext) -> list[tuple[str, dict[str, TypeLayout], list[str], "_Cmp"]]:
    """Every record with each partition of its targets and their comparison:
    (record, layouts by target, the partition's targets, comparison).  Both
    alignment rules walk the same comparisons; they are made once a header."""
    key = "align-compared"
    if key not in cx.memo:
        cx.memo[key] = [(rec, per_t, ts, _Cmp(per_t, ts))
                        for rec, per_t in ma.record_layouts(cx).items()
                        for ts in partitions(cx, per_t)]
    return cx.memo[key]  # type: ignore[return-value]


class _Cmp:
    """One record's trees on a set of targets that declare it alike."""

    def __init__(self, per_t: dict[str, TypeLayout], ts: list[str]) -> None:
        self.ts = ts
        self.trees = {t: ma.nodes(per_t[t]) for t in ts}
        self.first = self.trees[ts[0]]

    def vals(self, key: str, what: str) -> dict[str, int]:
        out = {}
        for t in self.ts:
            n = self.trees[t][key]
            mem = n.member
            if what == "reloff":
                start = mem.bit_offset if mem.bit_offset is not None else mem.offset * 8
                out[t] = start - (n.parent.offset * 8 if n.parent is not None else 0)
            else:
                out[t] = getattr(mem, what)
        return out

    def varies(self, key: str, what: str) -> bool:
        return len(set(self.vals(key, what).values())) > 1

    def kids(self, key: str) -> list[str]:
        return ma.children(self.first, key)

    def culprits(self, key: str) -> list[str]:
        """Members that make ``key``'s layout differ between the targets."""
        kids = self.kids(key)
        if self.first[key].member.kind == "struct":
            for i, k in enumerate(kids):
                if self.varies(k, "reloff"):
                    earlier = [j for j in kids[:i] if self.varies(j, "size")]
                    return self.blame(earlier[-1] if earlier else k)
        inner = [c for k in kids if self.first[k].member.children for c in self.culprits(k)]
        if inner:
            return inner
        if self.varies(key, "size"):
            sized = [k for k in kids if self.varies(k, "size")]
            if sized:
                return self.blame(sized[-1])
            aligned = [k for k in kids if self.varies(k, "align")]
            if aligned:
                return self.blame(aligned[0])
        return []

    def blame(self, key: str) -> list[str]:
        inner = self.culprits(key) if self.first[key].member.children else []
        return inner or [self.align_leaf(key)]

    def align_leaf(self, key: str, above: int = 0) -> str:
        """The innermost member under ``key`` whose alignment varies (and
        exceeds ``above`` somewhere), or ``key`` itself."""
        while True:
            nxt = [k for k in self.kids(key) if self.varies(k, "align")
                   and max(self.vals(k, "align").values()) > above]
            if not nxt:
                return key
            key = nxt[0]

    def record_varies(self) -> bool:
        return self.varies("", "size") or any(self.varies(k, "reloff") for k in self.first if k)


def _split(c: _Cmp, key: str, what: str, unit: str) -> str:
    return "; ".join(f"{v}{unit} on {', '.join(ts)}" for v, ts in ma.grouped(c.vals(key, what)))


def _about(c: _Cmp, key: str) -> str:
    mem = c.first[key].member
    name = ma.describe(key, mem)
    bits = []
    if c.varies(key, "align"):
        bits.append(f"is {_split(c, key, 'align', '-aligned')}")
    if c.varies(key, "size"):
        bits.append(f"is {_split(c, key, 'size', ' bytes')}")
    return f"member {name} " + " and ".join(bits) if bits else f"member {name}"


def _word(cx: HeaderContext, ts: list[str]) -> int:
    return next(t.pointer_size for t in cx.targets if t.name == ts[0])


@rule("ABI340", "alignment-hazard", "warning",
      "one declaration lays out differently on ABIs of the same word size",
      "ABIs of one word size share most layout rules but not all: a 64-bit integer is 8-aligned on "
      "arm EABI, mips, powerpc and riscv32 and 4-aligned on i386, arm OABI and sh4; m68k aligns "
      "everything to 2; long double has three sizes. A member of such a type moves the members "
      "after it, or changes the record's size, on some of them, so a program or a compat layer "
      "built for one reads garbage on another. Explicit padding before the member, or the "
      "kernel's __aligned_u64, makes the layout one.",
      bad="struct ev {\n\t__u32 code;\n\t__u64 time;\n};",
      good="struct ev {\n\t__u32 code;\n\t__u32 __reserved;\n\t__u64 time;\n};",
      fix="Put the member at an offset that is a multiple of its size (declare the padding before it), "
          "or declare it __aligned_u64.",
      layout=True)
def alignment_hazard(cx: HeaderContext) -> Iterator[Hit]:
    seen: set = set()
    for rec, per_t, ts, c in compared(cx):
        if not c.record_varies():
            continue
        bits = _word(cx, ts) * 8
        size = "" if not c.varies("", "size") else f"; its size is {_split(c, '', 'size', '')}"
        culprits = c.culprits("") or [""]
        for key in culprits:
            mem = c.first[key].member
            loc = mem.loc if key and cx.own(mem.loc) else per_t[ts[0]].loc
            if (str(loc), bits) in seen:
                continue                # a member of a record this header declares: said there
            seen.add((str(loc), bits))
            if key:
                msg = f"{rec}: {_about(c, key)}, so {rec} lays out differently on these {bits}-bit ABIs{size}"
            else:
                msg = (f"{rec} lays out differently on these {bits}-bit ABIs although no member's "
                       f"type differs (the ABI's own record alignment rules){size}")
            sub = f"{rec}.{mem.path or key}" if key else rec
            yield Hit(loc, msg, f"{sub} layout on {bits}-bit ABIs", ma.targets_in_order(cx, ts))


@rule("ABI341", "alignment-raised", "note",
      "a member raises a record's alignment above the word size on some ABIs of that word size",
      "A record whose members fit the word's alignment on every ABI can be embedded anywhere; one "
      "64-bit member that is 8-aligned on arm but 4-aligned on i386 raises the record's alignment "
      "on arm only, which moves it inside every record that embeds it there. This is how a "
      "__u64 added to siginfo's fault union would have moved every field of siginfo_t on 32-bit "
      "arm. The record's own offsets and size agree, so this is a note.",
      bad="struct key {\n\t__u32 id;\n\t__u32 flags;\n\t__u64 value;\n};",
      good="struct key {\n\t__u32 id;\n\t__u32 flags;\n\t__u32 value_lo;\n\t__u32 value_hi;\n};",
      fix="Split the member into 32-bit halves, or accept the alignment and declare it with __aligned_u64 "
          "everywhere.",
      layout=True)
def alignment_raised(cx: HeaderContext) -> Iterator[Hit]:
    seen: set = set()
    for rec, per_t, ts, c in compared(cx):
        word = _word(cx, ts)
        aligns = c.vals("", "align")
        if c.record_varies() or not c.varies("", "align") or max(aligns.values()) <= word:
            continue
        key = c.align_leaf("", word)
        mem = c.first[key].member
        loc = mem.loc if key and cx.own(mem.loc) else per_t[ts[0]].loc
        if (str(loc), word) in seen:
            continue
        seen.add((str(loc), word))
        who = _about(c, key) if key else "its alignment"
        yield Hit(loc, f"{rec}: {who}, which makes {rec} {_split(c, '', 'align', '-aligned')}",
                  f"{rec}.{mem.path or key} alignment on {word * 8}-bit ABIs" if key else
                  f"{rec} alignment on {word * 8}-bit ABIs", ma.targets_in_order(cx, ts))
