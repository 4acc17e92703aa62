"""Random C record declarations for the layout torture corpus.

A hypothesis strategy, :func:`corpora`, draws a :class:`Corpus`: an ordered
list of definitions (enums, typedefs, structs, unions) in which later records
refer to earlier ones.  A corpus is a *model*, rendered to C text per target by
:meth:`Corpus.render`, because a few things depend on the ABI (``__int128``
exists only where the table lists it; ``long`` bitfield widths are clamped to
the width of ``long``).  The rendered text only uses GNU spellings
(``__attribute__((...))``, sometimes ``__packed__``/``__aligned__``).

Besides the C text a corpus knows the *top-level types* to lay out (``struct
TAG``, ``union TAG`` and typedef names) and, for each, the member paths in the
oracle's convention (pre-order, dotted names, anonymous records flattened,
named records recursed into, arrays listed once, unnamed bitfields left out).

Nothing here knows a layout number: sizes and offsets come from the compiler
oracle at test time.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, NamedTuple, Union

from hypothesis import strategies as st


# --------------------------------------------------------------------------
# What a target changes in the rendered text

class Dialect(NamedTuple):
    """The ABI facts the C text depends on."""

    int128: bool    # the target has __int128
    long_bits: int  # width of long, clamps long bitfield widths
    # False: write a bare ``aligned`` as ``aligned(__BIGGEST_ALIGNMENT__)``
    # (for an oracle that disagrees with itself on the two, see test_torture)
    bare_aligned: bool = True
    # False: a bitfield whose type is a typedef with an alignment attribute
    # is written with the typedef's underlying type instead (libclang 18
    # places those differently from GCC; only gcc oracles judge them)
    aligned_typedef_bitfields: bool = True

    @classmethod
    def of(cls, target, bare_aligned: bool = True,
           aligned_typedef_bitfields: bool = True) -> "Dialect":
        return cls(int128="__int128" in target.scalars,
                   long_bits=8 * target.scalars["long"].size,
                   bare_aligned=bare_aligned,
                   aligned_typedef_bitfields=aligned_typedef_bitfields)


HOST = Dialect(int128=True, long_bits=64)

# Integer scalars, with the width a bitfield of that type may have at most
# (``long`` and ``__int128`` are clamped per dialect when rendered).
INT_TYPES: dict[str, int] = {
    "_Bool": 1,
    "char": 8, "signed char": 8, "unsigned char": 8,
    "short": 16, "unsigned short": 16,
    "int": 32, "unsigned": 32, "signed int": 32, "unsigned int": 32,
    "long": 64, "unsigned long": 64,
    "long long": 64, "unsigned long long": 64,
    "__int128": 128, "unsigned __int128": 128,
}
FLOAT_TYPES = ("float", "double", "long double")
SCALARS = tuple(INT_TYPES) + FLOAT_TYPES
ALIGNS = (1, 2, 4, 8, 16, 32)


# --------------------------------------------------------------------------
# The model

@dataclass(frozen=True)
class Scalar:
    name: str

    def bits(self, d: Dialect) -> int:
        if "long" in self.name and "long long" not in self.name:
            return d.long_bits
        if "__int128" in self.name and not d.int128:
            return 64
        return INT_TYPES[self.name]

    def spell(self, d: Dialect) -> str:
        if "__int128" in self.name and not d.int128:
            return self.name.replace("__int128", "long long")
        return self.name


@dataclass(frozen=True)
class Pointer:
    kind: str  # "void", "int", "func", "self"


@dataclass(eq=False)
class EnumDef:
    tag: str
    values: tuple[tuple[str, int], ...]

    def min_bits(self) -> int:
        """Bits a bitfield of this enum needs to hold every value."""
        lo = min(v for _, v in self.values)
        hi = max(v for _, v in self.values)
        if lo >= 0:
            return max(1, hi.bit_length())
        return max(max(hi, 0).bit_length(), (-lo - 1).bit_length()) + 1

    def max_bits(self) -> int:
        """Width of the enum's compatible type (int, unsigned, or 64-bit)."""
        lo = min(v for _, v in self.values)
        hi = max(v for _, v in self.values)
        if lo >= -2**31 and hi < 2**31:
            return 32
        if lo >= 0 and hi < 2**32:
            return 32
        return 64


