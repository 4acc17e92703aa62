"""One record on one target, in exactly the text pahole prints from DWARF.

Kernel developers read struct layouts as ``pahole -C NAME obj.o`` prints them,
so this view reproduces pahole 1.24's text byte for byte for records compiled
with ``gcc -g`` (tests/views/test_pahole_golden.py holds it to that): what GCC
records in DWARF decides what pahole can say, so the same facts decide ours.

- Types are spelled as GCC names them in DWARF (``long unsigned int``), typedef
  names kept, pointers as ``T *`` (``T * *``), function pointers in declarator
  form ``int (*cb)(int, char *)``; members of named record types are shown by
  type name, members of anonymous record types are expanded in place.
- One tab per level; the type column is 26 wide at the top and 8 narrower per
  level, the ``name;`` column 23 (21 when the outermost record is a union),
  then ``/* offset size */`` as ``%5u %5u``, or ``%5u:%2u %2u`` for a bitfield
  (its storage unit's offset, the bit inside it, the unit's size).
- Between members: bit holes to the end of a bitfield's unit, byte holes,
  the notes for bitfields GCC combined with a neighbour's unit, and a named
  struct member's own tail padding (``XXX last struct has N bytes of padding``).
- A cacheline marker before the first member that starts in a new 64-byte line
  (``was N bytes ago`` when the line began inside the previous member); the
  count is shared with nested structs; each union arm starts from the count
  at the union, and the union leaves it there.
- ``aligned``/``packed`` where DWARF has them: GCC's user alignment (an
  ``aligned`` attribute in or on the type, DW_AT_alignment) and the packing
  pahole infers from offsets, sizes and natural alignments (``infer_packing``).
- Zero-length arrays as ``[]`` where pahole allows a flexible array, else ``[0]``;
  an array of an anonymous record expanded like the record.
- The summary of a struct (unions get none), in pahole's order.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from abicheck import model as m
from abicheck.layout import Member, TypeLayout
from abicheck.views.dwarf_names import declaration, type_name

CACHELINE = 64
_TYPE_SPACING = 26


def expanded(c: Member) -> bool:
    """pahole expands a member in place when its type is an anonymous record
    written there (DWARF gives it no name to print instead)."""
    return c.kind in ("struct", "union") and isinstance(c.type, m.Record) and c.type.tag is None


def _unit(c: Member) -> int:
    """Byte offset of a bitfield's storage unit (of its type's size)."""
    return c.bit_offset // (c.size * 8) * c.size


def _start_byte(c: Member) -> int:
    return _unit(c) if c.bit_width is not None else c.offset


def _end_byte(c: Member) -> int:
    return _start_byte(c) + c.size


def record_end(node: Member) -> int:
    """Where pahole sees a record's members end (its padding starts): the
    last member's end, or for a trailing bitfield the end of the unit it was
    merged into, or of its bits where they run past that unit (m68k)."""
    last = node.children[-1]
    if last.bit_width is None:
        return _end_byte(last)
    bits_end = (last.bit_offset + last.bit_width + 7) // 8
    return max(max(_end_byte(k) for k in node.children), bits_end)


def _has_hole(node: Member) -> bool:
    last = None
    for k in node.children:
        if last is not None and _start_byte(k) > _end_byte(last):
            return True
        last = k
    return False


def infer_packing(root: Member) -> dict[int, bool]:
    """Which expanded records pahole prints ``__packed__`` (DWARF has no flag
    for it), keyed by ``id``.  pahole decides top-down and a decision sticks:
    a struct with no hole and no padding is packed when a member sits off its
    natural alignment or the size is not a multiple of the largest; a struct
    with holes or padding is not, but marks its struct members placed off
    their natural alignment; a union is not, but marks its struct members
    whose natural alignment does not divide its size."""
    decided: dict[int, bool] = {}

    def visit(node: Member) -> None:
        kids = node.children
        structs = [k for k in kids if k.kind == "struct"]
        if id(node) not in decided and kids:
            if node.kind == "union":
                decided[id(node)] = False
                for k in structs:
                    if node.size % k.natural_align:
                        decided.setdefault(id(k), True)
            elif _has_hole(node) or record_end(node) < node.offset + node.size:
                decided[id(node)] = False
                for k in structs:
                    if (k.offset - node.offset) % k.natural_align:
                        decided.setdefault(id(k), True)
            else:
                aligns = [k.natural_align for k in kids if k.natural_align > 1]
                decided[id(node)] = any((_start_byte(k) - node.offset) % k.natural_align for k in kids) \
                    or (bool(aligns) and node.size % max(aligns) != 0)
        for k in kids:
            if expanded(k):
                visit(k)
            elif k.element is not None:
                visit(k.element)
    visit(root)
    return decided


def _aligned(n: int) -> str:
    return f" __attribute__((__aligned__({n})))"


def tail_padding(c: Member) -> int:
    """Bytes after a struct's last member (pahole's class->padding)."""
    if c.kind != "struct" or not c.children:
        return 0
    return max(0, c.offset + c.size - record_end(c))


@dataclass
class _Stats:
    """The top-level struct's numbers for the summary."""

    holes: list[int] = field(default_factory=list)
    bit_holes: list[int] = field(default_factory=list)
    paddings: list[int] = field(default_factory=list)
    forced: int = 0
    forced_holes: list[int] = field(default_factory=list)


