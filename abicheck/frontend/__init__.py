"""The front end: headers -> our C type model, for one target.

preprocess (hermetic cpp) -> gnu.rewrite (GNU C -> C23) -> parse (pycparser
-> ``model.Unit``).  Nothing outside this package knows about cpp or pycparser.
"""
from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from abicheck import limits
# the model, the GNU rewrite, parse and diagnose (pycparser: 30 ms of
# start-up, the model's classes 20 ms) are imported when a text is parsed:
# a warm run answers from the caches without them, and a cold one starts
# its cpp runs before it pays for them (``frontend.across``)
from abicheck.errors import AbicheckError, LimitError, ParseError, PreprocessError, SourceLoc
from abicheck.frontend.preprocess import MAIN, MacroDef, Preprocessed, preprocess
from abicheck.targets import Target

if TYPE_CHECKING:
    from abicheck import model


@dataclass(frozen=True)
class Translation:
    """One target's view of a set of headers: the type model and the macros."""

    target: Target
    unit: model.Unit
    pre: Preprocessed
    request: tuple = ()     # (headers, include_dirs, defines, system, source, roots): to run cpp again
    #: the laid-out results stored for this text and target (``cache.layouts``), or None
    laid: object = field(default=None, compare=False, repr=False)

    @property
    def macros(self) -> tuple[MacroDef, ...]:
        return self.pre.macros

    @property
    def macro_map(self) -> dict[str, MacroDef]:
        """``macros`` by name (``Preprocessed.macro_map``): read only."""
        return self.pre.macro_map


class LazyTranslation(Translation):
    """A ``Translation`` whose results are stored (``cache.layouts``): its
    unit is read (or parsed) only when something asks for the model (a
    check, lint, a diff, a type not stored), never for stored layouts."""

    def __init__(self, target: Target, pre: Preprocessed, request: tuple, laid) -> None:
        for name, value in (("target", target), ("pre", pre), ("request", request), ("laid", laid)):
            object.__setattr__(self, name, value)

    @functools.cached_property
    def unit(self) -> model.Unit:         # type: ignore[override]
        return _unit(self.pre.text, self.target, self.pre.search_dirs)


def _translation(target: Target, pre: Preprocessed, request: tuple) -> Translation:
    """The translation of ``pre`` on ``target``: lazy when its results are
    stored and the text is within the nesting limit (the one check of
    ``_parse`` that depends on the run, not the text), else parsed now."""
    from abicheck.cache import layouts
    main = _main_part(pre.text)
    dirs = tuple(pre.search_dirs)
    lim = limits.active().nesting
    laid = layouts.open_store(main, dirs, target, lambda: _nesting(main, lim)[0])
    if laid is not None and laid.hit and laid.depth <= lim:
        tr: Translation = LazyTranslation(target, pre, request, laid)
    else:
        tr = Translation(target, _unit(pre.text, target, pre.search_dirs), pre, request, laid)
    if laid is not None:
        laid.bind(lambda: _engine(tr))
    return tr


def _engine(tr: Translation):
    from abicheck.layout import Layouter
    return Layouter(tr.unit, tr.target)


def _parser():
    from abicheck.frontend import parse
    return parse


@functools.lru_cache(maxsize=64)
def _parse_cached(text: str, dirs: tuple[str, ...] = ()) -> model.Unit:
    # Many targets preprocess to the very same text; parse it once (and a
    # text that fails is diagnosed from the same, cached, rewrite).  Across
    # runs the persistent cache (``abicheck.cache``) keeps what parsed.
    # ``dirs`` (the folders the text's files are in) change nothing parsed:
    # they let a declaration of another tree's copy of a file be reused
    from abicheck import cache
    if not cache.enabled():
        return _parser().parse_preprocessed(text, dirs, _rewritten)
    from abicheck.cache import units
    k = cache.key(units.KIND, text)
    payload = cache.load(units.KIND, k)
    unit = units.loads(payload) if payload is not None else None
    if unit is None:
        unit = _parser().parse_preprocessed(text, dirs, _rewritten)
        data = units.dumps(unit)
        if data is not None:
            cache.store(units.KIND, k, data)
    return unit