@dataclass(eq=False)
class TypedefDef:
    name: str
    base: "CType"
    align: int | str | None = None   # N, "bare" or None
    attr_after_name: bool = True      # typedef int T attr; / typedef int attr T;
    spelling: int = 0


@dataclass(eq=False)
class Field:
    ctype: "CType"
    name: str
    dims: tuple[int, ...] = ()
    packed: bool = False
    align: int | str | None = None
    attr_first: bool = False          # attribute before the type specifier
    spelling: int = 0


@dataclass(eq=False)
class BitField:
    ctype: "CType"                    # Scalar (integer), EnumDef or TypedefDef
    name: str | None                  # None: unnamed
    width: int                        # drawn width; 0 for zero-width
    packed: bool = False
    spelling: int = 0


@dataclass(eq=False)
class FlexArray:
    ctype: "CType"
    name: str


@dataclass(eq=False)
class RecordDef:
    kind: str                          # "struct" / "union"
    tag: str | None                    # None: anonymous (member or typedef'd)
    members: list = field(default_factory=list)
    packed: int = 0                    # 0 none, 1 after `struct`, 2 after `}`
    align: int | str | None = None
    align_pos: int = 2                 # 1 after `struct`, 2 after `}`
    typedef_name: str | None = None    # typedef struct {...} NAME;
    spelling: int = 0
    weight: int = 0                    # rough upper bound of the size
    has_fam: bool = False


CType = Union[Scalar, Pointer, EnumDef, TypedefDef, RecordDef]
Definition = Union[EnumDef, TypedefDef, RecordDef]


def resolve(t: CType) -> CType:
    """Strip typedefs."""
    while isinstance(t, TypedefDef):
        t = t.base
    return t


def chain_aligns(t: CType) -> list:
    out = []
    while isinstance(t, TypedefDef):
        if t.align is not None:
            out.append(t.align)
        t = t.base
    return out


def arrayable(t: CType) -> bool:
    """GCC rejects arrays whose element alignment exceeds the element size;
    only typedef alignment can cause that, so arrays avoid raised typedefs."""
    return all(a == 1 for a in chain_aligns(t))


# --------------------------------------------------------------------------
# Rendering

def _attr(parts: list[str], spelling: int) -> str:
    if not parts:
        return ""
    if spelling % 2:
        parts = [p.replace("packed", "__packed__").replace("aligned", "__aligned__")
                 for p in parts]
    if spelling >= 2 and len(parts) > 1:
        return " ".join(f"__attribute__(({p}))" for p in parts)
    return f"__attribute__(({', '.join(parts)}))"


def _align_part(a, d: Dialect) -> list[str]:
    if a is None:
        return []
    if a == "bare":
        return ["aligned"] if d.bare_aligned else ["aligned(__BIGGEST_ALIGNMENT__)"]
    return [f"aligned({a})"]


def type_name(t: CType, d: Dialect) -> str:
    """Spelling of a type usable as a declaration specifier."""
    if isinstance(t, Scalar):
        return t.spell(d)
    if isinstance(t, EnumDef):
        return f"enum {t.tag}"
    if isinstance(t, TypedefDef):
        return t.name
    if isinstance(t, RecordDef):
        return t.typedef_name if t.tag is None else f"{t.kind} {t.tag}"
    raise TypeError(t)


def declare(t: CType, declarator: str, d: Dialect, self_tag: str | None = None) -> str:
    """``T declarator`` with C's inside-out declarator syntax."""
    if isinstance(t, Pointer):
        if t.kind == "func":
            return f"void (*{declarator})(int)"
        if t.kind == "int":
            return f"int *{declarator}"
        if t.kind == "self" and self_tag:
            return f"{self_tag} *{declarator}"
        return f"void *{declarator}"
    return f"{type_name(t, d)} {declarator}"


def _bit_width(m: BitField, d: Dialect) -> int:
    if m.width == 0:
        return 0
    t = resolve(m.ctype)
    top = t.bits(d) if isinstance(t, Scalar) else t.max_bits()
    lo = t.min_bits() if isinstance(t, EnumDef) else 1
    return lo + (m.width - 1) % (top - lo + 1)


