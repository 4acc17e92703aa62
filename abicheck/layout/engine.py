"""The layout engine: (type model, target) -> layout, as GCC would do it.

A pure function of its inputs: no I/O, no globals.  ``Layouter`` only memoises
sizes within one (unit, target) pair.  Sizes and alignments of every kind of
type are here; member placement inside records is ``records.place_fields``
(GCC's rules are written out there); the tree a layout is returned as is
``tree``.

Bounds are GCC's own, so what it rejects is rejected here and never laid out
as a giant: no object (array or record) may be larger than the target's
``PTRDIFF_MAX`` ("size of array is too large", "type is too large"), an
alignment must be a power of two no larger than 2**28 (ELF's
``MAX_OFILE_ALIGNMENT``), and a record cannot contain itself.
"""
from __future__ import annotations

from abicheck import model as m
from abicheck.errors import LayoutError, SourceLoc
from abicheck.layout import dwarf
from abicheck.layout.records import MAX_ALIGN, place_fields
from abicheck.layout.tree import Member, TypeLayout, Hole, gaps, padding, _last_path
from abicheck.targets import Target

_MODES = {"QI": 1, "HI": 2, "SI": 4, "DI": 8, "TI": 16, "SF": 4, "DF": 8}


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
        #: enum constants valued so far: an implicit value is "the previous one
        #: plus 1", so valuing each constant of an enum afresh walked the whole
        #: chain before it (quadratic in the enum's length; nl80211.h's and
        #: bpf.h's enums have hundreds)
        self.constant_values: dict[str, int] = {}
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
            # GCC checks the argument but ignores aligned(N) on an enum type
            # (12.2, every ABI here: _Alignof stays the underlying type's);
            # clang honours it. The ABI is GCC's. aligned on a member or a
            # typedef of the enum is applied where those are laid out.
            self.alignment(e.attrs.aligned, loc)
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
                hit = place_fields(self, rec)
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
            kind=kind, tag=tag, children=children, loc=loc, packed=packed, element=element,
            facts=dwarf.Facts(self, t, f, align or talign, talign, kind))

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
        # pre-order with a stack (a closure calling itself is a cycle)
        stack: list[tuple[Member, int | None]] = [(root, None)]
        while stack:
            node, end_bits = stack.pop()
            if node.kind == "struct":
                for idx, start, bits in gaps(node, end_bits):
                    after = _last_path(node.children[:idx + 1]) if idx >= 0 else None
                    holes.append(Hole(after, start, bits, node.path))
            stack.extend((c, (c.offset + c.size) * 8) for c in reversed(node.children)
                         if c.kind in ("struct", "union"))
        return tuple(holes), padding(root, size)

    # --- constant expressions ---------------------------------------------------

    def eval(self, e: m.Expr, loc: SourceLoc | None = None) -> int:
        """Evaluate an integer constant expression with this target's sizes."""
        from abicheck.consteval import evaluate
        return evaluate(e, self, loc)