@functools.lru_cache(maxsize=16)
def _parse_failure(text: str, dirs: tuple[str, ...] = ()) -> tuple[str, SourceLoc | None] | None:
    """The parse error of ``text``, remembered: a header that does not parse
    fails the same way on all 27 targets, and parsing a hostile one can take
    seconds.  None when it parses (the unit is then in ``_parse_cached``)."""
    from abicheck.cache import failures
    k = failures.key(text)
    known = failures.load(k)
    if type(known) is ParseError:
        return known.msg, known.loc
    try:
        _parse_cached(text, dirs)
    except ParseError as e:
        failures.store(k, ParseError(_STRAY.sub(_stray, e.msg), e.loc))
        return _STRAY.sub(_stray, e.msg), e.loc
    return None


def _parse(text: str, dirs: Sequence[str] = ()) -> model.Unit:
    """Parse, after making sure the text nests no deeper than the limit
    (the parser and the layout recurse once per level)."""
    lim = limits.active()
    text = _main_part(text)
    depth, at = _nesting(text, lim.nesting)
    if depth > lim.nesting:
        raise LimitError(f"declarations nest {lim.nesting + 1} deep here, more than the limit of "
                         f"{lim.nesting}; raise it with --limit nesting=N", _locate(text, at))
    from abicheck import cache
    # the relocatable form pays for itself when it is stored (or shared by
    # ABIs whose include folders differ); with the cache off, writing and
    # reading it back was 15% of a cold run
    portable = _portable(text, tuple(dirs)) if cache.enabled() else None
    if portable is not None:
        unit = _relocated(portable, tuple(dirs))
        if unit is not None:
            return unit
    failed = _parse_failure(text, tuple(dirs))
    if failed is not None:
        raise ParseError(*failed)
    return _parse_cached(text, tuple(dirs))


_MARKED_PATH = re.compile(r'^(#[ \t]*\d+[ \t]+")([^"\n]*)', re.M)


def _portable(text: str, dirs: tuple[str, ...]) -> str | None:
    """``text`` with each line marker's path under an include directory
    written relative to it (``<abicheck-dir-K>/linux/types.h``), or None
    when nothing would change.  Debian's cross headers are one copy per
    ABI (/usr/<triple>/include): their texts differ in these paths alone
    (30% of the uapi (header, ABI) pairs share a text then), and the model
    parsed from it is the same but for the files of its locations, which
    ``units.loads`` puts back."""
    usable = sorted(((d, k) for k, d in enumerate(dirs)
                     if d and '"' not in d and "\\" not in d and "\n" not in d),
                    key=lambda x: -len(x[0]))
    if not usable or "<abicheck-dir-" in text:
        return None
    changed = False

    def relative(m: re.Match) -> str:
        nonlocal changed
        path = m.group(2)
        for d, k in usable:
            if path.startswith(d + "/"):
                changed = True
                return f"{m.group(1)}<abicheck-dir-{k}>/{path[len(d) + 1:]}"
        return m.group(0)
    out = _MARKED_PATH.sub(relative, text)
    return out if changed else None


@functools.lru_cache(maxsize=64)
def _relocated(portable: str, dirs: tuple[str, ...]) -> model.Unit | None:
    """The unit of a ``_portable`` text, its files under ``dirs``; None
    when it does not parse (the caller then parses the real text, whose
    errors name real files)."""
    from abicheck.cache import units
    payload = _portable_payload(portable)
    unit = units.loads(payload, dirs) if payload is not None else None
    if unit is None and payload is not None:       # a damaged entry: parse, rewrite it
        _portable_payload.cache_clear()
        payload = _parsed_payload(portable)
        unit = units.loads(payload, dirs) if payload is not None else None
    return unit


@functools.lru_cache(maxsize=256)
def _portable_payload(portable: str) -> bytes | None:
    """The stored form of the unit parsed from ``portable``: from the
    persistent cache, else parsed (and stored)."""
    from abicheck import cache
    from abicheck.cache import units
    from abicheck.cache import failures
    if cache.enabled():
        k = cache.key(units.KIND, portable)
        payload = cache.load(units.KIND, k)
        if payload is not None:
            return payload
        if failures.known_unparsable(k):     # parsed before, in vain
            return None
    return _parsed_payload(portable)


def _parsed_payload(portable: str) -> bytes | None:
    from abicheck import cache
    from abicheck.cache import units
    from abicheck.cache import failures
    try:
        unit = _parser().parse_preprocessed(portable, (), _rewritten)
    except ParseError:
        failures.mark_unparsable(cache.key(units.KIND, portable))
        return None
    except (AbicheckError, RecursionError):
        return None
    payload = units.dumps(unit)
    if payload is not None and cache.enabled():
        cache.store(units.KIND, cache.key(units.KIND, portable), payload)
    return payload