def _render_members(members, d: Dialect, indent: str, self_tag) -> Iterator[str]:
    for m in members:
        if isinstance(m, Field):
            dims = "".join(f"[{n}]" for n in m.dims)
            parts = (["packed"] if m.packed else []) + _align_part(m.align, d)
            attr = _attr(parts, m.spelling)
            decl = declare(m.ctype, m.name + dims, d, self_tag)
            if attr and m.attr_first:
                yield f"{indent}{attr} {decl};"
            elif attr:
                yield f"{indent}{decl} {attr};"
            else:
                yield f"{indent}{decl};"
        elif isinstance(m, BitField):
            attr = _attr(["packed"], m.spelling) if m.packed else ""
            name = m.name or ""
            t = m.ctype
            if not d.aligned_typedef_bitfields and chain_aligns(t):
                t = resolve(t)
            yield (f"{indent}{type_name(t, d)} {name}:{_bit_width(m, d)}"
                   f"{' ' + attr if attr else ''};")
        elif isinstance(m, FlexArray):
            yield f"{indent}{declare(m.ctype, m.name + '[]', d, self_tag)};"
        elif isinstance(m, RecordDef):  # anonymous member
            yield from _render_record_lines(m, d, indent, self_tag, ";")
        else:
            raise TypeError(m)


def _render_record_lines(r: RecordDef, d: Dialect, indent: str, self_tag,
                         end: str) -> Iterator[str]:
    head_parts = ["packed"] if r.packed == 1 else []
    tail_parts = ["packed"] if r.packed == 2 else []
    if r.align_pos == 1:
        head_parts += _align_part(r.align, d)
    else:
        tail_parts += _align_part(r.align, d)
    head = r.kind
    if head_parts:
        head += " " + _attr(head_parts, r.spelling)
    if r.tag:
        head += " " + r.tag
    yield f"{indent}{head} {{"
    yield from _render_members(r.members, d, indent + "    ", self_tag)
    tail = "}"
    if tail_parts:
        tail += " " + _attr(tail_parts, r.spelling)
    yield f"{indent}{tail}{end}"


def render_definition(x: Definition, d: Dialect) -> str:
    if isinstance(x, EnumDef):
        body = ", ".join(f"{n} = {_enum_literal(v)}" for n, v in x.values)
        return f"enum {x.tag} {{ {body} }};"
    if isinstance(x, TypedefDef):
        attr = _attr(_align_part(x.align, d), x.spelling)
        if not attr:
            return f"typedef {declare(x.base, x.name, d)};"
        if x.attr_after_name:
            return f"typedef {declare(x.base, x.name, d)} {attr};"
        return f"typedef {declare(x.base, attr + ' ' + x.name, d)};"
    if isinstance(x, RecordDef):
        self_tag = f"{x.kind} {x.tag}" if x.tag else None
        if x.typedef_name:
            lines = list(_render_record_lines(x, d, "", self_tag, f" {x.typedef_name};"))
            lines[0] = "typedef " + lines[0]
        else:
            lines = list(_render_record_lines(x, d, "", self_tag, ";"))
        return "\n".join(lines)
    raise TypeError(x)


def _enum_literal(v: int) -> str:
    if v > 2**63 - 1:
        return f"{v:#x}ULL"
    if v > 2**31 - 1:
        return f"{v:#x}LL" if v > 2**32 - 1 else f"{v:#x}U"
    if v < -2**31:
        return f"({v + 1}LL - 1)" if v == -2**63 else f"{v}LL"
    return str(v)


# --------------------------------------------------------------------------
# Member paths (the oracle's convention)

def member_paths(members, prefix: str = "") -> Iterator[str]:
    for m in members:
        if isinstance(m, Field):
            path = prefix + m.name
            yield path
            inner = resolve(m.ctype)
            if isinstance(inner, RecordDef) and not m.dims:
                yield from member_paths(inner.members, path + ".")
        elif isinstance(m, BitField):
            if m.name:
                yield prefix + m.name
        elif isinstance(m, FlexArray):
            yield prefix + m.name
        elif isinstance(m, RecordDef):
            yield from member_paths(m.members, prefix)


def dependencies(x: Definition) -> Iterator[Definition]:
    """Definitions ``x`` refers to directly."""
    def of_type(t):
        if isinstance(t, (EnumDef, TypedefDef)) or (isinstance(t, RecordDef)):
            yield t

    if isinstance(x, TypedefDef):
        yield from of_type(x.base)
    elif isinstance(x, RecordDef):
        for m in x.members:
            if isinstance(m, (Field, BitField, FlexArray)):
                yield from of_type(m.ctype)
            elif isinstance(m, RecordDef):
                yield from dependencies(m)


