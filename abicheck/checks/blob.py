"""Blob validation: is this blob one the headers' ABI allows?

``abicheck validate`` reads a blob (a ``siginfo_t`` a kernel delivered, a
fault simulator emitted, a test fixture) and checks it against the type's
layout on one target and the spec's ``layouts`` section, as findings in the
one findings model (so every ``check`` output format renders it):

ABI500  the blob is the type's size
ABI501  the signal is a signal of the target and the code a code of that
        signal (or a generic SI_* code), by the target's headers
ABI502  only the fields of the member the signal and code select (and those
        valid in every blob) are non-zero: a byte of another member's field
        set means the blob mixes members
ABI503  reserved members are zero: those named as reserved (``abicheck.names``)
        and, inside the selected member, those no public accessor names (the
        kernel's ``_dummy_pkey`` filler before the key)
ABI504  padding (bytes no member covers: holes and the tail) is zero
ABI505  bounded fields are within their target's range (a protection key
        below 16 on x86, 32 on powerpc, 8 on arm64: the spec's ``ranges``)

For a record without tagged-union rules, ABI501, ABI502 and ABI505 do not
apply.  A check that cannot run (a wrong-size blob cannot be decoded) is
"not applicable", never passed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from abicheck.errors import SourceLoc
from abicheck.names import RESERVED
from abicheck.report.findings import CheckResult, Finding, Report

if TYPE_CHECKING:
    from abicheck.blobs.context import BlobContext

CHECKS = (("ABI500", "blob size"), ("ABI501", "signal and code known"),
          ("ABI502", "only the selected member's fields set"), ("ABI503", "reserved bytes zero"),
          ("ABI504", "padding bytes zero"), ("ABI505", "field values in range"))


def reserved_name(path: str) -> bool:
    """Named as reserved by the project's one convention (``abicheck.names``)."""
    return bool(RESERVED.search(path.rsplit(".", 1)[-1]))


def _runs(offsets: list[int]) -> list[tuple[int, int]]:
    """Sorted byte offsets -> [(start, end)) runs of consecutive ones."""
    out: list[tuple[int, int]] = []
    for i in offsets:
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


def _with_tail(cx: "BlobContext", blob: bytes) -> "BlobContext":
    """``cx`` extended by a flexible tail of the bytes past its size, or
    ``cx`` itself when the record has no such member, the tail is not whole
    elements, or the blob is hex text (ABI500 then reports the size), as
    ``decode`` reads it."""
    from abicheck.blobs.decode import hex_text_hint
    from abicheck.blobs.flexible import with_tail
    from abicheck.errors import UsageError
    if hex_text_hint(blob, cx.size):
        return cx
    try:
        return with_tail(cx, len(blob))
    except UsageError:
        return cx


def _span(a: int, b: int) -> str:
    return f"byte {a}" if b == a + 1 else f"bytes {a}..{b - 1}"


