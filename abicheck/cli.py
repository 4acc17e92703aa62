"""The command line: parse arguments, call the library, render, set the exit code.

Nothing else lives here: each command is a module of
``abicheck/subcommands/`` (its parser and its call into the library), listed
in ``abicheck.subcommands.SUMMARIES``.  Exit status is decided in one place (``main``):

====  ==========================================================
0     success; for ``check``, every check passed; for ``diff``,
      no ABI change
1     ``check``: at least one check failed; ``lint``: a finding at or
      above ``--fail-on`` (default error); ``compat``: a mismatch
2     bad input or usage, in every command (one ``file:line:col:
      error: ...`` line on stderr, nothing on stdout)
3     an internal error (a bug: please report it); one line on
      stderr, or the traceback with ``ABICHECK_DEBUG=1``
====  ==========================================================

``diff`` reports a bit field, as abidiff does (``--exit-zero`` forces 0):
bit 4 some ABI change (all compatible: 4), bit 8 an incompatible change
(12 = 4|8), bit 16 a change that needs review (20 = 16|4, 28 = 16|8|4).

Output is built completely before anything is written, so an error never
leaves half a report behind; ``-o FILE`` replaces the file in one step.
"""
from __future__ import annotations

import argparse
import os
import sys

from abicheck import __version__
from abicheck.subcommands import EXIT_ERROR, EXIT_INTERNAL, EXIT_OK, SUMMARIES, command

TYPE_CHECKING = False       # typing, limits' dataclasses: not imported by --help
if TYPE_CHECKING:
    from typing import NoReturn, Sequence

    from abicheck.limits import Limits


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        from abicheck.errors import UsageError
        raise UsageError(message)


def build_parser(only: str | None = None, summaries: bool = False) -> argparse.ArgumentParser:
    """The whole command line; with ``only`` (a command's name), the parser
    of that command alone, which parses its command lines as the whole one
    does (a command's usage, help and errors do not depend on the others);
    with ``summaries``, every command as its line of ``--help`` and nothing
    more, which is all the top-level ``--help`` and its errors (no command,
    an unknown one) show.  Why: building a command imports its module and
    what that imports; all fifteen cost more than the rest of ``--help``."""
    parser = _Parser(prog="abicheck", description="Check the binary interface C headers promise.")
    parser.add_argument("--version", action="version", version=f"abicheck {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    for name, summary in SUMMARIES.items():
        if summaries:
            sub.add_parser(name, help=summary)
        elif only is None or name == only:
            command(name).add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``abicheck`` command; returns the exit status."""
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        # a command line naming its command first needs that command's parser only
        named = argv[0] if argv and argv[0] in SUMMARIES else None
        args = build_parser(named, summaries=named is None).parse_args(argv)
        if args.command is None:
            from abicheck.errors import UsageError
            raise UsageError(f"a command is required ({', '.join(SUMMARIES)}); see abicheck --help")
        from abicheck import cache, limits
        lim = _limits_of(args)
        # the parser and the layout recurse once per nesting level
        depth = sys.getrecursionlimit()
        sys.setrecursionlimit(max(depth, limits.recursion_needed(lim)))
        try:
            with limits.use(lim), cache.use(not getattr(args, "no_cache", False)):
                out = command(args.command).run(args)
        finally:
            sys.setrecursionlimit(depth)
        code = EXIT_OK
        if isinstance(out, tuple):
            out, code = out
        if getattr(args, "output", None):
            from abicheck.output import write_atomic
            write_atomic(args.output, out)
            return code
    except KeyboardInterrupt:
        print("abicheck: interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        return _failed(e)
    from abicheck.output import encodable
    try:
        if isinstance(out, bytes):        # a binary blob (encode --format bin)
            sys.stdout.buffer.write(out)
        else:
            sys.stdout.write(encodable(out))
        sys.stdout.flush()
    except BrokenPipeError:
        return code
    return code


def _failed(e: Exception) -> int:
    """The exit status of a command that raised ``e``, after its one line on
    stderr.  (The error module is imported here, not at the top, because
    ``--help`` never needs it.)"""
    from abicheck.errors import AbicheckError, printable
    if isinstance(e, AbicheckError):
        # one line per problem (a spec lists all of its problems at once)
        print(str(e) or "abicheck: error", file=sys.stderr)
        return EXIT_ERROR
    if isinstance(e, RecursionError):
        print("abicheck: error: declarations nest too deeply (lower the input's nesting, or "
              "see --limit nesting)", file=sys.stderr)
        return EXIT_ERROR
    if isinstance(e, MemoryError):
        print("abicheck: error: out of memory (see --limit in the README)", file=sys.stderr)
        return EXIT_ERROR
    if isinstance(e, BrokenPipeError):
        return EXIT_OK
    if os.environ.get("ABICHECK_DEBUG"):    # a bug of ours: one line, not a traceback
        raise e
    print(printable(f"abicheck: internal error: {type(e).__name__}: {e} (please report it; "
                    "ABICHECK_DEBUG=1 shows the traceback)"), file=sys.stderr)
    return EXIT_INTERNAL


def _limits_of(args: argparse.Namespace) -> Limits:
    import dataclasses

    from abicheck import limits
    lim = limits.Limits().with_options(getattr(args, "limits", []))
    return dataclasses.replace(lim, allow_include_outside=getattr(args, "allow_include_outside", False),
                               jobs=getattr(args, "jobs", 0)
                               or (limits.env_jobs() if hasattr(args, "jobs") else 0))


def entry() -> NoReturn:
    """The ``abicheck`` command: ``main``, then ``quick_exit``."""
    quick_exit(main())


def quick_exit(code: int) -> NoReturn:
    """End the process without freeing what it holds.  Why: a tree diff
    ends holding millions of objects (parsed units, the parse memo,
    snapshots) that Python would free one by one at shutdown, and nothing
    needs them once the output is written (bookworm -> trixie on x86_64:
    2.1 of 20.8 CPU s; a cold 608-header layout run: 0.55 of 3.9 s).  The
    exit hooks still run first (the layout store's last writes,
    multiprocessing's, temporary folders); with any other thread still
    alive the exit is the ordinary one, which joins it, and so it is under
    a profiler or a tracer (cProfile, coverage)."""
    import atexit
    import threading
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):       # a closed pipe: as an ordinary exit would
            pass
    if threading.active_count() != 1 or sys.getprofile() or sys.gettrace():
        sys.exit(code)      # a profiler or coverage writes its data at exit
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
