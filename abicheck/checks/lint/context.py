"""What a lint rule sees of one header: its text, and its translation and
layouts on every selected target, computed once and only when a rule asks.

Text rules read ``text``/``lines`` (the raw header, every ``#if`` branch,
comments included); layout rules ask for ``translation(t)``,
``records(t)`` and ``macros(t)``, which come from the layout engine exactly
as ``abicheck layout`` and ``abicheck check`` see the header.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from abicheck import api
from abicheck.errors import AbicheckError, SourceLoc
from abicheck.layout import Layouter, TypeLayout
from abicheck.revision import Revision
from abicheck.targets import Target

if TYPE_CHECKING:
    from abicheck.checks.lint.ctext import Scan


@dataclass
class HeaderContext:
    """One header of a lint run."""

    rev: Revision
    header: str                          # as listed in ``rev.headers``
    targets: tuple[Target, ...]
    defines: tuple[str, ...] = ()
    _text: str | None = field(default=None, repr=False)
    _tr: dict[str, "api.Translation | AbicheckError"] | None = field(default=None, repr=False)
    _records: dict[str, list[TypeLayout]] = field(default_factory=dict, repr=False)
    _macros: dict[str, object] = field(default_factory=dict, repr=False)
    #: records a target could not lay out: target name -> [(record, error)]
    unlaid: dict[str, list[tuple[str, AbicheckError]]] = field(default_factory=dict, repr=False)
    _scan: "Scan | None" = field(default=None, repr=False)
    _layouters: dict[str, Layouter | None] = field(default_factory=dict, repr=False)
    #: results rules of one family share, computed once per header (padding holes)
    memo: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def file(self) -> str:
        """The header's absolute path (what the front end puts in locations)."""
        return self.rev.file_of(self.header)

    @property
    def shown(self) -> str:
        """The header's name in reports."""
        return self.rev.header_label(self.header)

    @property
    def text(self) -> str:
        if self._text is None:
            with open(self.file, encoding="utf-8", errors="surrogateescape") as f:
                self._text = f.read()
        return self._text

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    def scan(self) -> "Scan":
        """The text cut into comments and code (``ctext.scan``), once."""
        if self._scan is None:
            from abicheck.checks.lint.ctext import scan
            self._scan = scan(self.text)
        return self._scan

    def loc(self, line: int, col: int = 1) -> SourceLoc:
        """A place in this header (1-based)."""
        return SourceLoc(self.file, line, col)

    def own(self, loc: SourceLoc | None) -> bool:
        """Is ``loc`` in this header (not in something it includes)?"""
        return loc is not None and self.rev.contributes(self.header, loc.file)

    def translations(self) -> dict[str, "api.Translation | AbicheckError"]:
        """Target name -> translation, or the error that target's compile
        gave; every target of the run, in order."""
        if self._tr is None:
            from abicheck.checks.diff import _translate
            self._tr = {t.name: tr for t, tr in
                        _translate(self.rev, self.file, self.targets, self.defines)}
        return self._tr

    def translation(self, target: str) -> "api.Translation | None":
        tr = self.translations().get(target)
        return None if isinstance(tr, AbicheckError) else tr

    def compiled(self) -> list[Target]:
        """The targets this header compiles on."""
        return [t for t in self.targets if self.translation(t.name) is not None]

    def layouter(self, target: str) -> Layouter | None:
        """One layout engine per target, shared by every rule (its caches
        with it)."""
        if target not in self._layouters:
            tr = self.translation(target)
            self._layouters[target] = None if tr is None else Layouter(tr.unit, tr.target)
        return self._layouters[target]

    def records(self, target: str) -> list[TypeLayout]:
        """Layouts of the structs and unions this header itself defines, in
        declaration order; records the engine cannot lay out on ``target``
        are left out and listed in ``unlaid[target]``."""
        if target not in self._records:
            tr = self.translation(target)
            out: list[TypeLayout] = []
            if tr is not None:
                lay = self.layouter(target)
                for name in api.declared_records(tr, [self.file]):
                    try:
                        out.append(lay.layout(name))
                    except (AbicheckError, RecursionError) as e:
                        err = e if isinstance(e, AbicheckError) else AbicheckError(
                            "declarations nest too deeply")
                        self.unlaid.setdefault(target, []).append((name, err))
            self._records[target] = out
        return self._records[target]

    def macros(self, target: str):
        """The ``frontend.macros.MacroTable`` of ``target``, or None."""
        if target not in self._macros:
            tr = self.translation(target)
            self._macros[target] = None if tr is None else api.macro_table(tr)
        return self._macros[target]

    def __post_init__(self) -> None:
        _LIVE[(id(self.rev), self.header, tuple(t.name for t in self.targets), self.defines)] = self

    def sibling(self, header: str) -> "HeaderContext":
        """The context of another header of the same run (same targets and
        defines; the run's own one while it lives, so its translations are
        shared): a rule about declarations this header includes from
        ``header`` compares with what ``header`` says of them alone."""
        key = (id(self.rev), header, tuple(t.name for t in self.targets), self.defines)
        cx = _LIVE.get(key)
        if cx is None:
            cx = HeaderContext(self.rev, header, self.targets, self.defines)
        return cx

    def header_of(self, file: str) -> str | None:
        """The header of this run that is ``file``, if any (not this one)."""
        import os
        norm = os.path.normpath(os.path.abspath(file))
        return next((h for h in self.rev.headers
                     if h != self.header and self.rev.file_of(h) == norm), None)


#: Contexts alive, by (revision, header, targets, defines): a context keeps
#: its revision alive, so an id here is never reused while its entry lives.
_LIVE: "weakref.WeakValueDictionary[tuple, HeaderContext]" = weakref.WeakValueDictionary()


def contexts(rev: Revision, targets: Sequence[Target], defines: Sequence[str]) -> list[HeaderContext]:
    """One context per header of ``rev``, in the revision's order."""
    return [HeaderContext(rev, h, tuple(targets), tuple(defines)) for h in rev.headers]
