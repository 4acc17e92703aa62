"""Independent layout oracles for tests: libclang, and cross gcc probes.

Project rule: every expected layout number in a test comes from a compiler at
test time, never from abicheck's own output pasted into the test.  Both
oracles return the shape of abicheck's layout JSON for one type::

    {"name": str, "size": int, "align": int,
     "members": [{"path": str, "offset": int, "size": int,
                  "bit_offset": int | None, "bit_width": int | None}, ...]}

Member-list conventions (abicheck's engine follows the same ones):

- pre-order, declaration order; ``path`` is the dotted chain of member names
  from the outermost type;
- an anonymous struct/union member adds no path component and is not listed,
  its members are; unnamed bitfields are not listed;
- named members of struct/union type are listed and recursed into; arrays are
  one member, elements are not expanded;
- ``offset`` is in bytes from the start of the outermost type; a bitfield has
  ``bit_offset`` (absolute, in allocation order) and ``offset =
  bit_offset // 8``, ``bit_width`` its declared width; both None otherwise;
- ``size`` is ``sizeof`` the member's declared type (a bitfield's declared
  type); a flexible array member has size 0.

Use :func:`pick_oracle` to get the oracle for a row of abicheck's ABI table:
libclang when the row has a ``clang_triple``, else the row's cross gcc when it
is installed.
"""
from __future__ import annotations

import functools
import shutil
import subprocess
from dataclasses import dataclass
from typing import Sequence

from oracle.clang import clang_layout, clang_records, have_clang
from oracle.common import MEMBER_KEYS, OracleError
from oracle.gcc import gcc_layout, gcc_records, have_gcc

__all__ = ["MEMBER_KEYS", "NoOracle", "Oracle", "OracleError", "clang_layout",
           "clang_records", "compiler_include_dir", "gcc_layout", "gcc_records",
           "have_clang", "have_gcc", "pick_oracle"]


class NoOracle(Exception):
    """No compiler can answer for this target here (a reason to skip)."""


@dataclass(frozen=True)
class Oracle:
    """One compiler configured for one target."""

    kind: str                        # "clang" or "gcc"
    triple: str | None = None        # clang -target
    clang_args: tuple[str, ...] = ()
    gcc: tuple[str, ...] = ()        # command + ABI flags

    def layout(self, source: str, types: Sequence[str], include_dirs: Sequence[str] = (),
               defines: Sequence[str] = (),
               paths: dict[str, list[str]] | None = None) -> dict[str, dict]:
        if self.kind == "clang":
            return clang_layout(source, types, self.triple, self.clang_args,
                                include_dirs, defines)
        return gcc_layout(source, types, self.gcc, paths, include_dirs, defines)

    def records(self, source: str, file_suffixes: Sequence[str],
                include_dirs: Sequence[str] = (), defines: Sequence[str] = ()) -> list[str]:
        """Record types (and typedefs of records) the source defines in files
        ending with ``file_suffixes``: what exists on this ABI."""
        if self.kind == "clang":
            return clang_records(source, self.triple, file_suffixes, self.clang_args,
                                 include_dirs, defines)
        return gcc_records(source, self.gcc, file_suffixes, include_dirs, defines)

    def __str__(self) -> str:
        if self.kind == "clang":
            return " ".join(["libclang", "-target", self.triple, *self.clang_args])
        return " ".join(self.gcc)


def pick_oracle(target) -> Oracle:
    """The oracle for an ``abicheck.targets.Target``: libclang when the row
    names a ``clang_triple`` (the table leaves it null where libclang is wrong),
    else the row's cross gcc when installed.  Raises :class:`NoOracle`."""
    triple = getattr(target, "clang_triple", None)
    if triple and have_clang():
        return Oracle("clang", triple=triple,
                      clang_args=tuple(getattr(target, "clang_args", None) or ()))
    gcc = tuple(getattr(target, "gcc", None) or ())
    if gcc and have_gcc(gcc):
        return Oracle("gcc", gcc=gcc)
    if triple:
        raise NoOracle(f"{target.name}: libclang is not installed"
                       + (f" and {gcc[0]} is not either" if gcc else ""))
    if gcc:
        raise NoOracle(f"{target.name}: no libclang target and {' '.join(gcc)} is not installed")
    raise NoOracle(f"{target.name}: neither libclang nor a cross gcc lays this ABI out")


@functools.cache
def compiler_include_dir() -> str | None:
    """The host gcc's own header directory (``stddef.h``, ``stdarg.h``...).

    libc headers include ``<stddef.h>``, which comes with the compiler, not the
    libc; the PyPI libclang ships no headers and the probes run ``-nostdinc``.
    These headers are target-neutral (they use ``__SIZE_TYPE__`` and friends,
    which every compiler predefines for its target), so one directory serves
    every ABI, for the oracles and for abicheck alike."""
    gcc = shutil.which("gcc")
    if not gcc:
        return None
    r = subprocess.run([gcc, "-print-file-name=include"], capture_output=True, text=True)
    path = r.stdout.strip()
    return path if r.returncode == 0 and path.startswith("/") else None
