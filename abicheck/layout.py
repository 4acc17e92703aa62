"""The layout engine: (type model, target) -> layout, as GCC would do it.

A pure function of its inputs: no I/O, no globals.  ``Layouter`` only memoises
sizes within one (unit, target) pair.

The rules are those of GCC's ``stor-layout.c`` for the System V family of
psABIs that every Linux target uses (PCC_BITFIELD_TYPE_MATTERS):

- a member is placed at the next multiple of its alignment; the record's
  alignment is the largest member alignment; its size is rounded up to it;
- a member's alignment is its type's *in-struct* alignment (the ABI table's
  ``align``: i386 gives ``long long`` 4), lowered to 1 by ``packed`` on the
  member or record, then raised by the member's own ``aligned(N)``;
- a bitfield may not straddle more units of its type's alignment than the type
  itself has; if it would, it starts at the next such boundary (packed
  bitfields skip this rule and sit at the next free bit);
- on ABIs without PCC bitfield rules (m68k: ``pcc_bitfields`` false) a
  bitfield simply takes the next free bits and leaves the alignment alone;
- some ABIs give every record a minimum alignment (arm OABI: 4,
  ``record_min_align``), so ``struct { char c; }`` is 4 bytes there;
- a named bitfield raises the record's alignment to its type's, an unnamed one
  does not (except where the ABI says so: AAPCS, ``zero_width_bitfield_aligns_
  struct``); a zero-width bitfield moves the next member to its type's
  alignment boundary;
- ``aligned`` on a record raises its alignment; on a typedef it *sets* the
  alignment (GCC lets a typedef lower it: x32's 4-aligned 64-bit clock type);
- a flexible array member adds no size but its alignment.

Bounds are GCC's own, so what it rejects is rejected here and never laid out
as a giant: no object (array or record) may be larger than the target's
``PTRDIFF_MAX`` ("size of array is too large", "type is too large"), an
alignment must be a power of two no larger than 2**28 (ELF's
``MAX_OFILE_ALIGNMENT``), and a record cannot contain itself.
"""
from __future__ import annotations

from dataclasses import dataclass

from abicheck import model as m
from abicheck.errors import EvalError, LayoutError, SourceLoc
from abicheck import layout_dwarf as dwarf_facts
from abicheck.targets import Target

_MODES = {"QI": 1, "HI": 2, "SI": 4, "DI": 8, "TI": 16, "SF": 4, "DF": 8}
MAX_ALIGN = 1 << 28                 # gcc: MAX_OFILE_ALIGNMENT of ELF targets, in bytes


@dataclass(frozen=True, slots=True)
class Member:
    """One laid-out member: a node of the layout tree.

    ``offset`` is in bytes from the start of the outermost type; for a
    bitfield ``bit_offset`` is the absolute bit offset from that start and
    ``offset`` is ``bit_offset // 8``.  ``children`` are the members of a
    struct/union-typed member (anonymous ones included, with name None).
    """

    name: str | None
    path: str | None
    type: m.Type
    type_name: str
    offset: int
    size: int
    align: int
    bit_offset: int | None = None
    bit_width: int | None = None
    kind: str = "scalar"             # scalar | struct | union | array | pointer | enum
    tag: str | None = None           # struct/union tag behind typedefs, if any
    children: tuple["Member", ...] = ()
    loc: SourceLoc | None = None
    #: GCC's DECL_USER_ALIGN: the member's alignment when an ``aligned``
    #: attribute on it or in its type set it (DWARF's DW_AT_alignment), else 0
    user_align: int = 0
    #: TYPE_USER_ALIGN of a struct/union-typed member's record: its alignment
    #: when an ``aligned`` attribute inside or on it set it, else 0
    record_user_align: int = 0
    packed: bool = False             # the record (struct/union kinds) is declared packed
    #: pahole's natural alignment of the type: a scalar's size, an array's
    #: element's, a record's largest member's, packing ignored (it infers
    #: ``packed`` from members placed off it)
    natural_align: int = 1
    #: an array of an anonymous record written in place: its first element's
    #: tree (pahole expands it); None otherwise.  Not a child: paths, holes
    #: and checks see the array as one member.
    element: "Member | None" = None

    def to_json(self) -> dict:
        return {"path": self.path, "offset": self.offset, "size": self.size,
                "align": self.align, "type": self.type_name,
                "bit_offset": self.bit_offset, "bit_width": self.bit_width}


