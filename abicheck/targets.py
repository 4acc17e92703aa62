"""The ABI table: every Linux ABI abicheck knows, as data.

A target is a row of ``data/targets.json``: scalar sizes and alignments, byte
order, char signedness, bitfield rules and the macros its compiler predefines.
Adding an ABI means adding a row, never a code branch.  The file is validated
against ``schemas/targets.schema.json`` when first loaded.

Scalar alignment is given twice where the psABI says so: ``align`` is the
alignment a member of that type gets inside a struct (what moves fields; i386
gives ``long long`` and ``double`` 4), ``pref_align`` is what GCC's
``__alignof__`` reports for a lone object (8 on i386).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from abicheck import package
from abicheck.errors import UsageError

#: Scalar kinds every row must describe (``__int128`` is optional).
#: ``__builtin_va_list`` is GCC's own type behind ``va_list``: a pointer on
#: some ABIs, a struct (or an array of one) on others, so it is a row fact.
SCALARS = (
    "_Bool", "char", "short", "int", "long", "long long", "pointer",
    "float", "double", "long double", "__builtin_va_list",
)


@dataclass(frozen=True, slots=True)
class Scalar:
    """Size and alignment of one scalar kind on one ABI, in bytes."""

    size: int
    align: int
    pref_align: int


@dataclass(frozen=True, slots=True)
class Target:
    """One Linux ABI.  See ``schemas/targets.schema.json`` for each field."""

    name: str
    description: str
    aliases: tuple[str, ...]
    triple: str
    kernel_arch: str
    debian_arch: str | None
    clang_triple: str | None
    gcc: tuple[str, ...] | None
    byte_order: str
    char_signed: bool
    scalars: Mapping[str, Scalar]
    biggest_alignment: int
    zero_width_bitfield_aligns_struct: bool
    pcc_bitfields: bool = True
    record_min_align: int = 1
    empty_field_boundary: int = 1
    macros: Mapping[str, str] = field(default_factory=dict)
    clang_args: tuple[str, ...] = ()
    word: int | None = None
    vector_types: bool = False
    #: 32-bit ABIs this 64-bit ABI's kernel runs in compat mode (row names)
    compat: tuple[str, ...] = ()
    multiarch_tuple: str | None = None
    #: MINSIGSTKSZ of the ABI's asm/signal.h (``sigaltstack``'s least size;
    #: the fault model's); None where the table does not say (ia64)
    minsigstksz: int | None = None
    #: the AUDIT_ARCH_* name the kernel gives this ABI's system calls
    audit_arch: str | None = None

    @property
    def multiarch(self) -> str:
        """Debian's multiarch folder name for this ABI (``/usr/include/<it>/asm``)."""
        return self.multiarch_tuple or self.triple

    @property
    def pointer_size(self) -> int:
        return self.scalars["pointer"].size

    @property
    def word_size(self) -> int:
        """GCC's ``word_mode`` in bytes (``mode(word)``, glibc's ``register_t``):
        the general register, wider than a pointer on x32 and MIPS n32."""
        return self.word or self.pointer_size

    @property
    def classes(self) -> frozenset[str]:
        """Names of the target classes this ABI belongs to (used by specs)."""
        long = self.scalars["long"].size
        ptr = self.pointer_size
        out = {"all", f"{ptr * 8}-bit", f"{self.byte_order[0]}e",
               f"{self.byte_order}-endian"}
        if long == 8 and ptr == 8:
            out.add("lp64")
        if long == 4 and ptr == 4:
            out.add("ilp32")
        out.add(self.kernel_arch)
        return frozenset(out)

    def scalar(self, kind: str) -> Scalar:
        try:
            return self.scalars[kind]
        except KeyError:
            raise UsageError(f"type '{kind}' does not exist on target {self.name}") from None


def _load_rows() -> list[dict]:
    text = package.read_text("data/targets.json")
    data = json.loads(text)
    schema_text = package.read_text("schemas/targets.schema.json")

    def validate() -> None:
        import jsonschema
        jsonschema.validate(data, json.loads(schema_text))
    # the bundled table was validated by the test suite (abicheck.validated);
    # another one once per table and schema text, not on every start (abicheck.cache)
    from abicheck import validated
    if not validated.known_valid("targets", schema_text, text):
        from abicheck import cache
        cache.checked("schema-valid-1", schema_text + "\0" + text, validate)
    common = data.get("common_macros", {})
    rows = []
    for row in data["targets"]:
        row = dict(row)
        row["macros"] = {**common, **row.get("macros", {})}
        rows.append(row)
    return rows


def _make(row: dict) -> Target:
    scalars = {}
    for kind, spec in row["scalars"].items():
        size, align = spec[0], spec[1]
        pref = spec[2] if len(spec) > 2 else align
        scalars[kind] = Scalar(size, align, pref)
    return Target(
        name=row["name"],
        description=row.get("description", ""),
        aliases=tuple(row.get("aliases", ())),
        triple=row["triple"],
        kernel_arch=row["kernel_arch"],
        debian_arch=row.get("debian_arch"),
        clang_triple=row.get("clang_triple"),
        gcc=tuple(row["gcc"]) if row.get("gcc") else None,
        byte_order=row["byte_order"],
        char_signed=row["char_signed"],
        scalars=MappingProxyType(scalars),
        biggest_alignment=row["biggest_alignment"],
        zero_width_bitfield_aligns_struct=row.get("zero_width_bitfield_aligns_struct", False),
        pcc_bitfields=row.get("pcc_bitfields", True),
        record_min_align=row.get("record_min_align", 1),
        word=row.get("word_size"),
        vector_types=row.get("vector_types", False),
        multiarch_tuple=row.get("multiarch"),
        empty_field_boundary=row.get("empty_field_boundary", 1),
        macros=MappingProxyType(dict(row["macros"])),
        clang_args=tuple(row.get("clang_args", ())),
        compat=tuple(row.get("compat", ())),
        minsigstksz=row.get("minsigstksz"),
        audit_arch=row.get("audit_arch"),
    )


@functools.cache
def all_targets() -> tuple[Target, ...]:
    """Every target in table order."""
    return tuple(_make(r) for r in _load_rows())


@functools.cache
def _index() -> Mapping[str, Target]:
    idx: dict[str, Target] = {}
    for t in all_targets():
        for key in (t.name, t.triple, t.debian_arch, *t.aliases):
            if key:
                idx.setdefault(key.lower(), t)
    return idx


def get_target(name: str) -> Target:
    """Look a target up by canonical name, alias, Debian arch or GNU triple."""
    t = _index().get(name.lower())
    if t is None:
        known = ", ".join(x.name for x in all_targets())
        raise UsageError(f"unknown target '{name}' (known: {known})")
    return t


def host_target() -> Target:
    """The target matching the machine abicheck runs on (for ``--system``)."""
    import platform
    import struct
    machine = platform.machine().lower()
    bits = struct.calcsize("P") * 8
    guess = {"x86_64": "x86_64" if bits == 64 else "i386", "amd64": "x86_64",
             "i686": "i386", "i386": "i386", "aarch64": "aarch64",
             "arm64": "aarch64", "armv7l": "arm", "ppc64le": "powerpc64le",
             "s390x": "s390x", "riscv64": "riscv64"}.get(machine, machine)
    return get_target(guess)


def select_targets(names: list[str] | None) -> list[Target]:
    """Resolve ``--target`` values; ``all`` (or none given) means every row."""
    if not names or "all" in names:
        return list(all_targets())
    out: list[Target] = []
    for n in names:
        for part in n.split(","):
            t = get_target(part.strip())
            if t not in out:
                out.append(t)
    return out
