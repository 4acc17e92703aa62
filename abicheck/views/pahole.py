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
- The summary of a struct (unions get none), in pahole's order
  (``views/pahole_summary.py``).
- Anonymous enums written in place expanded with their enumerators; a type
  that is no record (a typedef of a scalar, pointer, array or function, an
  enum) as pahole prints it (``views/pahole_types.py``).  Enumerator values
  and typedefs need the target's ``Layouter`` (``TextOptions.layouter``).

pahole's options (``views/pahole_options.py``, held to pahole's text by
tests/views/test_pahole_options.py) change only what this walk prints:
``-E`` expands members of named record types and typedefs too, with
``/* typedef A -> B */`` before the type and a 55-wide name column; ``--hex``
prints the numbers of the comments as C's ``%#x``; ``-r`` counts offsets (and
so cacheline markers) from the enclosing record; ``-c`` sets the cacheline.
"""
from __future__ import annotations

import dataclasses

from abicheck import model as m
from abicheck.layout import Member, TypeLayout
from abicheck.views.dwarf_names import declaration, type_name
from abicheck.views.pahole_geometry import end_byte, expanded, infer_packing, start_byte, tail_padding, unit
from abicheck.views.pahole_options import TextOptions
from abicheck.views.pahole_summary import Stats, forced_padding, summary
from abicheck.views.pahole_types import enum_attrs, enumerator_lines, render_type, typedef_chain

_TYPE_SPACING = 26


def _aligned(n: int) -> str:
    return f" __attribute__((__aligned__({n})))"


class _Printer:
    """One walk over a record's member tree, appending pahole's lines.

    pahole prints while it walks, and what a line looks like depends on
    what came before it (the cacheline already announced, the holes the
    summary counts, which records it decided are packed), so that state
    lives here: ``lines`` the text so far, ``cacheline`` the last line
    announced, ``stats`` the top level's numbers, ``packing`` the decisions
    of ``infer_packing`` by member id."""

    def __init__(self, name_spacing: int, packing: dict[int, bool], opts: TextOptions) -> None:
        self.name_spacing = name_spacing
        self.packing = packing
        self.opts = opts
        self.lines: list[str] = []
        self.cacheline = 0
        self.stats = Stats()

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
            self.marker(self.shown(c.offset if c.bit_width is None else unit(c), node), tabs)
            if top and c.user_align:
                self.stats.forced += 1
            # where pahole writes "[]": a struct's last member, not its only
            # one, the struct not an arm of a union
            flexible = not is_union and not in_union and c is node.children[-1] \
                and len(node.children) > 1
            self.member(c, node, depth, is_union, flexible)
            if not is_union:        # pahole notes a member's padding in structs only
                self.padding_note(c, depth)
            last = c
        if is_union:
            self.cacheline = start_line

    def shown(self, offset: int, node: Member) -> int:
        """An offset as pahole prints it: from the outermost record's start,
        or with ``-r`` from the start of the record ``node`` it is in (the
        cacheline markers then count from there too, as pahole's do)."""
        return offset - node.offset if self.opts.rel_offset else offset

    def comment(self, offset: int, size: int, bit: int | None = None) -> str:
        """``/* offset size */``, or ``/* unit:bit size */`` for a bitfield."""
        num = self.opts.number
        if bit is None:
            return f"/* {num(offset, 5)} {num(size, 5)} */"
        return f"/* {num(offset, 5)}:{num(bit, 2)} {num(size, 2)} */"

    def marker(self, offset: int, tabs: str) -> None:
        size = self.opts.cacheline_size
        line = offset // size
        if line > self.cacheline:
            pos = offset % size
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
        start = start_byte(c)
        start_bit = c.bit_offset if c.bit_width is not None else c.offset * 8
        both_bits = last.bit_width is not None and c.bit_width is not None
        same_unit = c.bit_width is not None and start == start_byte(last)
        bit_hole = 0
        if last.bit_width is not None:
            bit_hole = min(end_byte(last) * 8, start_bit) - (last.bit_offset + last.bit_width)
            if bit_hole > 0:
                notes += ["", f"{tabs}/* XXX {bit_hole} bit{'s' if bit_hole != 1 else ''} hole, try to pack */"]
                if top:
                    self.stats.bit_holes.append(bit_hole)
                if both_bits and same_unit:
                    # pahole shows a gap inside one unit as an unnamed bitfield
                    notes.append(f"{tabs}{self.type_column(c, depth)} :{bit_hole};")
        hole = start - end_byte(last)
        if hole > 0:
            notes += ([] if notes else [""]) + [f"{tabs}/* XXX {hole} byte{'s' if hole != 1 else ''} hole, try to pack */"]
            if top:
                self.stats.holes.append(hole)
                if c.user_align:
                    self.stats.forced_holes.append(hole)
        if both_bits and not same_unit and bit_hole > 0:
            # ... and a jump to a later unit as a zero-width one
            notes += ["", f"{tabs}/* Force alignment to the next boundary: */",
                      f"{tabs}{self.type_column(c, depth)} :0;"]
        overlap = start < end_byte(last)
        if overlap and last.bit_width is not None and not same_unit:
            notes += ([] if notes else [""]) + [f"{tabs}/* Bitfield combined with next fields */"]
        if notes:
            self.lines += notes + [""]
        if overlap and last.bit_width is None and c.bit_width is not None:
            self.lines += ["", f"{tabs}/* Bitfield combined with previous fields */", ""]

    def through_typedefs(self, c: Member) -> tuple[str, Member]:
        """-E: pahole's ``/* typedef A -> B */ `` for a member (or array
        element) whose type is a typedef, and the member with the type the
        typedefs name; else ``""`` and the member."""
        eng = self.opts.layouter
        if not self.opts.expand_types or eng is None:
            return "", c
        prefix, t = typedef_chain(c.type, eng)
        if not prefix:
            return "", c
        return prefix, dataclasses.replace(c, type=t, type_name=eng.type_name(t))

    def type_column(self, c: Member, depth: int) -> str:
        """The type column of an unnamed bitfield pahole infers before ``c``."""
        prefix, c = self.through_typedefs(c)
        return prefix + self.column(type_name(c.type), depth)

    def named_element(self, c: Member) -> Member | None:
        """-E: the first element's tree of an array of a named record."""
        eng = self.opts.layouter
        if not self.opts.expand_types or eng is None or c.kind != "array":
            return None
        t = eng.strip(c.type)
        while isinstance(t, m.Array):
            t = eng.strip(t.element)
        if not isinstance(t, m.Record) or not t.fields:
            return None
        element = eng.member_tree(None, None, t, c.offset * 8, c.loc)
        self.packing.update(infer_packing(element, True))
        return element

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

    def anonymous_enum(self, c: Member, e: m.Enum, node: Member, depth: int, prefix: str,
                       flexible: bool) -> None:
        """An enum written in place (``e``: of the member, or of its array's
        elements), expanded as pahole expands it: its enumerators, then ``}
        name;`` padded by a count that leaves out the packed attribute -- or,
        for an array or an enum printed through its typedef (-E), a count of
        every character pahole wrote for the type, lines and tabs included."""
        tabs = "\t" * depth
        lines = [f"{tabs}{prefix}enum {{", *enumerator_lines(e, self.opts.layouter, tabs + "\t", self.opts.hex)]
        bits = f":{c.bit_width}" if c.bit_width is not None else ""
        _, decl = declaration(c, flexible)
        size = self.opts.layouter.size_align(e)[0]
        close = f"{tabs}}}{enum_attrs(size)} {decl}{bits};"
        if prefix or e is not c.type:
            n = self.width(depth) - sum(len(x) + 1 for x in lines) + len(tabs) - len(close)
        else:
            n = self.width(depth) - len(c.name or "") - 3
        if c.bit_width is not None:
            u = unit(c)
            comment = self.comment(self.shown(u, node), c.size, c.bit_offset - u * 8)
        else:
            comment = self.comment(self.shown(c.offset, node), c.size)
        self.lines += lines + [f"{close}{' ' * (n if n > 0 else 1)}{comment}"]

    def record_attrs(self, node: Member) -> tuple[str, str]:
        """(packed, aligned): the attributes pahole prints after an expanded
        record's closing brace -- ``__packed__`` where it infers packing,
        else the record's own ``__aligned__`` (never both: a ``packed,
        aligned(4)`` record without padding shows only ``__packed__``)."""
        if self.packing.get(id(node)):
            return " __attribute__((__packed__))", ""
        return "", _aligned(node.record_user_align) if node.record_user_align else ""

    def member(self, c: Member, node: Member, depth: int, in_union: bool, flexible: bool = False) -> None:
        tabs = "\t" * depth
        at = self.shown(c.offset, node)
        prefix, c = self.through_typedefs(c)
        e = c.type
        while isinstance(e, m.Array):
            e = e.element
        if isinstance(e, m.Enum) and e.tag is None:
            self.anonymous_enum(c, e, node, depth, prefix, flexible)
            return
        own = _aligned(c.user_align) if c.user_align and c.name else ""
        if self.opts.expand_types and c.children and not (expanded(c) and not prefix):
            # -E: a member of a named record type, or of a typedef of one
            self.lines.append(f"{tabs}{prefix}{c.kind}{' ' + c.tag if c.tag else ''} {{")
            self.body(c, depth + 1, in_union)
            packed, typealign = self.record_attrs(c)
            if c.kind == "union":        # pahole prints a union's closing brace bare
                packed = typealign = ""
            # the name follows the type's attributes at once, or after a
            # space when pahole printed the type through its typedef
            close = f"}}{packed} {c.name}{typealign}" if prefix else f"}}{packed}{typealign}{c.name}"
            self.lines.append(f"{tabs}{close}{own}; {self.comment(at, c.size)}")
            return
        element = c.element or self.named_element(c)
        if element is not None and c.element is None:
            # -E: an array of a named record, expanded like its element
            self.lines.append(f"{tabs}{prefix}{element.kind}{' ' + element.tag if element.tag else ''} {{")
            self.body(element, depth + 1, in_union)
            packed, typealign = self.record_attrs(element)
            _, decl = declaration(c, flexible)
            dims = decl[len(c.name or ""):]
            self.lines.append(f"{tabs}}}{packed} {c.name}{typealign}{dims}{own}; {self.comment(at, c.size)}")
            return
        # an anonymous struct in a union shows its own alignment; other
        # anonymous members only their type's
        own = _aligned(c.user_align) if c.user_align and (
            c.name or (in_union and c.kind == "struct")) else ""
        if expanded(c):
            self.lines.append(f"{tabs}{c.kind} {{")
            self.body(c, depth + 1, in_union)
            packed, typealign = self.record_attrs(c)
            record_align = _aligned(c.record_user_align) if c.record_user_align else ""
            # pahole pads an inline type's closing line by a count that leaves
            # out the name's own attribute and, through printf's "%*s" with a
            # negative width, turns an overshoot into as many spaces; the
            # count has the record's alignment even where packed hides it
            n = self.width(depth) - (len(c.name) if c.name else -1) - 3 - len(packed + record_align)
            if c.kind == "union":
                # a union shows one alignment, after its name, counted as the type's
                close = "}" + packed + (f" {c.name}" if c.name else "") + record_align + ";"
            else:
                close = "}" + packed + typealign + (f" {c.name}" if c.name else "") + own + ";"
            self.lines.append(f"{tabs}{close}{' ' * max(1, abs(n))}{self.comment(at, c.size)}")
            return
        if c.element is not None:
            # an array of an anonymous record: expanded like one, and padded
            # as pahole pads any member, counting the whole text (one space)
            e = c.element
            self.lines.append(f"{tabs}{e.kind} {{")
            self.body(e, depth + 1, in_union)
            packed, typealign = self.record_attrs(e)
            _, decl = declaration(c, flexible)
            self.lines.append(f"{tabs}}}{packed}{typealign} {decl}{own}; {self.comment(at, c.size)}")
            return
        ty, decl = declaration(c, flexible)
        text = f"{prefix}{self.column(ty, depth)} {decl}"
        if c.bit_width is not None:
            u = unit(c)
            self.line(depth, f"{text}:{c.bit_width}{own};",
                      self.comment(self.shown(u, node), c.size, c.bit_offset - u * 8))
        else:
            self.line(depth, f"{text}{own};", self.comment(at, c.size))


def render(lay: TypeLayout, opts: TextOptions = TextOptions()) -> str:
    """``lay`` as pahole prints it (with pahole's options ``opts``), after one
    comment line naming the type, the target and the declaration."""
    root = lay.root
    head = f"/* {lay.name} on {lay.target}" + (f", declared at {lay.loc}" if lay.loc else "")
    if root.kind not in ("struct", "union"):
        # pahole prints no size for these: our first line says it
        arrayed = root.element is not None or (root.kind == "array" and _named_element(lay, opts) is not None)
        body = _typedef_of_records(lay, opts) if arrayed else render_type(lay, opts)
        return "\n".join([f"{head}, size: {lay.size}, align: {lay.align} */", *body]) + "\n"
    out = [head + " */"]
    # a typedef of a tagged record prints as the record (pahole -C TAG): on the
    # typedef's name pahole would print only "typedef struct TAG NAME;"
    typedef = isinstance(root.type, m.TypedefRef) and not root.tag
    p = printed(root, opts)
    out.append(f"typedef {root.kind} {{" if typedef else
               f"{root.kind} {root.tag} {{" if root.tag else f"{root.kind} {{")
    out.extend(p.lines)
    out.extend(forced_padding(root, _Printer.column))
    if root.kind == "struct":
        out.append("")
        out.extend(summary(lay, p.stats, opts.cacheline_size))
    # pahole closes an outermost union without its attributes
    close = "}" if root.kind == "union" else "}" + "".join(p.record_attrs(root))
    out.append(f"{close} {lay.name};" if typedef else f"{close};")
    return "\n".join(out) + "\n"


def _named_element(lay: TypeLayout, opts: TextOptions) -> Member | None:
    """-E: the first element's tree of a typedef of an array of a named record."""
    p = _Printer(55, {}, opts)
    return p.named_element(dataclasses.replace(lay.root, kind="array"))


def _typedef_of_records(lay: TypeLayout, opts: TextOptions) -> list[str]:
    """A typedef of an array of an anonymous record: pahole expands the
    element as it would a member, in the columns of a record nested one
    level deep but indented one tab less, and closes it with the name and
    dimensions (``} pairs_t[2];``)."""
    e = lay.root.element or _named_element(lay, opts)
    p = _Printer(55 if opts.expand_types else 23, infer_packing(e, opts.expand_types), opts)
    p.body(e, 2)
    eng = opts.layouter
    if eng is None:
        raise ValueError("the pahole text of a typedef needs its target's Layouter (TextOptions.layouter)")
    t = eng.unit.typedefs[lay.name].type
    _, decl = declaration(dataclasses.replace(lay.root, name=lay.name, type=t, type_name=eng.type_name(t)))
    return [f"typedef {e.kind}{' ' + e.tag if e.tag else ''} {{", *(x[1:] if x.startswith("\t") else x for x in p.lines),
            f"}}{''.join(p.record_attrs(e))} {decl};"]


def printed(root: Member, opts: TextOptions = TextOptions()) -> "_Printer":
    """The members of record ``root`` printed as pahole prints them: the
    printer holds the lines and the numbers of the summary (its holes, which
    pahole's -H and -B filters count)."""
    spacing = 55 if opts.expand_types else 21 if root.kind == "union" else 23
    p = _Printer(spacing, infer_packing(root, opts.expand_types), opts)
    p.body(root, 1)
    return p