class _Printer:
    def __init__(self, name_spacing: int, packing: dict[int, bool]) -> None:
        self.name_spacing = name_spacing
        self.packing = packing
        self.lines: list[str] = []
        self.cacheline = 0
        self.stats = _Stats()

    def width(self, depth: int) -> int:
        return _TYPE_SPACING - 8 * (depth - 1) + self.name_spacing

    def line(self, depth: int, text: str, comment: str) -> None:
        w = self.width(depth)
        text = text.ljust(w) if len(text) < w else text + " "
        self.lines.append("\t" * depth + text + comment)

    def body(self, node: Member, depth: int, in_union: bool = False) -> None:
        """The members of record ``node`` (an arm of a union: ``in_union``)
        at indentation ``depth``."""
        top = depth == 1
        tabs = "\t" * depth
        is_union = node.kind == "union"
        start_line = self.cacheline
        last: Member | None = None
        for c in node.children:
            if is_union:
                self.cacheline = start_line
            elif last is not None:
                self.between(last, c, depth)
            self.marker(c.offset if c.bit_width is None else _unit(c), tabs)
            if top and c.user_align:
                self.stats.forced += 1
            # where pahole writes "[]": a struct's last member, not its only
            # one, the struct not an arm of a union
            flexible = not is_union and not in_union and c is node.children[-1] \
                and len(node.children) > 1
            self.member(c, depth, is_union, flexible)
            if not is_union:        # pahole notes a member's padding in structs only
                self.padding_note(c, depth)
            last = c
        if is_union:
            self.cacheline = start_line

    def marker(self, offset: int, tabs: str) -> None:
        line = offset // CACHELINE
        if line > self.cacheline:
            pos = offset % CACHELINE
            ago = f" was {pos} byte{'s' if pos != 1 else ''} ago" if pos else ""
            self.lines.append(f"{tabs}/* --- cacheline {line} boundary ({offset - pos} bytes){ago} --- */")
            self.cacheline = line

    def between(self, last: Member, c: Member, depth: int) -> None:
        """What pahole prints between two members: holes, the unnamed
        bitfields it infers from them, and notes on merged bitfield units."""
        top = depth == 1
        tabs = "\t" * depth
        notes: list[str] = []
        if self.padded(last):       # its note ends with the member's block
            self.lines.append("")
        start = _start_byte(c)
        start_bit = c.bit_offset if c.bit_width is not None else c.offset * 8
        both_bits = last.bit_width is not None and c.bit_width is not None
        same_unit = c.bit_width is not None and start == _start_byte(last)
        bit_hole = 0
        if last.bit_width is not None:
            bit_hole = min(_end_byte(last) * 8, start_bit) - (last.bit_offset + last.bit_width)
            if bit_hole > 0:
                notes += ["", f"{tabs}/* XXX {bit_hole} bit{'s' if bit_hole != 1 else ''} hole, try to pack */"]
                if top:
                    self.stats.bit_holes.append(bit_hole)
                if both_bits and same_unit:
                    # pahole shows a gap inside one unit as an unnamed bitfield
                    notes.append(f"{tabs}{self.column(type_name(c.type), depth)} :{bit_hole};")
        hole = start - _end_byte(last)
        if hole > 0:
            notes += ([] if notes else [""]) + [f"{tabs}/* XXX {hole} byte{'s' if hole != 1 else ''} hole, try to pack */"]
            if top:
                self.stats.holes.append(hole)
                if c.user_align:
                    self.stats.forced_holes.append(hole)
        if both_bits and not same_unit and bit_hole > 0:
            # ... and a jump to a later unit as a zero-width one
            notes += ["", f"{tabs}/* Force alignment to the next boundary: */",
                      f"{tabs}{self.column(type_name(c.type), depth)} :0;"]
        overlap = start < _end_byte(last)
        if overlap and last.bit_width is not None and not same_unit:
            notes += ([] if notes else [""]) + [f"{tabs}/* Bitfield combined with next fields */"]
        if notes:
            self.lines += notes + [""]
        if overlap and last.bit_width is None and c.bit_width is not None:
            self.lines += ["", f"{tabs}/* Bitfield combined with previous fields */", ""]

    @staticmethod
    def column(ty: str, depth: int) -> str:
        # deep levels: pahole's "%-*s" with a negative width pads to its magnitude
        return f"{ty:<{abs(_TYPE_SPACING - 8 * (depth - 1))}}"

    def padded(self, c: Member) -> int:
        """Tail padding of a named struct member (pahole notes it)."""
        return tail_padding(c) if c.name is not None and not isinstance(c.type, m.TypedefRef) \
            and c.kind == "struct" else 0

    def padding_note(self, c: Member, depth: int) -> None:
        pad = self.padded(c)
        if pad:
            self.lines += ["", "\t" * depth + f"/* XXX last struct has {pad} byte{'s' if pad != 1 else ''} of padding */"]
            if depth == 1:
                self.stats.paddings.append(pad)

    def member(self, c: Member, depth: int, in_union: bool, flexible: bool = False) -> None:
        tabs = "\t" * depth
        # an anonymous struct in a union shows its own alignment; other
        # anonymous members only their type's
        own = _aligned(c.user_align) if c.user_align and (
            c.name or (in_union and c.kind == "struct")) else ""
        if expanded(c):
            self.lines.append(f"{tabs}{c.kind} {{")
            self.body(c, depth + 1, in_union)
            attrs = (" __attribute__((__packed__))" if self.packing.get(id(c)) else "") \
                + (_aligned(c.record_user_align) if c.record_user_align else "")
            # pahole pads an inline type's closing line by a count that leaves
            # out the name's own attribute and, through printf's "%*s" with a
            # negative width, turns an overshoot into as many spaces
            n = self.width(depth) - (len(c.name) if c.name else -1) - 3 - len(attrs)
            if c.kind == "union":
                # a union shows one alignment, after its name, counted as the type's
                close = "}" + attrs.replace(_aligned(c.record_user_align), "") \
                    + (f" {c.name}" if c.name else "") \
                    + (_aligned(c.record_user_align) if c.record_user_align else "") + ";"
            else:
                close = "}" + attrs + (f" {c.name}" if c.name else "") + own + ";"
            self.lines.append(f"{tabs}{close}{' ' * max(1, abs(n))}/* {c.offset:5d} {c.size:5d} */")
            return
        if c.element is not None:
            # an array of an anonymous record: expanded like one, and padded
            # as pahole pads any member, counting the whole text (one space)
            e = c.element
            self.lines.append(f"{tabs}{e.kind} {{")
            self.body(e, depth + 1, in_union)
            attrs = (" __attribute__((__packed__))" if self.packing.get(id(e)) else "") \
                + (_aligned(e.record_user_align) if e.record_user_align else "")
            _, decl = declaration(c, flexible)
            self.lines.append(f"{tabs}}}{attrs} {decl}{own}; /* {c.offset:5d} {c.size:5d} */")
            return
        ty, decl = declaration(c, flexible)
        text = f"{self.column(ty, depth)} {decl}"
        if c.bit_width is not None:
            unit = _unit(c)
            self.line(depth, f"{text}:{c.bit_width}{own};",
                      f"/* {unit:5d}:{c.bit_offset - unit * 8:2d} {c.size:2d} */")
        else:
            self.line(depth, f"{text}{own};", f"/* {c.offset:5d} {c.size:5d} */")


