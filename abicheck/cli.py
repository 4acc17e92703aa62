"""The command line: parse arguments, call the library, render, set the exit code.

Nothing else lives here; commands that have grown their own module
(``lint``, ``compat``) live in ``abicheck/subcommands/``.  Exit status is decided in one place (``main``):

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
from typing import Sequence

from abicheck import __version__, limits
from abicheck.subcommands import EXIT_ERROR, EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK
from abicheck.subcommands import compat as compat_command, lint as lint_command
from abicheck.subcommands import model as model_command
from abicheck.subcommands.options import common_header_args, output_arg
from abicheck.errors import AbicheckError, UsageError, printable

DIFF_EPILOG = """\
exit status (a bit field, as abidiff's):
   0  no ABI change on any target
   4  ABI changes, all compatible
  12  at least one incompatible change (4|8)
  16  some change needs review, always with 4 (20; 28 with an incompatible one)
   2  bad input or usage
  --exit-zero forces 0 (except for bad input)

verdicts: compatible (an addition that moves or resizes nothing existing, a
counter that grew, a member added in tail space the size already covered);
incompatible (an existing member moves, resizes or changes signedness; a
record's size or alignment changes; a constant changes value; a new code
collides with an existing one); needs review (reserved bytes put to use; a
rename with the same layout; a union member larger than the others).
"""

class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    from abicheck.report.render import formats
    parser = _Parser(prog="abicheck", description="Check the binary interface C headers promise.")
    parser.add_argument("--version", action="version", version=f"abicheck {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    lay = sub.add_parser("layout", help="show the memory layout of types, pahole style")
    lay.add_argument("headers", nargs="+", metavar="HEADER",
                     help="a header file, or an include name resolved through -I (asm/siginfo.h)")
    lay.add_argument("--type", dest="types", action="append", default=[], metavar="NAME",
                     help="typedef name, 'struct TAG' or 'union TAG' (repeatable; default: "
                          "every struct and union the named headers define, else their typedefs)")
    lay.add_argument("--field", dest="fields", action="append", default=[], metavar="ACCESSOR",
                     help="report a member by its public name (si_pkey) or path (repeatable)")
    lay.add_argument("--format", choices=("text", "json"), default="text")
    common_header_args(lay)
    output_arg(lay)

    ck = sub.add_parser("check", help="check headers against an ABI spec on every target")
    ck.add_argument("spec", nargs="?", metavar="SPEC",
                    help="a spec file, *.json (default: the bundled specs/siginfo.json)")
    ck.add_argument("headers", nargs="*", metavar="HEADER",
                    help="headers to check instead of the spec's own entry headers")
    ck.add_argument("--headers", dest="headers_dir", metavar="DIR",
                    help="a header directory (default: the bundled set the spec names; "
                         "a bundled set's name works too, e.g. pkeys-v1)")
    ck.add_argument("--format", default="text", choices=formats())
    ck.add_argument("--exit-zero", action="store_true", help="exit 0 even when checks fail")
    common_header_args(ck)
    output_arg(ck)

    df = sub.add_parser(
        "diff", help="compare two revisions of headers on every ABI, with causes and verdicts",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compare the binary interface of two header revisions on every ABI.",
        epilog=DIFF_EPILOG)
    df.add_argument("old", metavar="OLD", help="a header, a folder of headers, a bundled set "
                    "(linux-4.5), a git revision of a path (REV:path), or a tree of several "
                    "ABIs' headers as Debian unpacks them (usr/<triple>/include, "
                    "usr/include/<tuple>/asm): each ABI reads its own part")
    df.add_argument("new", metavar="NEW", help="the same kinds as OLD")
    df.add_argument("--type", dest="types", action="append", default=[], metavar="NAME",
                    help="compare only this type (repeatable; default: every struct, union "
                         "and typedef the headers declare, and every macro constant)")
    df.add_argument("--format", default="text", choices=formats())
    df.add_argument("--exit-zero", action="store_true", help="exit 0 whatever changed")
    common_header_args(df, "all", "an include directory for both revisions, after their own",
                        system=False)
    output_arg(df)

    lint_command.add_parser(sub)
    compat_command.add_parser(sub)
    model_command.add_parser(sub)

    tg = sub.add_parser("targets", help="list the ABIs abicheck knows")
    tg.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``abicheck`` command; returns the exit status."""
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            raise UsageError("a command is required (layout, check, diff, lint, compat, model, targets); see abicheck --help")
        lim = _limits_of(args)
        # the parser and the layout recurse once per nesting level
        depth = sys.getrecursionlimit()
        sys.setrecursionlimit(max(depth, limits.recursion_needed(lim)))
        try:
            with limits.use(lim):
                if args.command == "layout":
                    out = _layout(args)
                elif args.command == "check":
                    out = _check(args)
                elif args.command == "diff":
                    out = _diff(args)
                elif args.command == "lint":
                    out = lint_command.run(args)
                elif args.command == "compat":
                    out = compat_command.run(args)
                elif args.command == "model":
                    out = model_command.run(args)
                elif args.command == "targets":
                    out = _targets(args)
                else:  # pragma: no cover - argparse restricts the choices
                    raise UsageError(f"unknown command {args.command}")
        finally:
            sys.setrecursionlimit(depth)
        code = EXIT_OK
        if isinstance(out, tuple):
            out, code = out
        if getattr(args, "output", None):
            from abicheck.output import write_atomic
            write_atomic(args.output, out)
            return code
    except AbicheckError as e:
        # one line per problem (a spec lists all of its problems at once)
        print(str(e) or "abicheck: error", file=sys.stderr)
        return EXIT_ERROR
    except RecursionError:
        print("abicheck: error: declarations nest too deeply (lower the input's nesting, or "
              "see --limit nesting)", file=sys.stderr)
        return EXIT_ERROR
    except MemoryError:
        print("abicheck: error: out of memory (see --limit in the README)", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("abicheck: interrupted", file=sys.stderr)
        return 130
    except Exception as e:                     # a bug of ours: one line, not a traceback
        if os.environ.get("ABICHECK_DEBUG"):
            raise
        print(printable(f"abicheck: internal error: {type(e).__name__}: {e} (please report it; "
                        "ABICHECK_DEBUG=1 shows the traceback)"), file=sys.stderr)
        return EXIT_INTERNAL
    from abicheck.output import encodable
    try:
        sys.stdout.write(encodable(out))
        sys.stdout.flush()
    except BrokenPipeError:
        return code
    return code


def _limits_of(args: argparse.Namespace) -> limits.Limits:
    import dataclasses
    lim = limits.Limits().with_options(getattr(args, "limits", []))
    return dataclasses.replace(lim, allow_include_outside=getattr(args, "allow_include_outside", False),
                               jobs=getattr(args, "jobs", 0))


def _layout(args: argparse.Namespace) -> str:
    from abicheck import api
    from abicheck.views import json as jview
    from abicheck.views import text as tview

    targets = _targets_of(args)
    per_type: dict[str, list] = {}
    results = []
    for tr in api.translate_all(args.headers, targets, args.include_dirs, args.defines, args.system):
        t = tr.target
        # default: the records the headers define, else their typedefs; a
        # header that declares neither (glibc's <complex.h>) has nothing to show
        types = args.types or api.declared_records(tr, args.headers) \
            or api.declared_typedefs(tr, args.headers)
        layouts = api.layout_translation(tr, types)
        fields = api.resolve_fields(tr, layouts, args.fields) if args.fields else {}
        results.append((t.name, [jview.type_json(x, fields.get(x.name, ())) for x in layouts]))
        for x in layouts:
            per_type.setdefault(x.name, []).append((x, fields.get(x.name, ())))
    if args.format == "json":
        return jview.dumps(jview.layout_document(results))
    chunks = []
    if not per_type:
        verb = "declares" if len(args.headers) == 1 else "declare"
        return (f"/* {', '.join(args.headers)} {verb} no struct, union or typedef "
                f"on {', '.join(t.name for t in targets)} */\n")
    for name, items in per_type.items():
        lays = [x for x, _ in items]
        chunks.append(tview.render(lays[0]) if len(lays) == 1 else tview.render_comparison(lays))
        lines = [f"{x.target}: {f['accessor']} -> {f['path']}: offset {f['offset']}, size {f['size']}"
                 + (f", bits {f['bit_offset']}:{f['bit_width']}" if f.get("bit_width") is not None else "")
                 for x, fl in items for f in fl]
        if lines:
            chunks.append("\n".join(lines) + "\n")
    return "\n".join(chunks)


def _check(args: argparse.Namespace) -> tuple[str, int]:
    from abicheck import bundled
    from abicheck.checks.spec import bundled_spec, load_spec, run_spec
    from abicheck.report.render import render
    from abicheck.targets import select_targets

    if args.spec and not args.spec.endswith(".json"):
        # `abicheck check signal.h --headers glibc`: a header, not a spec
        args.headers, args.spec = [args.spec, *args.headers], None
    spec = load_spec(args.spec or bundled_spec())
    dirs = list(args.include_dirs)
    subject = spec.name
    if args.headers_dir:
        d = args.headers_dir if os.path.isdir(args.headers_dir) else bundled.headers_dir(args.headers_dir)
        dirs.insert(0, d)
        subject = f"{spec.name} on {os.path.basename(os.path.normpath(d))}"
    elif not args.headers and not args.include_dirs:
        if "bundled_headers" not in spec.data:
            raise UsageError(f"{spec.file}: the spec names no bundled headers; give --headers DIR or -I DIR")
        dirs.insert(0, bundled.headers_dir(spec.data["bundled_headers"]))
        subject = f"{spec.name} on {spec.data['bundled_headers']}"
    targets = select_targets(args.target or ["all"])
    report = run_spec(spec, targets, args.headers, dirs, args.defines, subject)
    out = render(report, args.format)
    code = EXIT_FINDINGS if report.failed and not args.exit_zero else EXIT_OK
    return out, code


def _diff(args: argparse.Namespace) -> tuple[str, int]:
    from abicheck.checks.diff import run_diff
    from abicheck.report.diffmodel import exit_status
    from abicheck.report.render import render
    from abicheck.targets import select_targets

    report = run_diff(args.old, args.new, select_targets(args.target or ["all"]), args.types,
                      args.include_dirs, args.defines)
    out = render(report, args.format)
    return out, EXIT_OK if args.exit_zero else exit_status(report)


def _targets_of(args: argparse.Namespace):
    from abicheck.targets import host_target, select_targets
    if not args.target:
        return [host_target()]
    return select_targets(args.target)


def _targets(args: argparse.Namespace) -> str:
    from abicheck.targets import all_targets
    from abicheck.views import json as jview
    rows = all_targets()
    if args.format == "json":
        doc = {"tool": "abicheck", "version": __version__, "command": "targets", "targets": [
            {"name": t.name, "description": t.description, "aliases": list(t.aliases),
             "triple": t.triple, "kernel_arch": t.kernel_arch, "debian_arch": t.debian_arch,
             "byte_order": t.byte_order, "char_signed": t.char_signed,
             "classes": sorted(t.classes),
             "scalars": {k: {"size": s.size, "align": s.align, "pref_align": s.pref_align}
                         for k, s in t.scalars.items()}} for t in rows]}
        return jview.dumps(doc)
    head = f"{'target':<12} {'endian':<6} {'ptr':>3} {'long':>4} {'llong':>5} {'ldbl':>7}  aliases"
    lines = [head]
    for t in rows:
        ll = t.scalars["long long"]
        ld = t.scalars["long double"]
        lines.append(f"{t.name:<12} {t.byte_order:<6} {t.pointer_size:>3} {t.scalars['long'].size:>4} "
                     f"{str(ll.size) + '/' + str(ll.align):>5} {str(ld.size) + '/' + str(ld.align):>7}  "
                     f"{', '.join(t.aliases)}")
    lines.append("")
    lines.append("llong: size/alignment of long long inside structs; ldbl: long double size/alignment")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
