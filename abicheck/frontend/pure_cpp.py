"""The pure-Python preprocessor path: pcpp with the same hermetic set-up.

Used where no gcc exists, or with ``ABICHECK_CPP=pcpp``.  pcpp runs in our
own process, so the bounds that ``cpp_process.run_bounded`` enforces by
killing gcc are enforced from inside instead: every macro expansion checks
the deadline, every output line the size, and every file it opens goes
through the same confinement rules before it is read.
"""
from __future__ import annotations

import io
import os
import re
import time

from abicheck import limits
from abicheck.errors import ConfinementError, LimitError, PreprocessError, SourceLoc
from abicheck.frontend import confine
from abicheck.frontend.preprocess import MAIN, MacroDef, Preprocessed, _split_defines

_ABS = re.compile(r'^\s*[<"]\s*/')


def run_pcpp(text: str, dirs: list[str], macros: dict[str, str], roots: confine.Roots,
             lim: limits.Limits, user_main: bool) -> Preprocessed:
    from pcpp import Preprocessor

    deadline = time.monotonic() + lim.cpp_timeout
    searched = ", ".join(dirs[:-1]) or "no -I directories given"

    def here(tok) -> SourceLoc | None:
        if tok is None:
            return None
        src = getattr(tok, "source", None) or MAIN
        return SourceLoc(MAIN if src == "<stdin>" else src, getattr(tok, "lineno", 0) or 0, 1)

    class _Bounded(Preprocessor):
        errors: list[PreprocessError]
        at = None

        def on_error(self, file, line, msg):  # noqa: ANN001 - pcpp's hook
            self.errors.append(PreprocessError(msg, SourceLoc(MAIN if file == "<stdin>" else file, line or 0, 1)))

        def on_include_not_found(self, is_malformed, is_system_include, curdir, includepath):
            raise PreprocessError(f"cannot find header '{includepath}' (searched: {searched})", here(self.at))

        def on_comment(self, tok):
            return False

        def include(self, tokens, original_line):
            self.at = tokens[0] if tokens else None
            if tokens and not lim.allow_include_outside and _ABS.match("".join(t.value for t in tokens)):
                src = getattr(tokens[0], "source", None)
                if user_main or src not in (None, "<stdin>"):
                    raise ConfinementError("#include of an absolute path is refused; pass "
                                           "--allow-include-outside to allow it", here(tokens[0]))
            yield from super().include(tokens, original_line)

        def on_file_open(self, is_system_include, includepath):
            if not lim.allow_include_outside and not roots.contains(includepath) \
                    and os.path.exists(includepath):
                raise ConfinementError(f"#include of '{includepath}' leaves the include directories; "
                                       "pass --allow-include-outside to allow it", here(self.at))
            if os.path.isfile(includepath) and os.path.getsize(includepath) > lim.input_size:
                raise LimitError(f"'{includepath}' is more than the input limit of {lim.input_size} "
                                 "bytes; raise it with --limit input-size=SIZE", here(self.at))
            return open(includepath, encoding="utf-8", errors="surrogateescape")

        def expand_macros(self, tokens, expanding_from=[]):  # noqa: B006 - pcpp's signature
            if time.monotonic() > deadline:
                raise LimitError(f"preprocessing took longer than {lim.cpp_timeout:g} s (a macro "
                                 "expands too far?); raise the bound with --limit cpp-timeout=SECONDS",
                                 here(tokens[0] if tokens else None))
            return super().expand_macros(tokens, expanding_from)

    class _Sink(io.StringIO):
        def write(self, s: str) -> int:
            n = super().write(s)
            if self.tell() > lim.cpp_output:
                raise LimitError(f"the preprocessed text exceeds {lim.cpp_output} bytes (a macro "
                                 "expands too far?); raise the bound with --limit cpp-output=SIZE")
            return n

    pp = _Bounded()
    pp.errors = []
    pp.line_directive = "#"
    for name in ("__STDC__", "__STDC_HOSTED__"):
        pp.define(f"{name} 1")
    pp.define("__STDC_VERSION__ 201112L")
    for name, value in macros.items():
        pp.define(f"{name} {value}")
    for d in dirs:
        pp.add_path(d)
    pp.parse(text, "<stdin>")
    out = _Sink()
    pp.write(out)
    if pp.errors:
        raise pp.errors[0]
    defs = []
    for name, m in pp.macros.items():
        params = tuple(m.arglist) if m.arglist is not None else None
        body = "".join(t.value for t in m.value).strip()
        src = m.source or "<built-in>"
        defs.append(MacroDef(name, params, body, SourceLoc(MAIN if src == "<stdin>" else src, m.lineno or 0, 1)))
    pre = _split_defines(out.getvalue(), text)
    return Preprocessed(pre.text, tuple(defs), text)   # pcpp's own record: not exact
