"""pahole's options for ``abicheck layout``: how the text is shaped, and which
records are shown.

Spelled as pahole 1.24 spells them (``pahole --help``), so that a kernel
developer's habits carry over; the text each option gives is held to pahole's
own by tests/views/test_pahole_options.py.  pahole's ``-x`` is ``--exclude``,
so hexadecimal is ``--hex`` only, as there.

Shaping (the pahole text of one target): ``-E`` expands members of named
record types and typedefs in place, ``--hex`` prints offsets and sizes as C's
``%#x``, ``-r`` makes offsets relative to the enclosing record, ``-c`` sets
the cacheline size.  Selection: ``--structs``/``--unions``, ``-H N`` (at
least N byte holes), ``-B N`` (at least N bit holes), ``-P`` (reordering
would shrink it) -- pahole's rules, including that a hole or packing filter
drops every union and that holes are counted among a struct's own members.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from abicheck.errors import UsageError

if TYPE_CHECKING:
    from abicheck.layout import Layouter, TypeLayout


@dataclass(frozen=True)
class TextOptions:
    """How the pahole text is printed (pahole's ``conf_fprintf``)."""

    expand_types: bool = False       # -E
    hex: bool = False                # --hex
    rel_offset: bool = False         # -r
    cacheline_size: int = 64         # -c
    #: the engine of the record's target: -E follows typedefs and lays out
    #: the element of an array of a named record through it
    layouter: "Layouter | None" = None

    def number(self, n: int, width: int) -> str:
        """``%*u``, or with ``--hex`` C's ``%#*x`` (``0`` has no ``0x``)."""
        if not self.hex:
            return f"{n:{width}d}"
        return f"{'0' if n == 0 else hex(n):>{width}}"


@dataclass(frozen=True)
class Selection:
    """Which records pahole lists (its ``class__filter``)."""

    structs: bool = False            # --structs
    unions: bool = False             # --unions
    holes: int = 0                   # -H
    bit_holes: int = 0               # -B
    packable: bool = False           # -P

    @property
    def active(self) -> bool:
        return self.structs or self.unions or bool(self.holes or self.bit_holes) or self.packable

    def keeps(self, lay: "TypeLayout", holes: int, bit_holes: int, shrinks: bool) -> bool:
        """Whether pahole would list ``lay`` with ``holes`` byte holes and
        ``bit_holes`` bit holes among its own members; ``shrinks``: a
        reordering lays it out smaller."""
        kind = lay.root.kind
        if kind not in ("struct", "union"):
            return not self.active          # pahole's filters list records only
        if self.unions:
            return kind == "union"
        if kind == "union":
            return not (self.structs or self.holes or self.bit_holes or self.packable)
        return holes >= self.holes and bit_holes >= self.bit_holes and (shrinks or not self.packable)


def from_args(args: Any, targets: int) -> tuple[TextOptions, Selection]:
    """The options of ``abicheck layout``, refusing the combinations that
    would show nothing or silently ignore an option (exit 2)."""
    sel = Selection(args.structs, args.unions, args.holes, args.bit_holes, args.packable)
    text = TextOptions(args.expand_types, args.hex, args.rel_offset, args.cacheline_size)
    if sel.structs and sel.unions:
        raise UsageError("--structs and --unions exclude each other (pahole would list nothing)")
    if sel.unions and (sel.holes or sel.bit_holes or sel.packable):
        which = "-P/--packable" if sel.packable else "-H/--holes" if sel.holes else "-B/--bit_holes"
        raise UsageError(f"--unions with {which}: holes and reordering are measured in structs only")
    shaping = [name for name, on in (("-E/--expand_types", text.expand_types), ("--hex", text.hex),
                                     ("-r/--rel_offset", text.rel_offset),
                                     ("-c/--cacheline_size", text.cacheline_size != 64)) if on]
    fmt = getattr(args, "format", "text")
    if shaping and fmt != "text":
        raise UsageError(f"{shaping[0]} shapes the pahole text; --format {fmt} has no text to shape")
    if shaping and targets > 1 and not sel.packable:
        raise UsageError(f"{shaping[0]} shapes the pahole text of one target; with {targets} targets "
                         "layout prints a comparison table")
    if sel.packable and (fmt != "text" or args.fields):
        raise UsageError("-P/--packable prints pahole's packing lines: not with "
                         + (f"--format {fmt}" if fmt != "text" else "--field"))
    if sel.packable and shaping:
        raise UsageError(f"-P/--packable prints one line per record: {shaping[0]} has no text to shape")
    if args.show_only_differences and targets < 2:
        raise UsageError("--show-only-differences compares targets: give several (--target all)")
    if args.show_only_differences and (sel.packable or fmt != "text"):
        raise UsageError("--show-only-differences shapes the comparison table: not with "
                         + ("-P/--packable" if sel.packable else f"--format {fmt}"))
    return text, sel