def render(lay: TypeLayout) -> str:
    """``lay`` as pahole prints it, after one comment line naming the type,
    the target and the declaration."""
    root = lay.root
    out = [f"/* {lay.name} on {lay.target}" + (f", declared at {lay.loc}" if lay.loc else "") + " */"]
    if root.kind not in ("struct", "union"):
        out.append(f"typedef {root.type_name} {lay.name};  /* size: {lay.size}, align: {lay.align} */")
        return "\n".join(out) + "\n"
    # a typedef of a tagged record prints as the record (pahole -C TAG): on the
    # typedef's name pahole would print only "typedef struct TAG NAME;"
    typedef = isinstance(root.type, m.TypedefRef) and not root.tag
    p = _Printer(21 if root.kind == "union" else 23, infer_packing(root))
    out.append(f"typedef {root.kind} {{" if typedef else
               f"{root.kind} {root.tag} {{" if root.tag else f"{root.kind} {{")
    p.body(root, 1)
    out.extend(p.lines)
    out.extend(_forced_padding(root))
    if root.kind == "struct":
        out.append("")
        out.extend(_summary(lay, p.stats))
    # pahole closes an outermost union without its attributes
    close = "}" if root.kind == "union" else "}" \
        + (" __attribute__((__packed__))" if p.packing.get(id(root)) else "") \
        + (_aligned(root.record_user_align) if root.record_user_align else "")
    out.append(f"{close} {lay.name};" if typedef else f"{close};")
    return "\n".join(out) + "\n"