# --------------------------------------------------------------------------
# A corpus

def _closure(root: Definition) -> set[int]:
    need: set[int] = set()
    todo = [root]
    while todo:
        x = todo.pop()
        if id(x) in need:
            continue
        need.add(id(x))
        todo.extend(dependencies(x))
    return need

class Corpus:
    """Definitions in order, and the top-level types to lay out."""

    def __init__(self, definitions: list[Definition],
                 roots: list[tuple[str, Definition]]) -> None:
        self.definitions = definitions
        self.roots = roots                # (type name, definition)

    @property
    def types(self) -> list[str]:
        return [name for name, _ in self.roots]

    def paths(self) -> dict[str, list[str]]:
        out = {}
        for name, x in self.roots:
            r = resolve(x)
            out[name] = list(member_paths(r.members))
        return out

    def render(self, d: Dialect = HOST, only: str | None = None) -> str:
        """The C text; with ``only``, just that type and what it needs."""
        defs = self.definitions
        if only is not None:
            need = _closure(dict(self.roots)[only])
            defs = [x for x in defs if id(x) in need]
        return "\n".join(render_definition(x, d) for x in defs) + "\n"

    def subset(self, name: str) -> "Corpus":
        """A deep copy holding only ``name`` and the definitions it needs."""
        import copy
        root = dict(self.roots)[name]
        need = _closure(root)
        defs = copy.deepcopy([x for x in self.definitions if id(x) in need])
        return Corpus(defs, [(name, defs[-1])])

    def __repr__(self) -> str:  # what hypothesis prints for a falsifying example
        text = self.render()
        if len(text) > 4000:
            text = text[:4000] + "...\n"
        return f"Corpus(<{len(self.roots)} types>):\n{text}"


# --------------------------------------------------------------------------
# Strategies

WEIGHT_LIMIT = 2048   # keep nested arrays of records from exploding


class _Names:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"


def _weight(t: CType) -> int:
    t = resolve(t)
    if isinstance(t, RecordDef):
        return t.weight
    return 16


@st.composite
def enum_defs(draw, names: _Names) -> EnumDef:
    kind = draw(st.sampled_from(["small", "small", "negative", "uint", "u64", "s64"]))
    n = draw(st.integers(1, 4))
    if kind == "small":
        vals = draw(st.lists(st.integers(0, 300), min_size=n, max_size=n))
    elif kind == "negative":
        vals = draw(st.lists(st.integers(-200, 200), min_size=n, max_size=n)) + [-1]
    elif kind == "uint":   # > INT_MAX, fits unsigned int
        vals = [draw(st.integers(2**31, 2**32 - 1))] + \
            draw(st.lists(st.integers(0, 10), max_size=n))
    elif kind == "u64":    # > UINT_MAX: 64-bit
        vals = [draw(st.sampled_from([2**32, 2**40 + 3, 2**63 - 1, 2**64 - 1]))] + \
            draw(st.lists(st.integers(0, 10), max_size=n))
    else:                  # < INT_MIN: 64-bit signed
        vals = [draw(st.sampled_from([-2**31 - 1, -2**40, -2**63]))] + \
            draw(st.lists(st.integers(0, 10), max_size=n))
    tag = names("E")
    return EnumDef(tag, tuple((f"{tag}_{i}", v) for i, v in enumerate(vals)))


def _align_value():
    return st.sampled_from(ALIGNS + ("bare",))


class _Ctx:
    """What a record may refer to: earlier definitions of the corpus."""

    def __init__(self) -> None:
        self.names = _Names()
        self.enums: list[EnumDef] = []
        self.typedefs: list[TypedefDef] = []     # scalar/pointer/enum/typedef typedefs
        self.records: list[Union[RecordDef, TypedefDef]] = []  # usable as members
        self.int_typedefs: list[TypedefDef] = []  # typedefs of integer types


@st.composite
def scalar_types(draw, ctx: _Ctx) -> CType:
    choice = draw(st.integers(0, 9))
    if choice <= 5:
        return Scalar(draw(st.sampled_from(SCALARS)))
    if choice == 6:
        return Pointer(draw(st.sampled_from(["void", "int", "func", "self"])))
    if choice == 7 and ctx.enums:
        return draw(st.sampled_from(ctx.enums))
    if choice == 8 and ctx.typedefs:
        return draw(st.sampled_from(ctx.typedefs))
    return Scalar(draw(st.sampled_from(SCALARS)))