def clear_memo() -> None:
    """Forget what this process parsed and preprocessed (the persistent
    cache stays)."""
    from abicheck.cache import preprocessed
    preprocessed.clear_memo()
    for f in (_parse_cached, _parse_failure, _relocated, _portable_payload, _rewritten, _nesting):
        f.cache_clear()
    if "abicheck.frontend.parse" in sys.modules:
        _parser().clear_memo()


# pycparser names a byte it cannot lex by its Python repr; gcc says "stray"
_STRAY = re.compile(r"^Illegal character '\\(?:udc([89a-f][0-9a-f])|x([0-9a-f]{2}))'$")


def _stray(m: re.Match) -> str:
    return f"stray '\\x{m.group(1) or m.group(2)}' in program"


_BRACKET = re.compile(r"[()\[\]{}]")


@functools.lru_cache(maxsize=64)
def _nesting(text: str, lim: int) -> tuple[int, int]:
    """(deepest bracket nesting, offset where ``lim`` is first passed).

    Brackets inside string and character literals count too: a false
    alarm needs a literal with hundreds of open brackets in a header."""
    depth = deepest = 0
    first = -1
    for m in _BRACKET.finditer(text):
        if m.group(0) in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if depth > lim and first < 0:
                    first = m.start()
        else:
            depth -= 1
    if first < 0:
        # pointer declarators nest too, without brackets: int ***...*p
        star = re.search(r"\*(?:[ \t]*\*){%d}" % lim, text)
        if star:
            return lim + 1, star.start() + lim
    return deepest, first


def _locate(text: str, offset: int) -> SourceLoc | None:
    """file:line:col of ``offset`` in preprocessed text, from its line markers."""
    if offset < 0:
        return None
    start = text.rfind("\n", 0, offset) + 1
    file, line, after = MAIN, 1, 0          # the line numbered ``line`` starts at ``after``
    for m in re.finditer(r'^# (\d+) "((?:\\.|[^"\\])*)".*$', text[:start], re.M):
        file, line, after = m.group(2), int(m.group(1)), m.end() + 1
    return SourceLoc(file, line + text.count("\n", after, start), offset - start + 1)


def _main_part(text: str) -> str:
    """The text from the main file on: what precedes it is the blanked
    predefines, which differ per target; without them most targets share
    one text, parsed once."""
    cut = text.find(f'\n# 1 "{MAIN}"\n')
    return text[cut + 1:] if cut >= 0 else text


def _unit(text: str, target: Target, dirs: Sequence[str] = ()) -> model.Unit:
    """Parse, or raise the error GCC would have reported first; ``dirs``:
    the include directories cpp searched (``Preprocessed.search_dirs``)."""
    try:
        return _parse(text, dirs)
    except LimitError:
        raise
    except ParseError as e:
        # GCC's first error costs several parses: kept across runs
        from abicheck.cache import failures
        k = failures.key(text, target)
        err = failures.load(k)
        if err is None:
            from abicheck.frontend import diagnose
            err = diagnose.first_error(_rewritten(_main_part(text)), target, e)
            failures.store(k, err)
        raise err from None


@functools.lru_cache(maxsize=16)
def _rewritten(text: str) -> str:
    # a failing text is diagnosed once per target: rewrite it once
    from abicheck.frontend import gnu
    return gnu.rewrite(text)


def _first_of(err: PreprocessError, target: Target) -> AbicheckError:
    """The cpp error, or a parse error that GCC would meet before it."""
    if not err.partial or err.loc is None:
        return err
    try:
        _unit(err.partial, target)
    except AbicheckError as e:
        if e.loc is not None:
            from abicheck.frontend import diagnose
            order = diagnose.tu_order(err.partial)
            if diagnose.position(order, e.loc) < diagnose.position(order, err.loc):
                return e
    return err


def translate(headers: Sequence[str], target: Target, include_dirs: Sequence[str] = (),
              defines: Sequence[str] = (), system: bool = False,
              source: str | None = None) -> Translation:
    """Preprocess and parse ``headers`` (or in-memory C ``source``) for ``target``."""
    try:
        pre = preprocess(headers, target, include_dirs, defines, system, source=source)
    except PreprocessError as e:
        raise _first_of(e, target) from None
    request = (tuple(headers), tuple(include_dirs), tuple(defines), system, source, ())
    return _translation(target, pre, request)


# one header set on many targets; many independent jobs (trees, the corpus)
from abicheck.frontend.across import translate_all, translate_stream  # noqa: E402,F401
from abicheck.frontend.each import translate_each  # noqa: E402,F401