@dataclass(frozen=True, slots=True)
class Hole:
    """Unused space inside a record: after ``after`` (a path, or None at the
    start), ``bits`` long, starting at absolute bit ``bit_offset``."""

    after: str | None
    bit_offset: int
    bits: int
    record: str | None = None        # path of the record it is in (None: top)


@dataclass(frozen=True)
class TypeLayout:
    """The layout of one named type on one target."""

    name: str
    kind: str
    target: str
    size: int
    align: int
    root: Member
    holes: tuple[Hole, ...] = ()
    padding: int = 0                 # tail padding of the top-level record, bytes
    loc: SourceLoc | None = None

    def members(self) -> list[Member]:
        """Named members, pre-order, anonymous levels flattened away."""
        out: list[Member] = []

        def walk(node: Member) -> None:
            for c in node.children:
                if c.name is not None:      # anonymous members add no entry
                    out.append(c)
                if c.kind in ("struct", "union"):
                    walk(c)
        walk(self.root)
        return out

    def member(self, path: str) -> Member | None:
        for mem in self.members():
            if mem.path == path:
                return mem
        return None

    def to_json(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "size": self.size, "align": self.align,
            "loc": str(self.loc) if self.loc else None,
            "members": [x.to_json() for x in self.members()],
            "holes": [{"after": h.after, "record": h.record, "offset": h.bit_offset // 8,
                       "bit_offset": h.bit_offset, "bits": h.bits} for h in self.holes],
            "padding": self.padding,
        }


def _round(x: int, a: int) -> int:
    return (x + a - 1) // a * a if a > 1 else x