def _forced_padding(root: Member) -> list[str]:
    """Tail padding of at least the record's alignment cannot be the
    compiler's, so pahole shows it as unnamed bitfields of the last
    member's type (``int :32;`` per four bytes)."""
    kids = root.children
    if root.kind != "struct" or not kids:
        return []
    last = kids[-1]
    padding = root.size - record_end(root)
    align = root.record_user_align or max(k.natural_align for k in kids)
    if padding < align or last.bit_width is not None or last.kind not in ("scalar", "pointer", "enum") \
            or not last.size or padding % last.size:
        return []
    line = f"\t{_Printer.column(type_name(last.type), 1)} :{last.size * 8};"
    return ["", "\t/* Force padding: */"] + [line] * (padding // last.size)


def _summary(lay: TypeLayout, st: _Stats) -> list[str]:
    """pahole's summary lines of a struct, in its order."""
    root = lay.root
    kids = root.children
    size = lay.size
    out = [f"/* size: {size}, cachelines: {(size + CACHELINE - 1) // CACHELINE}, members: {len(kids)} */"]
    members = sum(c.size for c in kids if c.bit_width is None)
    if st.holes or (st.bit_holes and members):
        out.append(f"/* sum members: {members}"
                   + (f", holes: {len(st.holes)}, sum holes: {sum(st.holes)}" if st.holes else "") + " */")
    bits = sum(c.bit_width for c in kids if c.bit_width is not None)
    if st.bit_holes:
        out.append(f"/* sum bitfield members: {bits} bits, bit holes: {len(st.bit_holes)}, "
                   f"sum bit holes: {sum(st.bit_holes)} bits */")
    elif bits and st.holes:
        out.append(f"/* sum bitfield members: {bits} bits ({bits // 8} bytes) */")
    if not kids:
        if size:
            out.append(f"/* padding: {size} */")
    else:
        last = kids[-1]
        end = record_end(root)
        padding = max(0, size - end)
        if padding:
            out.append(f"/* padding: {padding} */")
        if last.bit_width is not None:
            bit_padding = min(end, size) * 8 - (last.bit_offset + last.bit_width)
            if bit_padding:
                out.append(f"/* bit_padding: {bit_padding} bits */")
    if st.paddings:
        out.append(f"/* paddings: {len(st.paddings)}, sum paddings: {sum(st.paddings)} */")
    if st.forced:
        out.append(f"/* forced alignments: {st.forced}"
                   + (f", forced holes: {len(st.forced_holes)}, sum forced holes: {sum(st.forced_holes)}"
                      if st.forced_holes else "") + " */")
    if size % CACHELINE:
        out.append(f"/* last cacheline: {size % CACHELINE} bytes */")
    return ["\t" + x for x in out]