@st.composite
def member_types(draw, ctx: _Ctx, budget: int) -> CType:
    """A member type: scalar-ish, or an earlier record (no larger than budget)."""
    if ctx.records and draw(st.integers(0, 3)) == 0:
        fits = [r for r in ctx.records if _weight(r) <= budget]
        if fits:
            return draw(st.sampled_from(fits))
    return draw(scalar_types(ctx))


@st.composite
def typedef_defs(draw, ctx: _Ctx) -> TypedefDef:
    choice = draw(st.integers(0, 5))
    if ctx.records and choice == 0:
        base = draw(st.sampled_from(ctx.records))
    elif ctx.typedefs and choice == 1:     # a typedef chain
        base = draw(st.sampled_from(ctx.typedefs))
    else:
        base = draw(scalar_types(ctx))
    # half of them aligned; small values lower the alignment (GCC allows it)
    align = draw(_align_value()) if draw(st.booleans()) else None
    return TypedefDef(ctx.names("T"), base, align,
                      attr_after_name=draw(st.booleans()), spelling=draw(st.integers(0, 3)))


@st.composite
def bitfields(draw, ctx: _Ctx, names: _Names) -> BitField:
    choice = draw(st.integers(0, 9))
    if choice == 0 and ctx.enums:
        t = draw(st.sampled_from(ctx.enums))
    elif choice == 1 and ctx.int_typedefs:
        t = draw(st.sampled_from(ctx.int_typedefs))
    else:
        t = Scalar(draw(st.sampled_from(tuple(INT_TYPES))))
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return BitField(t, None, 0)                         # T :0;
    width = draw(st.integers(1, 128))
    if shape == 1:
        return BitField(t, None, width)                     # T :w;
    packed = draw(st.integers(0, 7)) == 0
    return BitField(t, names("m"), width, packed, spelling=draw(st.integers(0, 3)))


@st.composite
def fields(draw, ctx: _Ctx, names: _Names, budget: int) -> Field:
    t = draw(member_types(ctx, budget))
    dims: tuple[int, ...] = ()
    if arrayable(t) and draw(st.integers(0, 3)) == 0:
        ndim = draw(st.integers(1, 3))
        dims = tuple(draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim)))
        while _weight(t) * _prod(dims) > budget and dims:
            dims = dims[:-1]
    attrs = draw(st.integers(0, 9))
    packed = attrs in (1, 3)
    align = draw(_align_value()) if attrs in (2, 3) else None
    return Field(t, names("m"), dims, packed, align,
                 attr_first=draw(st.integers(0, 5)) == 0,
                 spelling=draw(st.integers(0, 3)))


def _prod(dims) -> int:
    out = 1
    for n in dims:
        out *= n
    return out


def _has_named(members) -> bool:
    for m in members:
        if isinstance(m, (Field, FlexArray)) or (isinstance(m, BitField) and m.name):
            return True
        if isinstance(m, RecordDef) and _has_named(m.members):
            return True
    return False


@st.composite
def record_bodies(draw, ctx: _Ctx, kind: str, names: _Names, depth: int,
                  tag: str | None) -> RecordDef:
    n = draw(st.integers(1, 8 if depth == 0 else 4))
    members: list = []
    weight = 0
    for _ in range(n):
        choice = draw(st.integers(0, 9))
        if choice <= 3:
            m = draw(bitfields(ctx, names))
            w = 16
        elif choice == 4 and depth < 2:
            m = draw(record_bodies(ctx, draw(st.sampled_from(["struct", "union"])),
                                   names, depth + 1, None))
            w = m.weight
        else:
            m = draw(fields(ctx, names, max(16, WEIGHT_LIMIT - weight)))
            w = _weight(m.ctype) * _prod(m.dims)
        members.append(m)
        weight += w + 32
    if not _has_named(members):
        members.append(BitField(Scalar("int"), names("m"), draw(st.integers(1, 32))))
        weight += 16
    has_fam = False
    if kind == "struct" and depth == 0 and draw(st.integers(0, 7)) == 0:
        t = draw(scalar_types(ctx))
        if arrayable(t):
            members.append(FlexArray(t, names("m")))
            has_fam = True
    packed = draw(st.sampled_from([0, 0, 0, 1, 2]))
    align = draw(_align_value()) if draw(st.integers(0, 4)) == 0 else None
    return RecordDef(kind, tag, members, packed=packed, align=align,
                     align_pos=draw(st.sampled_from([1, 2])),
                     spelling=draw(st.integers(0, 3)), weight=weight + 64,
                     has_fam=has_fam)