class Layouter:
    """Sizes, alignments and member placement of a ``Unit``'s types on one target."""

    def __init__(self, unit: m.Unit, target: Target) -> None:
        self.unit = unit
        self.target = target
        self._sa: dict[int, tuple[int, int]] = {}
        self._keep: list[m.Type] = []    # keeps memo keys (ids) alive
        self._placed: dict[int, tuple] = {}
        self._user_aligned: dict[int, bool] = {}
        self._natural: dict[int, int] = {}
        self.evaluating: set[str] = set()   # enum constants being evaluated (cycle guard)
        self._placing: set[int] = set()      # records being placed (self-containment guard)
        #: gcc's limit on any object's size: PTRDIFF_MAX of the target
        self.max_object = (1 << (8 * target.pointer_size - 1)) - 1

    # --- public --------------------------------------------------------------

    def resolve(self, name: str) -> tuple[m.Type, str, SourceLoc | None]:
        """Find a type by user-facing name: ``foo_t``, ``struct foo``, ``union foo``."""
        parts = name.split()
        if len(parts) == 2 and parts[0] in ("struct", "union"):
            rec = self.unit.records.get((parts[0], parts[1]))
            if rec is None:
                raise LayoutError(f"unknown type '{name}'")
            return m.RecordRef(parts[0], parts[1]), parts[0], rec.loc
        if len(parts) == 2 and parts[0] == "enum":
            en = self.unit.enums.get(parts[1])
            if en is None:
                raise LayoutError(f"unknown type '{name}'")
            return m.EnumRef(parts[1]), "enum", en.loc
        if len(parts) == 1 and name in self.unit.typedefs:
            td = self.unit.typedefs[name]
            return m.TypedefRef(name), self.kind(td.type), td.loc
        raise LayoutError(f"unknown type '{name}'")

    def layout(self, name: str) -> TypeLayout:
        t, kind, loc = self.resolve(name)
        size, align = self.size_align(t, loc)
        root = self.member_tree(None, None, t, 0, loc)
        holes, padding = self._holes(root, size)
        return TypeLayout(name, kind, self.target.name, size, align, root, holes, padding, loc)

    # --- types ---------------------------------------------------------------

    def strip(self, t: m.Type) -> m.Type:
        """Follow typedefs and references to the defining type."""
        while True:
            if isinstance(t, m.TypedefRef):
                t = self._typedef(t.name).type
            elif isinstance(t, m.RecordRef):
                rec = self.unit.records.get((t.kind, t.tag))
                if rec is None:
                    return m.Record(t.kind, t.tag, None)
                return rec
            elif isinstance(t, m.EnumRef):
                en = self.unit.enums.get(t.tag)
                return en if en is not None else m.Enum(t.tag, None)
            else:
                return t

    def kind(self, t: m.Type) -> str:
        s = self.strip(t)
        if isinstance(s, m.Record):
            return s.kind
        if isinstance(s, m.Array):
            return "array"
        if isinstance(s, m.Pointer):
            return "pointer"
        if isinstance(s, m.Enum):
            return "enum"
        return "scalar"

    def _typedef(self, name: str) -> m.Typedef:
        td = self.unit.typedefs.get(name)
        if td is None:
            raise LayoutError(f"unknown type '{name}'")
        return td

    def size_align(self, t: m.Type, loc: SourceLoc | None = None,
                   name: str | None = None) -> tuple[int, int]:
        """(size, in-struct alignment) of ``t`` in bytes; ``name`` (the
        declarator's) only words errors."""
        key = id(t)
        hit = self._sa.get(key)
        if hit is not None:
            return hit
        res = self._size_align(t, loc, name)
        self._sa[key] = res
        self._keep.append(t)
        return res

    def _size_align(self, t: m.Type, loc: SourceLoc | None, name: str | None = None) -> tuple[int, int]:
        tgt = self.target
        if isinstance(t, m.Scalar):
            if t.kind == "void":
                return 1, 1          # GNU C: sizeof(void) == 1
            s = tgt.scalar(t.kind)
            # C11 6.2.5p13: a complex type is an array of two of its real type
            return (2 * s.size if t.complex else s.size), s.align
        if isinstance(t, (m.Pointer, m.Function)):
            s = tgt.scalars["pointer"]
            return s.size, s.align
        if isinstance(t, m.Array):
            what = f"array '{name}'" if name else "array"
            n = 0 if t.length is None else self.eval(t.length, loc)
            if n < 0:
                raise LayoutError(f"size of {what} is negative ({n})", loc)
            if n > self.max_object:
                raise LayoutError(f"size of {what} is too large ({n} elements)", loc)
            es, ea = self.size_align(t.element, loc, name)
            if es * n > self.max_object:
                raise LayoutError(f"size of {what} exceeds maximum object size {self.max_object}", loc)
            return es * n, ea
        if isinstance(t, m.TypedefRef):
            td = self._typedef(t.name)
            size, align = self.size_align(td.type, td.loc)
            if td.attrs.mode:
                size = align = self._mode(td.attrs.mode, td.loc)
            if td.attrs.vector_size is not None:
                # GCC: a vector of N bytes is N-aligned, up to BIGGEST_ALIGNMENT;
                # on the rows where gcc confirms it (``vector_types``), refused
                # elsewhere (m68k and s390x gcc align a vector member beyond that)
                if not self.target.vector_types:
                    raise LayoutError(f"vector types (vector_size) are not supported on "
                                      f"{self.target.name}", td.loc)
                n = self.eval(td.attrs.vector_size, td.loc)
                if n <= 0 or n % size or n & (n - 1):
                    raise LayoutError(f"vector size {n} is not a power-of-two multiple of "
                                      f"the element size {size}", td.loc)
                size, align = n, min(n, self.target.biggest_alignment)
            if td.attrs.aligned is not None:
                align = self.alignment(td.attrs.aligned, td.loc) or align   # may lower: GCC typedef rule
            return size, align
        if isinstance(t, m.RecordRef):
            rec = self.unit.records.get((t.kind, t.tag))
            if rec is None or rec.fields is None:
                raise LayoutError(f"'{t.kind} {t.tag}' is incomplete", loc)
            if id(rec) in self._placing:
                raise LayoutError(f"'{t.kind} {t.tag}' is incomplete here: it is used inside its "
                                  "own definition", loc)
            return self.size_align(rec, rec.loc)
        if isinstance(t, m.Record):
            if t.fields is None:
                raise LayoutError(f"'{m.c_name(t)}' is incomplete", loc)
            if id(t) in self._placing:
                raise LayoutError(f"'{m.c_name(t)}' is used inside its own definition", loc)
            _, size, align = self.place(t)
            return size, align
        if isinstance(t, m.EnumRef):
            en = self.unit.enums.get(t.tag)
            if en is None or en.values is None:
                raise LayoutError(f"'enum {t.tag}' is incomplete", loc)
            return self.size_align(en, en.loc)
        if isinstance(t, m.Enum):
            return self._enum(t, loc)
        raise LayoutError(f"cannot lay out {t!r}", loc)

    def _mode(self, mode: str, loc) -> int:
        if mode in ("word", "unwind_word"):
            return self.target.word_size
        if mode == "pointer":
            return self.target.pointer_size
        if mode == "byte":
            return 1
        if mode not in _MODES:
            raise LayoutError(f"unsupported mode '{mode}'", loc)
        return _MODES[mode]

    def _enum(self, e: m.Enum, loc) -> tuple[int, int]:
        """GCC: int if every value fits, else the smallest of unsigned int,
        long long, unsigned long long; ``packed`` picks the smallest width."""
        vals = [self.eval(v.value, v.loc) for v in e.values or ()]
        lo, hi = min(vals, default=0), max(vals, default=0)
        widths = [1, 2, 4, 8] if e.attrs.packed else [4, 8]
        for w in widths:
            bits = w * 8
            if (-(1 << (bits - 1)) <= lo and hi < (1 << (bits - 1))) or (lo >= 0 and hi < (1 << bits)):
                kind = {1: "char", 2: "short", 4: "int", 8: "long long"}[w]
                s = self.target.scalar(kind)
                size, align = s.size, s.align
                break
        else:
            raise LayoutError(f"enum '{e.tag}' values do not fit 64 bits", loc)
        if e.attrs.aligned is not None:
            align = max(align, self.alignment(e.attrs.aligned, loc))
        return size, align

    def alignment(self, e: m.Expr, loc: SourceLoc | None) -> int:
        """An ``aligned(N)`` argument, checked as GCC does; 0 means none
        (GCC warns and ignores ``aligned(0)``)."""
        v = self.eval(e, loc)
        if v == 0:
            return 0
        if v < 0 or v & (v - 1):
            raise LayoutError(f"requested alignment '{v}' is not a positive power of 2", loc)
        if v > MAX_ALIGN:
            raise LayoutError(f"requested alignment '{v}' exceeds maximum {MAX_ALIGN}", loc)
        return v

    # --- records ---------------------------------------------------------------

    def place(self, rec: m.Record) -> tuple[list[tuple[m.Field, int, int, int]], int, int]:
        """Place ``rec``'s fields: [(field, bit offset, size, align)], size, align.

        Bit offsets here are relative to the record's start.  Memoised: sizes,
        member trees and ``offsetof`` all ask for the same records.
        """
        key = id(rec)
        hit = self._placed.get(key)
        if hit is None:
            if key in self._placing:
                raise LayoutError(f"'{m.c_name(rec)}' is used inside its own definition", rec.loc)
            self._placing.add(key)
            try:
                hit = self._place(rec)
            finally:
                self._placing.discard(key)
            if hit[1] > self.max_object:
                raise LayoutError(f"type '{m.c_name(rec)}' is too large ({hit[1]} bytes, maximum "
                                  f"object size {self.max_object})", rec.loc)
            self._placed[key] = hit
            self._keep.append(rec)
        return hit

    def is_signed(self, s: m.Scalar) -> bool:
        """Signedness of a scalar on this target (plain ``char`` varies)."""
        if s.kind == "_Bool":
            return False
        return self.target.char_signed if s.signed is None else s.signed

    def _place(self, rec: m.Record) -> tuple[list[tuple[m.Field, int, int, int]], int, int]:
        tgt = self.target
        is_union = rec.kind == "union"
        rec_packed = rec.attrs.packed
        cap = rec.max_align            # #pragma pack(N): no member aligned beyond N
        pos = 0                        # next free bit
        rec_align = 1
        end = 0
        placed = []
        nfields = len(rec.fields)
        for i, f in enumerate(rec.fields):
            if f.attrs.mode or f.attrs.vector_size is not None:
                # GCC applies these to the member's type; the engine applies
                # them on typedefs only, so refuse rather than lay out wrong
                what = "mode" if f.attrs.mode else "vector_size"
                raise LayoutError(f"attribute {what} on member '{f.name}' is not supported "
                                  "(declare it on a typedef)", f.loc)
            tsize, talign = self.size_align(f.type, f.loc, f.name)
            if isinstance(self.strip(f.type), m.Array) and self.strip(f.type).length is None \
                    and i != nfields - 1:
                raise LayoutError(f"flexible array member '{f.name}' not at end of struct", f.loc)
            packed = rec_packed or f.attrs.packed
            user_align = self.alignment(f.attrs.aligned, f.loc) if f.attrs.aligned is not None else 0
            start = 0 if is_union else pos
            if f.bits is not None:
                width = self.eval(f.bits, f.loc)
                if width < 0 or width > tsize * 8:
                    raise LayoutError(f"bitfield width {width} of '{f.name}' exceeds its type", f.loc)
                if width == 0:
                    # GCC: not influenced by packing; moves the next member to
                    # the type's alignment (PCC) or EMPTY_FIELD_BOUNDARY, and
                    # the space it skips counts in the record's size.
                    if f.name:
                        raise LayoutError(f"zero-width bitfield '{f.name}' has a name", f.loc)
                    if tgt.pcc_bitfields:
                        boundary = max(talign, user_align)
                        if tgt.zero_width_bitfield_aligns_struct:   # AAPCS: even when packed
                            rec_align = max(rec_align, talign)
                    else:
                        boundary = max(tgt.empty_field_boundary, user_align)
                        rec_align = max(rec_align, boundary)
                    if not is_union:
                        pos = _round(pos, boundary * 8)
                        end = max(end, pos)
                    continue
                if user_align:
                    start = _round(start, user_align * 8)
                type_align = 1 if packed or not tgt.pcc_bitfields else talign
                if cap and tgt.pcc_bitfields:
                    type_align, user_align = min(type_align, cap), min(user_align, cap)
                # GCC layout_decl: a bitfield exactly as wide as an integer
                # mode, at a position already aligned for that mode, becomes an
                # ordinary field of that mode: no straddle rule, and it aligns
                # the record (visible on m68k and with over-aligned typedefs).
                mode = {8: "char", 16: "short", 32: "int", 64: "long long"}.get(width)
                xalign = tgt.scalar(mode).align if mode else 0
                known = start & -start if start else 1 << 30
                as_field = bool(mode) and not (xalign > 1 and packed) and known >= xalign * 8
                # GCC skips the straddle rule while a #pragma pack is in force
                if not as_field and not packed and not cap and tgt.pcc_bitfields:
                    unit = talign * 8
                    if (start % unit + width + unit - 1) // unit > (tsize * 8) // unit:
                        # GCC rounds the bit position *within* the current
                        # BIGGEST_ALIGNMENT-aligned offset (place_field rounds
                        # rli->bitpos, not the offset), which only shows for
                        # over-aligned typedefs: unit > biggest alignment.
                        base = start - start % (tgt.biggest_alignment * 8)
                        start = base + _round(start - base, unit)
                if f.name or tgt.zero_width_bitfield_aligns_struct:
                    rec_align = max(rec_align, type_align, user_align)
                else:
                    rec_align = max(rec_align, user_align)
                if as_field and (f.name or not tgt.pcc_bitfields):
                    # the field's mode alignment counts: PCC ABIs took the
                    # type's alignment already, but a typedef may have lowered
                    # it (aligned(2) on a 64-bit type: gcc still aligns 8);
                    # #pragma pack caps it
                    rec_align = max(rec_align, min(xalign, cap) if cap else xalign)
                placed.append((f, start, tsize, talign))
                pos = start + width
                end = max(end, pos)
                continue
            falign = max(1 if packed else talign, user_align)
            if cap:
                falign = min(falign, cap)
            start = _round(start, falign * 8)
            rec_align = max(rec_align, falign)
            placed.append((f, start, tsize, falign))
            pos = start + tsize * 8
            end = max(end, pos)
        if rec.attrs.aligned is not None:
            rec_align = max(rec_align, self.alignment(rec.attrs.aligned, rec.loc))
        if not rec_packed:             # GCC: STRUCTURE_SIZE_BOUNDARY spares packed records
            # and #pragma pack caps it (arm OABI: pack(2) gives 2, not 4)
            rec_align = max(rec_align, min(tgt.record_min_align, cap) if cap else tgt.record_min_align)
        size = _round(_round(end, 8) // 8, rec_align)
        return placed, size, rec_align

    def member_tree(self, name: str | None, path: str | None, t: m.Type, bit_base: int,
                    loc: SourceLoc | None, f: m.Field | None = None, width: int | None = None,
                    align: int | None = None) -> Member:
        size, talign = self.size_align(t, loc)
        kind = self.kind(t)
        children: tuple[Member, ...] = ()
        tag = None
        packed = False
        if kind in ("struct", "union"):
            rec = self.strip(t)
            tag = rec.tag
            packed = rec.attrs.packed
            placed, _, _ = self.place(rec)
            kids = []
            for fld, off, _, falign in placed:
                if fld.name is None and fld.bits is not None:
                    continue          # unnamed bitfield: padding, not a member
                cpath = path if fld.name is None else (f"{path}.{fld.name}" if path else fld.name)
                w = self.eval(fld.bits, fld.loc) if fld.bits is not None else None
                kids.append(self.member_tree(fld.name, cpath, fld.type, bit_base + off,
                                             fld.loc, fld, w, falign))
            children = tuple(kids)
        element = None
        if kind == "array":
            et = t
            while isinstance(self.strip(et), m.Array):
                et = self.strip(et).element
            if isinstance(et, m.Record) and et.tag is None:
                element = self.member_tree(None, None, et, bit_base, loc)
        is_bf = width is not None
        return Member(
            name=name, path=path, type=t, type_name=self.type_name(t, loc),
            offset=bit_base // 8, size=size, align=align or talign,
            bit_offset=bit_base if is_bf else None, bit_width=width,
            kind=kind, tag=tag, children=children, loc=loc,
            user_align=(align or talign) if f is not None and (
                f.attrs.aligned is not None or dwarf_facts.user_aligned(self, t)) else 0,
            record_user_align=talign if kind in ("struct", "union") and dwarf_facts.user_aligned(self, t) else 0,
            packed=packed, natural_align=dwarf_facts.natural_align(self, t), element=element)

    def type_name(self, t: m.Type, loc: SourceLoc | None = None) -> str:
        """C spelling with array dimensions evaluated: ``char[3][4]``."""
        dims = ""
        while isinstance(t, m.Array):
            dims += "[]" if t.length is None else f"[{self.eval(t.length, loc)}]"
            t = t.element
        return m.c_name(t) + dims

    def _holes(self, root: Member, size: int) -> tuple[tuple[Hole, ...], int]:
        """Holes inside every struct level, and the top level's tail padding."""
        holes: list[Hole] = []

        def walk(node: Member, end_bits: int | None) -> None:
            if node.kind == "struct":
                for idx, start, bits in gaps(node, end_bits):
                    after = _last_path(node.children[:idx + 1]) if idx >= 0 else None
                    holes.append(Hole(after, start, bits, node.path))
            for c in node.children:
                if c.kind in ("struct", "union"):
                    walk(c, (c.offset + c.size) * 8)
        walk(root, None)
        return tuple(holes), padding(root, size)

    # --- constant expressions ---------------------------------------------------

    def eval(self, e: m.Expr, loc: SourceLoc | None = None) -> int:
        """Evaluate an integer constant expression with this target's sizes."""
        from abicheck.consteval import evaluate
        return evaluate(e, self, loc)


def member_end(c: Member) -> int:
    """Bit just past member ``c``."""
    if c.bit_offset is not None:
        return c.bit_offset + c.bit_width
    return (c.offset + c.size) * 8


def gaps(node: Member, end_bits: int | None = None) -> list[tuple[int, int, int]]:
    """Unused bit ranges inside struct ``node``: (index of the member before
    it or -1, start bit, length in bits).  With ``end_bits`` the space between
    the last member and that end counts too (a nested struct's tail)."""
    out = []
    cur = node.offset * 8
    for i, c in enumerate(node.children):
        start = c.bit_offset if c.bit_offset is not None else c.offset * 8
        if start > cur:
            out.append((i - 1, cur, start - cur))
        cur = max(cur, member_end(c))
    if end_bits is not None and end_bits > cur:
        out.append((len(node.children) - 1, cur, end_bits - cur))
    return out


def padding(root: Member, size: int) -> int:
    """Tail padding of a top-level record, in bytes."""
    if root.kind not in ("struct", "union") or not root.children:
        return 0
    end = max(member_end(c) for c in root.children)
    return size - (end - root.offset * 8 + 7) // 8


def _last_path(children) -> str | None:
    for c in reversed(children):
        if c.path is not None:
            return c.path
    return None


def layout_type(unit: m.Unit, name: str, target: Target) -> TypeLayout:
    """The layout of the type called ``name`` in ``unit`` on ``target``."""
    return Layouter(unit, target).layout(name)


__all__ = ["Hole", "Layouter", "Member", "TypeLayout", "layout_type", "EvalError"]
