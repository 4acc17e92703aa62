"""Everything one blob codec needs about one type on one ABI, computed once.

Turning ``si_pkey=1`` into bytes, or bytes back into fields, needs the
translation of the headers for the target (so ``SEGV_PKUERR`` has that
target's value), the type's layout, its byte shape and compiled construct
model (``abicheck.views``), the C member path of every leaf, the accessor
macros that name them (``si_pkey`` -> ``_sifields._sigfault._addr_pkey._pkey``),
and for a tagged union such as ``siginfo_t`` the spec's ``layouts`` section
(which union member a signal and code select).  A ``BlobContext`` holds all
of it; :func:`context` caches one per (type, target, headers), so the fault
simulator's thousand calls translate the headers once.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Sequence

from abicheck import api, bundled
from abicheck.errors import UsageError
from abicheck.targets import Target, get_target
from abicheck.views import blob_shape as bs
from abicheck.views import construct_model as cm

#: the bundled header set used when none is named
from abicheck.blob_defaults import DEFAULT_SET, DEFAULT_TYPE  # noqa: F401 (re-exported)

_PATHLIKE = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")


@dataclass(frozen=True)
class Leaf:
    """One leaf member of the type: where its bytes are and what they are.
    A bitfield's ``node`` is its whole storage run (``bits`` names it)."""

    path: str                       # C member path, as the layout names it
    keys: tuple[str, ...]           # key path in the construct model's values
    offset: int                     # bytes from the start of the type
    node: bs.Node
    c_type: str
    bitfield: bs.BitField | None = None

    @property
    def size(self) -> int:
        return self.node.size


class BlobContext:
    """One type on one target as seen through one set of headers."""

    def __init__(self, type_name: str, target: Target, headers: Sequence[str],
                 include_dirs: Sequence[str], defines: Sequence[str], label: str,
                 spec: str | None = None) -> None:
        self.type_name = type_name
        self.target = target
        self.label = label              # the headers, for messages ("linux-6.6")
        self.tr = api.translate(list(headers), target, list(include_dirs), list(defines))
        (self.layout,) = api.layout_translation(self.tr, [type_name])
        self.layouter = cm.layouter_of(self.tr)
        self.shape = cm.shape(self.layout, self.layouter)
        self.model = cm.compiled(self.shape)
        self.paths = bs.leaf_paths(self.shape, self.layout)
        self.leaves = leaves_of(self.shape, self.paths)
        self.macros = api.macro_table(self.tr)
        self.accessors = self._accessors()
        self.names = {p: a for a, p in sorted(self.accessors.items(), reverse=True)}
        from abicheck.blobs.tagged import layouts_for
        self.tagged = layouts_for(self, spec)

    @property
    def big(self) -> bool:
        return self.shape.byte_order == "big"

    @property
    def size(self) -> int:
        return self.layout.size

    def _accessors(self) -> dict[str, str]:
        """Accessor macro -> the member path it names (only paths of this
        type: ``si_pkey``, ``si_value``), read from the macro bodies."""
        members = {m.path for m in self.layout.members()}
        out = {}
        for d in self.tr.macros:
            if d.params is not None:
                continue
            body = re.sub(r"\s+", "", d.body)
            if _PATHLIKE.match(body) and body in members:
                out[d.name] = body
        return out

    def resolve(self, name: str) -> str:
        """A field as the user names it (accessor or member path) -> member
        path; a usage error naming close names when it is neither."""
        path = self.accessors.get(name, name)
        if self.layout.member(path) is not None:
            return path
        known = list(self.accessors) + list(self.paths)
        raise UsageError(f"'{name}' is not a field of {self.type_name} on {self.target.name} "
                         f"({self.label}){api.suggest(name, known)}")

    def display(self, path: str) -> str:
        """The public name of a member path (its accessor), else the path."""
        return self.names.get(path, path)

    def leaves_under(self, path: str) -> list[Leaf]:
        """The leaves at or inside member ``path``, by offset."""
        pre = path + "."
        return sorted((lf for p, lf in self.leaves.items() if p == path or p.startswith(pre)),
                      key=lambda lf: (lf.offset, lf.path))

    def constant(self, name: str) -> int | None:
        """The value of a macro or enum constant on this target, or None."""
        mac = self.macros.get(name)
        if mac is not None and mac.value is not None:
            return mac.value
        en = self.tr.unit.constants.get(name)
        if en is not None:
            try:
                return self.layouter.eval(en.value, en.loc)
            except Exception:           # noqa: BLE001 (an enum we cannot evaluate: no value)
                return None
        if self.tagged is not None:
            return self.tagged.signal_number(name)
        return None


def leaves_of(shape: bs.Shape, paths: dict[str, tuple[str, ...]]) -> dict[str, Leaf]:
    out = {}
    for path, keys in paths.items():
        node, off, c_type = shape.root, 0, shape.name
        bitfield = None
        for k in keys:
            if isinstance(node, bs.Bits):
                (bitfield,) = [f for f in node.fields if f.name == k]
                break
            (f,) = [f for f in node.fields if f.name == k]
            node, off, c_type = f.node, off + f.offset, f.c_type
        out[path] = Leaf(path, keys, off, node, c_type, bitfield)
    return out


def header_request(headers_set: str | None, headers: Sequence[str] = (),
                   include_dirs: Sequence[str] = ()) -> tuple[list[str], list[str], str]:
    """(entry headers, include dirs, label): a bundled set (or a header folder)
    is searched first; with no HEADER its siginfo entry header is read (the
    kernel's ``asm/siginfo.h``, else the libc's ``signal.h``)."""
    dirs = list(include_dirs)
    hdrs = list(headers)
    label = ", ".join(hdrs) or "headers"
    if headers_set:
        d = headers_set if os.path.isdir(headers_set) else bundled.headers_dir(headers_set)
        dirs.insert(0, d)
        label = os.path.basename(os.path.normpath(headers_set))
        if not hdrs:
            hdrs = ["asm/siginfo.h" if os.path.isfile(os.path.join(d, "asm", "siginfo.h"))
                    else "signal.h"]
    if not hdrs:
        raise UsageError("no headers: give --headers SET or HEADER... (with -I DIR)")
    return hdrs, dirs, label


def context(type_name: str, target: Target | str, headers_set: str | None = DEFAULT_SET,
            headers: Sequence[str] = (), include_dirs: Sequence[str] = (),
            defines: Sequence[str] = (), spec: str | None = None) -> BlobContext:
    """The (cached) context of ``type_name`` on ``target``; ``spec`` is the
    spec whose ``layouts`` apply (default: the bundled siginfo spec)."""
    t = target if isinstance(target, Target) else get_target(target)
    return _cached(type_name, t.name, headers_set, tuple(headers), tuple(include_dirs),
                   tuple(defines), spec)


@functools.lru_cache(maxsize=64)
def _cached(type_name: str, target: str, headers_set: str | None, headers: tuple,
            include_dirs: tuple, defines: tuple, spec: str | None) -> BlobContext:
    hdrs, dirs, label = header_request(headers_set, headers, include_dirs)
    return BlobContext(type_name, get_target(target), hdrs, dirs, defines, label, spec)