class _Validation:
    def __init__(self, cx: "BlobContext", blob: bytes, loc: SourceLoc | None) -> None:
        self.cx = cx
        self.blob = blob
        self.loc = loc
        self.found: dict[str, list[Finding]] = {fid: [] for fid, _ in CHECKS}
        self.applies: dict[str, bool] = {fid: True for fid, _ in CHECKS}

    def add(self, fid: str, msg: str, measured=None, expected=None) -> None:
        check = dict(CHECKS)[fid]
        self.found[fid].append(Finding(fid, "error", (self.cx.target.name,), self.loc, msg, check,
                                       measured, expected))

    def run(self) -> None:
        cx, blob = self.cx, self.blob
        if len(blob) > cx.size:
            # a record ending in a flexible array member (``inotify_event``
            # and its name) is that many bytes longer, in whole elements
            cx = self.cx = _with_tail(cx, blob)
        if len(blob) != cx.size:
            from abicheck.blobs.decode import hex_text_hint
            self.add("ABI500", f"the blob is {len(blob)} bytes; {cx.type_name} is {cx.size} bytes "
                     f"on {cx.target.name}{hex_text_hint(blob, cx.size)}", len(blob), cx.size)
            for fid, _ in CHECKS[1:]:
                self.applies[fid] = False
            return
        from abicheck.blobs.decode import decode
        d = decode(cx, blob)
        tg = cx.tagged
        if tg is None:
            allowed_paths = tuple(cx.paths)
            for fid in ("ABI501", "ABI502", "ABI505"):
                self.applies[fid] = False
            choice = None
        else:
            choice = d.choice
            signo, code = d.values.get(tg.signal_path, 0), d.values.get(tg.code_path, 0)
            if choice.signal_name is None:
                self.add("ABI501", f"{cx.display(tg.signal_path)} {signo} is not a signal on "
                         f"{cx.target.name}", signo)
            elif not choice.code_known:
                self.add("ABI501", f"{cx.display(tg.code_path)} {code:#x} is not a code of "
                         f"{choice.signal_name} on {cx.target.name} ({cx.label})", code)
            allowed_paths = choice.paths
        self.bytes_outside(allowed_paths, choice)
        if tg is not None:
            for path, lo, hi, why in tg.ranges():
                if not any(path == p or path.startswith(p + ".") for p in allowed_paths):
                    continue
                v = d.values.get(path)
                if v is None:
                    continue
                if (lo is not None and v < lo) or (hi is not None and v > hi):
                    rng = (f"at most {hi}" if lo is None else f"at least {lo}" if hi is None
                           else f"{lo}..{hi}")
                    self.add("ABI505", f"{cx.display(path)} is {v}; on {cx.target.name} it must "
                             f"be {rng}", v, rng)

    def bytes_outside(self, allowed_paths, choice) -> None:
        """Non-zero bytes that no allowed field covers, sorted into reserved
        members (ABI503), padding (ABI504) and other members' fields
        (ABI502).  A byte is blamed on the member most specific to it: one
        beside an allowed field first (the reserved bytes after an 8-bit
        key), else the smallest member over it; a member spanning the whole
        type (a union's sizing array) covers nothing in particular."""
        cx, blob = self.cx, self.blob
        allowed = bytearray(len(blob))
        parents = set()
        for p in allowed_paths:
            for lf in cx.leaves_under(p):
                allowed[lf.offset:lf.offset + lf.size] = b"\1" * lf.size
                parents.add(lf.path.rpartition(".")[0])
        covering: dict[int, list] = {}
        for lf in cx.leaves.values():
            if lf.size >= cx.size:
                continue
            for i in range(lf.offset, lf.offset + lf.size):
                covering.setdefault(i, []).append(lf)
        reserved: dict[str, list[int]] = {}
        padding: list[int] = []
        foreign: dict[str, list[int]] = {}
        for i, b in enumerate(blob):
            if not b or allowed[i]:
                continue
            cov = covering.get(i, [])
            if not cov:
                padding.append(i)
                continue
            near = [lf for lf in cov if lf.path.rpartition(".")[0] in parents]
            pool = sorted(near or cov, key=lambda lf: (lf.size, lf.path not in cx.names, lf.path))
            blame = pool[0]
            filler = bool(near) and blame.path not in cx.names
            kind = reserved if reserved_name(blame.path) or filler else foreign
            kind.setdefault(blame.path, []).append(i)
        for path, offs in sorted(reserved.items(), key=lambda kv: kv[1][0]):
            for a, b in _runs(offs):
                self.add("ABI503", f"reserved member {path} is not zero ({_span(a, b)}: "
                         f"{blob[a:b].hex()})", blob[a:b].hex(), "00" * (b - a))
        for a, b in _runs(padding):
            self.add("ABI504", f"padding {_span(a, b)} is not zero ({blob[a:b].hex()})",
                     blob[a:b].hex(), "00" * (b - a))
        for path, offs in sorted(foreign.items(), key=lambda kv: kv[1][0]):
            spans = ", ".join(_span(a, b) for a, b in _runs(offs))
            sel = ""
            if choice is not None:
                fields = ", ".join(cx.display(p) for p in choice.paths)
                sel = (f"; {choice.signal_name or '?'}/{choice.code_name or 'unknown code'} selects "
                       f"'{choice.member}' ({fields})")
            self.add("ABI502", f"{cx.display(path)} is set ({spans}) but is not a field of the "
                     f"blob's member{sel}", blob[offs[0]:offs[-1] + 1].hex(), None)

    def results(self) -> tuple[CheckResult, ...]:
        out = []
        t = self.cx.target.name
        for fid, name in CHECKS:
            if not self.applies[fid]:
                out.append(CheckResult(name, fid, t, None))
            else:
                fs = tuple(self.found[fid])
                out.append(CheckResult(name, fid, t, not fs, fs))
        return tuple(out)


#: the name findings cite for a blob given as ``--hex STRING`` (one line of text)
HEX_NAME = "<hex>"


def validate_blob(cx: "BlobContext", blob: bytes, blob_name: str | None = None) -> Report:
    """The findings of ``blob`` as a ``Report`` (command ``validate``).  A
    ``--hex`` blob is cited as ``<hex>:1:1`` (its one line), so a finding
    never reads like ``abicheck: error``, the form of bad input."""
    loc = None
    if blob_name == HEX_NAME:
        loc = SourceLoc(HEX_NAME, 1, 1)
    elif blob_name:
        loc = SourceLoc(blob_name)
    v = _Validation(cx, blob, loc)
    v.run()
    subject = f"{blob_name or 'blob'}: {cx.type_name} on {cx.label}"
    return Report("validate", subject, (cx.target.name,), v.results(),
                  {"type": cx.type_name, "headers": cx.label, "size": len(blob)})