@st.composite
def corpora(draw, max_records: int = 100) -> Corpus:
    """A corpus of 1..``max_records`` top-level records (about half that on
    average; the count shrinks towards 1 when hypothesis minimises)."""
    ctx = _Ctx()
    defs: list[Definition] = []
    roots: list[tuple[str, Definition]] = []
    n = draw(st.integers(1, max_records))
    while len(roots) < n:
        what = draw(st.integers(0, 10))
        if what == 0:
            e = draw(enum_defs(ctx.names))
            defs.append(e)
            ctx.enums.append(e)
            continue
        if what in (1, 10):
            t = draw(typedef_defs(ctx))
            defs.append(t)
            base = resolve(t)
            if isinstance(base, RecordDef):
                ctx.records.append(t)
                roots.append((t.name, t))
            else:
                ctx.typedefs.append(t)
                if isinstance(base, Scalar) and base.name in INT_TYPES \
                        or isinstance(base, EnumDef):
                    ctx.int_typedefs.append(t)
            continue
        kind = "union" if what in (8, 9) else "struct"
        typedefed = draw(st.integers(0, 5)) == 0
        tag = None if typedefed else ctx.names("U" if kind == "union" else "S")
        r = draw(record_bodies(ctx, kind, _Names(), 0, tag))
        if typedefed:
            r.typedef_name = ctx.names("T")
        defs.append(r)
        if not r.has_fam:
            ctx.records.append(r)
        roots.append((type_name(r, HOST), r))
    return Corpus(defs, roots)


# --------------------------------------------------------------------------
# Reduction: a failing record down to the members that matter

def _edits(corpus: Corpus) -> Iterator[tuple]:
    """Candidate simplifications, as (kind, def index, member index path)."""
    def walk(rec: RecordDef, loc: tuple):
        for i in reversed(range(len(rec.members))):
            yield ("drop", loc + (i,))
        for i, m in enumerate(rec.members):
            if isinstance(m, RecordDef):
                yield ("inline", loc + (i,))
                yield from walk(m, loc + (i,))
            if getattr(m, "packed", False) or getattr(m, "align", None) is not None:
                yield ("plain", loc + (i,))
        if rec.packed or rec.align is not None:
            yield ("plain", loc)

    for di in reversed(range(len(corpus.definitions))):
        x = corpus.definitions[di]
        if isinstance(x, RecordDef):
            yield from walk(x, (di,))
        elif isinstance(x, TypedefDef) and x.align is not None:
            yield ("plain", (di,))


def _apply(corpus: Corpus, edit: tuple) -> None:
    kind, loc = edit
    node = corpus.definitions[loc[0]]
    parent = None
    for i in loc[1:]:
        parent, node = node, node.members[i]
    if kind == "plain":
        if isinstance(node, RecordDef):
            node.packed, node.align = 0, None
        else:
            node.align = None
            if hasattr(node, "packed"):
                node.packed = False
    elif kind == "drop":
        del parent.members[loc[-1]]
    elif kind == "inline":   # anonymous record -> its members, in place
        parent.members[loc[-1]:loc[-1] + 1] = node.members


def reduce(corpus: Corpus, name: str, fails, budget: int = 300) -> Corpus:
    """Greedily simplify the record ``name`` (and its dependencies) while
    ``fails(candidate)`` stays true; returns the smallest failing corpus.
    ``fails`` must treat invalid C (the compiler rejects it) as not failing.
    """
    import copy
    best = corpus.subset(name)
    progress = True
    while progress and budget > 0:
        progress = False
        for edit in list(_edits(best)):
            if budget <= 0:
                break
            cand = copy.deepcopy(best)
            try:
                _apply(cand, edit)
            except (IndexError, AttributeError):
                continue
            if not _has_named(resolve(cand.roots[0][1]).members):
                continue
            budget -= 1
            cand = cand.subset(name)
            if fails(cand):
                best = cand
                progress = True
                break
    return best
