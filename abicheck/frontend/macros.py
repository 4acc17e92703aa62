"""The macro table of one target's translation unit.

Headers publish much of their ABI as macros: code values (``SEGV_PKUERR``),
counters (``NSIGSEGV``), sizes (``SI_MAX_SIZE``) and *accessors* that expand
to member paths (``si_pkey`` -> ``_sifields._sigfault._addr_pkey._pkey``).
For each ``#define`` we keep its name, body, file:line and trailing comment,
and compute on demand:

- its full expansion, by asking cpp itself (a second run with one probe line
  per macro) rather than re-implementing macro expansion;
- its integer value, by evaluating the expansion with the target's sizes
  (``sizeof``, ``__alignof__`` and enum constants included, which is how
  glibc's ``#define SEGV_PKUERR SEGV_PKUERR`` gets its value from the enum);
- the member path it names, when the expansion is a dotted chain of names.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable

from abicheck.errors import AbicheckError, SourceLoc
from abicheck.frontend.gnu import rewrite
from abicheck.frontend.literal import literal_value
from abicheck.frontend.parse import parse_expr
from abicheck.frontend.preprocess import MacroDef, preprocess

_PROBE = "@@abicheck"
_IDENT = re.compile(r"[A-Za-z_]\w*")
_PATH = re.compile(r"^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*$")
_BUILTIN = ("<built-in>", "<command-line>")


@dataclass(frozen=True, slots=True)
class Macro:
    """A macro with everything we could learn about it."""

    name: str
    params: tuple[str, ...] | None
    body: str
    loc: SourceLoc
    expansion: str | None        # None for function-like macros
    value: int | None            # None unless an integer constant expression
    comment: str | None

    @property
    def path(self) -> str | None:
        """The member path an accessor macro names, e.g. ``_sifields._rt._pid``."""
        if self.expansion and _PATH.match(self.expansion):
            return re.sub(r"\s+", "", self.expansion)
        return None


class MacroTable:
    """Lazily evaluated macros of one ``Translation``."""

    def __init__(self, translation, layouter) -> None:
        self.tr = translation
        self.lay = layouter
        self._args = translation.request
        self.defs: dict[str, MacroDef] = translation.macro_map     # read only
        self._expansions: dict[str, str] | None = None
        self._cache: dict[str, Macro] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.defs

    def names(self) -> list[str]:
        return list(self.defs)

    def with_prefix(self, prefix: str) -> list[str]:
        return [n for n in self.defs if n.startswith(prefix)]

    def expansions(self) -> dict[str, str]:
        """Full expansion of every object-like macro whose body uses another
        macro (``uses_macros``), from one extra cpp run; the others are
        their own expansion and are not asked for."""
        if self._expansions is None:
            names = self.probed()
            out: dict[str, str] = {}
            if names:
                extra = "".join(f"{_PROBE} {i} {_PROBE} {n}\n" for i, n in enumerate(names))
                for line in self._expand(extra, names):
                    if line.startswith(_PROBE):
                        _, idx, _, rest = (line.split(None, 3) + [""])[:4]
                        out[names[int(idx)]] = rest.strip()
            self._expansions = out
        return self._expansions

    def probed(self) -> list[str]:
        """The macros ``expansions`` asks cpp to expand, in the order of its
        probe lines: object-like, from a header, and naming another macro."""
        return [n for n, d in self.defs.items() if d.params is None
                and d.loc.file not in _BUILTIN and self.uses_macros(n)]

    def uses_macros(self, name: str) -> bool:
        """Whether the body of ``name`` names another macro (else it is its
        own expansion)."""
        d = self.defs[name]
        return any(u in self.defs and u != name for u in _IDENT.findall(d.body))

    def _needed(self, names: list[str]) -> set[str] | None:
        return reachable(self.defs, names)

    def probe_group(self, names: list[str], only: "list[int] | None" = None
                    ) -> tuple[str, list[MacroDef]] | None:
        """The text of the short cpp run that expands ``names`` (``probed``'s
        list) after the final definitions alone, and the definitions it
        makes; None when the record cannot stand for the headers (not
        exact, or ``__COUNTER__``, whose count depends on the headers' uses).

        Only the definitions the probes reach are made, and each probe sits
        on the line it has in the table's own run (``__LINE__``).  ``only``:
        the indices of ``names`` to probe (the others are not asked for;
        those asked keep their numbers and lines).  ``MacroTable`` runs it
        alone, the diff fenced among other tables' (``checks.diff_expand``)."""
        pre = self.tr.pre
        if not pre.macros_exact or any("__COUNTER__" in d.body for d in pre.macros):
            return None
        needed = self._needed(names if only is None else [names[i] for i in only])
        kept = [d for d in pre.macros if d.loc.file not in _BUILTIN
                and (needed is None or d.name in needed)]
        # a predefined name a header defined again (arm's __INT32_TYPE__):
        # undefined first, as the header did, so cpp takes the new one quietly
        predefined = self.tr.target.macros
        defs = "".join(
            ("#undef %s\n" % d.name if d.name in predefined else "")
            + f"#define {d.name}{'' if d.params is None else '(' + ','.join(d.params) + ')'} "
            f"{d.body}\n" for d in kept)
        first = pre.main_source.count(chr(10)) + 1
        if only is None:
            probes = f"#line {first}\n" + "".join(
                f"{_PROBE} {i} {_PROBE} {n}\n" for i, n in enumerate(names))
        else:
            probes = "".join(f"#line {first + i}\n{_PROBE} {i} {_PROBE} {names[i]}\n"
                             for i in only)
        return defs + probes, kept

    def _expand(self, probes: str, names: list[str]):
        """cpp's output for ``probes`` appended to the translation unit.

        When the first run's macro record is exact, the probes follow the
        final definitions alone, on the line numbers they would have had
        (``__LINE__``), and no header is read again: the definitions in force
        are the whole state an expansion at the end of the unit sees
        (``probe_group``).  If that short run fails, the whole unit is
        preprocessed again."""
        headers, dirs, defines, system, source, roots = self._args
        group = self.probe_group(names)
        if group is not None:
            lines = _short_run(group[0], self.tr.target, dirs, defines, system)
            if lines is not None:
                return lines
        return preprocess(headers, self.tr.target, dirs, defines, system, source=source,
                          extra=probes, roots=roots).text.splitlines()

    def get(self, name: str) -> Macro | None:
        if name in self._cache:
            return self._cache[name]
        d = self.defs.get(name)
        if d is None:
            return None
        expansion = None
        if d.params is None:
            # ask cpp only when the body uses other macros (one extra run for
            # the whole table); plain numbers and member paths are their own
            # expansion
            needs_cpp = self.uses_macros(name)
            expansion = self.expansions().get(name) if needs_cpp else None
            if expansion is None:
                expansion = d.body
        value = self._value(expansion) if expansion else None
        mac = Macro(d.name, d.params, d.body, d.loc, expansion, value, trailing_comment(d.loc))
        self._cache[name] = mac
        return mac

    def _value(self, expansion: str) -> int | None:
        fast = literal_value(expansion)
        if fast is not None:
            return fast
        if _PATH.match(expansion):
            # a name or a member path: only an enum constant has a value
            # (glibc's "#define SEGV_PKUERR SEGV_PKUERR"); skip the parser
            en = self.tr.unit.constants.get(expansion.strip())
            if en is None:
                return None
            try:
                return self.lay.eval(en.value, en.loc)
            except (AbicheckError, RecursionError):
                return None
        try:
            expr = parse_expr(rewrite(expansion), self.tr.unit.typedefs)
            return self.lay.eval(expr)
        except (AbicheckError, RecursionError, KeyError, ValueError):
            return None

    def all(self, names: Iterable[str] | None = None) -> list[Macro]:
        return [m for m in (self.get(n) for n in (names or self.defs)) if m is not None]


def _short_run(short: str, target, dirs, defines, system) -> list[str] | None:
    """The output lines of cpp on ``short`` (definitions and probes, no
    #include), or None when it fails.  Kept in the persistent cache: the
    text and the target's predefined macros decide them."""
    import json

    from abicheck import cache
    k = None
    if cache.enabled():
        k = cache.key("expansions-1", json.dumps([short, sorted(target.macros.items()),
                                                  list(defines), bool(system)]))
        hit = cache.load("expansions-1", k)
        if hit is not None:
            try:
                lines = json.loads(hit.decode("utf-8", "surrogateescape"))
                if isinstance(lines, list) and all(isinstance(x, str) for x in lines):
                    return lines
            except ValueError:
                pass
    try:
        lines = preprocess((), target, dirs, defines, system, source=short[:-1]).text.splitlines()
    except AbicheckError:
        return None
    lines = [x for x in lines if x.startswith(_PROBE)]
    if k is not None:
        cache.store("expansions-1", k, json.dumps(lines).encode("utf-8", "surrogateescape"))
    return lines


@functools.lru_cache(maxsize=256)
def _source(path: str) -> tuple[tuple[str, ...], dict[int, str | None]]:
    """A header's lines as first read in this process, and the trailing
    comments found in them so far, by line: every target's table asks for
    the same ones (the default check: 2133 asks, 27 targets, ~80 lines)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return tuple(f.read().split("\n")), {}
    except OSError:
        return (), {}


def trailing_comment(loc: SourceLoc) -> str | None:
    """The comment that follows a ``#define`` on its own line, if any.

    Reads the raw header (cpp dropped comments).  A ``/*`` comment may run
    over several lines; ``[ \\t]`` rather than ``\\s`` keeps a comment on the
    next line from being attached to this macro.
    """
    lines, found = _source(loc.file)
    if loc.line in found:
        return found[loc.line]
    found[loc.line] = got = _comment(lines, loc.line)
    return got


def _comment(lines: tuple[str, ...], line: int) -> str | None:
    if not line or line > len(lines):
        return None
    i = line - 1
    text = lines[i]
    while text.endswith("\\") and i + 1 < len(lines):
        i += 1
        text = text[:-1] + " " + lines[i]
    m = re.search(r"/\*|//", text)
    if not m:
        return None
    if m.group(0) == "//":
        return text[m.end():].strip() or None
    body = text[m.end():]
    while "*/" not in body and i + 1 < len(lines):
        i += 1
        body += "\n" + lines[i]
    body = body.split("*/", 1)[0]
    parts = [re.sub(r"^[ \t]*\*?[ \t]?", "", ln).rstrip() for ln in body.split("\n")]
    return " ".join(p.strip() for p in parts if p.strip()) or None


def reachable(defs: dict[str, MacroDef], names: list[str]) -> set[str] | None:
    """The macros an expansion of ``names`` can reach: every name in their
    bodies, transitively; None (all of them) when a body pastes tokens
    (``##`` makes names no body spells).  What a short cpp run that expands
    ``names`` must define (``MacroTable``, the diff's batched runs)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        body = defs[n].body
        if "##" in body:
            return None
        todo += [u for u in _IDENT.findall(body) if u in defs and u not in seen]
    return seen
