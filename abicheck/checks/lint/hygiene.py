"""uapi hygiene: what an exported header may include and declare.

A uapi header is compiled by programs the kernel never sees, against a libc
the kernel does not choose: it may include only other exported uapi
headers (``<linux/...>``, ``<asm/...>``), must not declare objects or
functions (there is nothing in user space to link them to), and must
include the definitions of the types it uses.  Include and declaration
rules read the raw text (``ctext``, every ``#if`` branch); whether a type
is defined is decided by compiling the header alone on each target.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterator

from abicheck.checks.lint.context import HeaderContext
from abicheck.checks.lint.rules import Hit, rule
from abicheck.errors import AbicheckError

#: Headers of the C library and POSIX, by include name: ISO C (C89 to C23)
#: and the POSIX base headers, plus every ``sys/``, ``bits/``, ``gnu/`` and
#: ``arpa/``/``netinet/`` header (libc's own folders).  The kernel exports
#: its own equivalents (<linux/types.h> for <stdint.h>, <linux/stddef.h>
#: for <stddef.h>), and a uapi header that includes a libc header cannot
#: be used by a program built against another libc or none (a loader, a
#: freestanding runtime).
LIBC_HEADERS = frozenset("""
    assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h iso646.h limits.h locale.h
    math.h setjmp.h signal.h stdalign.h stdarg.h stdatomic.h stdbit.h stdbool.h stdckdint.h
    stddef.h stdint.h stdio.h stdlib.h stdnoreturn.h string.h tgmath.h threads.h time.h
    uchar.h wchar.h wctype.h
    aio.h cpio.h dirent.h dlfcn.h fcntl.h fmtmsg.h fnmatch.h ftw.h glob.h grp.h iconv.h
    langinfo.h libgen.h monetary.h mqueue.h ndbm.h netdb.h nl_types.h poll.h pthread.h pwd.h
    regex.h sched.h search.h semaphore.h spawn.h strings.h stropts.h syslog.h tar.h termios.h
    trace.h ulimit.h unistd.h utime.h utmpx.h wordexp.h endian.h byteswap.h features.h
    malloc.h alloca.h err.h error.h getopt.h paths.h utmp.h values.h
""".split())
LIBC_FOLDERS = ("sys/", "bits/", "gnu/", "arpa/", "netinet/", "net/", "rpc/", "scsi/")

_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)


def _includes(cx: HeaderContext) -> Iterator[tuple[int, int, str, str]]:
    """(line, col, '<' or '"', name) of every #include in every branch."""
    sc = cx.scan()
    for m in _INCLUDE.finditer(sc.code):
        line, col = sc.position(m.start(2) - 1)
        yield line, col, m.group(1), m.group(2).strip()


def is_libc(name: str) -> bool:
    return name in LIBC_HEADERS or name.startswith(LIBC_FOLDERS)


@rule("ABI370", "include-not-exported", "error",
      "#include of a header that is not among the exported headers of the run",
      "A uapi header may include only headers that are exported with it. An include that "
      "resolves under none of the run's include roots (the linted folder, each -I) names a "
      "kernel-internal header (<linux/kernel.h>'s non-uapi half, <asm/current.h>) or one that "
      "was never installed, and breaks every program that includes the header. Every #if "
      "branch is read. Not checked when the run has no include roots (a lone file without -I). "
      "libc headers are ABI371's.",
      bad="#include <linux/types.h>\n#include <linux/compiler.h>\t/* kernel-internal */",
      good="#include <linux/types.h>",
      fix="Include the exported (uapi) header instead, or move the include under "
          "#ifdef __KERNEL__ in the kernel-side header.")
def include_not_exported(cx: HeaderContext) -> Iterator[Hit]:
    roots = [d for d in cx.rev.include_dirs if os.path.isdir(d)]
    if not roots:
        return
    here = os.path.dirname(cx.file)
    for line, col, kind, name in _includes(cx):
        if is_libc(name) or line in cx.scan().kernel_only:
            continue
        where = ([here] if kind == '"' else []) + roots
        if not any(os.path.isfile(os.path.join(d, name)) for d in where):
            yield Hit(cx.loc(line, col), f"#include {_spelled(kind, name)}: no such header under "
                      "the exported include roots of this run" + root_hint(cx.file, name),
                      f"include {name}")


def root_hint(file: str, name: str) -> str:
    """``; it is in DIR: pass -I DIR`` when a folder above the header holds
    ``name`` (linting /usr/include/linux, whose includes say <linux/...>,
    without -I /usr/include), else ''."""
    d = os.path.dirname(os.path.abspath(file))
    while True:
        up = os.path.dirname(d)
        if up == d:
            return ""
        d = up
        if os.path.isfile(os.path.join(d, name)):
            return f"; it is in {d}: pass -I {d}"


@rule("ABI371", "libc-include", "warning",
      "#include of a C library header from a uapi header",
      "A uapi header is used by programs built against glibc, musl, bionic or no libc at all; "
      "an include of a libc header (<stdint.h>, <stdlib.h>, <sys/socket.h>: the ISO C and POSIX "
      "headers and libc's sys/, bits/, gnu/, arpa/, netinet/, net/ folders, listed in "
      "hygiene.LIBC_HEADERS) ties it to one libc's names and namespace, and may clash with the "
      "kernel's own definitions (struct timespec, sockaddr). Every #if branch is read, so a "
      "libc include in the #else of #ifdef __KERNEL__ is reported too: it is what user space "
      "compiles.",
      bad="#include <stdint.h>\nstruct foo {\n\tuint32_t flags;\n};",
      good="#include <linux/types.h>\nstruct foo {\n\t__u32 flags;\n};",
      fix="Include the kernel's exported equivalent (<linux/types.h> for fixed-width types, "
          "<linux/stddef.h>, <linux/socket.h>).")
def libc_include(cx: HeaderContext) -> Iterator[Hit]:
    for line, col, kind, name in _includes(cx):
        if is_libc(name) and line not in cx.scan().kernel_only:
            yield Hit(cx.loc(line, col), f"#include {_spelled(kind, name)}: a C library header "
                      "in a uapi header", f"include {name}")


def _spelled(kind: str, name: str) -> str:
    return f"<{name}>" if kind == "<" else f'"{name}"'


# --- declarations ------------------------------------------------------------

def statements(cx: HeaderContext) -> Iterator[tuple[int, str, bool]]:
    """File-scope statements of the code outside directives: (offset of the
    first character, text, has a brace body).  A function definition ends
    at its closing brace, a struct definition at its ``;``."""
    sc = cx.scan()
    code = _without_directives(sc.code)
    depth, start, braced, head = 0, None, False, ""
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        if start is None and not ch.isspace():
            start, braced = i, False
        if ch == "{":
            if depth == 0:
                braced = True
                head = code[start:i] if start is not None else ""
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
            if depth == 0 and start is not None and _FUNC_HEAD.search(head) \
                    and not re.match(r"\s*(typedef|struct|union|enum)\b", head):
                start = None        # a function definition: no ';' follows
        elif ch == ";" and depth == 0 and start is not None:
            yield start, code[start:i], braced
            start = None
        i += 1


_FUNC_HEAD = re.compile(r"[A-Za-z_]\w*\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*"
                        r"(__attribute__\s*\(\(.*\)\)\s*)*$", re.S)


def _without_directives(code: str) -> str:
    """``code`` with every preprocessor directive (and its continuation
    lines) blanked, offsets kept."""
    out = []
    cont = False
    for line in code.split("\n"):
        directive = cont or line.lstrip().startswith("#")
        cont = directive and line.rstrip().endswith("\\")
        out.append(" " * len(line) if directive else line)
    return "\n".join(out)


_EXTERN = re.compile(r"\bextern\b(?!\s*\")")   # extern "C" (literal blanked)
_PROTO = re.compile(r"^\s*(?:[A-Za-z_]\w*[\s*]+)+([A-Za-z_]\w*)\s*\([^;]*\)\s*"
                    r"(?:__attribute__\s*\(\(.*\)\)\s*|[A-Z_][A-Z0-9_]*\s*)*$", re.S)
_NOT_DECL = re.compile(r"\s*(?:__extension__\s+)?(typedef|_Static_assert|static_assert)\b")
_NOT_FUNC = frozenset({"__attribute__", "__typeof__", "typeof", "__declspec", "sizeof"})


@rule("ABI372", "extern-declaration", "error",
      "extern declaration in a uapi header",
      "An extern object or function in an exported header promises user space a symbol that "
      "nothing defines: the kernel's symbols are not linkable from user space, so a program "
      "that uses it fails to link, and one that declares the same name differently fails to "
      "compile. extern \"C\" blocks (C++ guards) are not declarations and are not reported.",
      bad="extern int pkey_count;",
      good="#define PKEY_COUNT 16",
      fix="Remove the declaration from the uapi header; keep it in the kernel-internal "
          "header.")
def extern_declaration(cx: HeaderContext) -> Iterator[Hit]:
    sc = cx.scan()
    code = _without_directives(sc.code)
    for m in _EXTERN.finditer(code):
        line, col = sc.position(m.start())
        if line in sc.kernel_only:
            continue
        name = _last_name(code[m.end():code.find(";", m.end()) if ";" in code[m.end():] else None])
        yield Hit(cx.loc(line, col), f"extern declaration{f' of {name}' if name else ''} in a uapi "
                  "header", f"extern {name}")


@rule("ABI373", "function-prototype", "error",
      "function prototype in a uapi header",
      "A function declared (without a body) in an exported header is a function user space "
      "cannot call: the kernel's functions are reached through system calls, not linked. The "
      "prototype is a leftover from the kernel-side header the uapi one was split from. A "
      "static inline definition (a body) is not a prototype and is not reported; neither is "
      "code under #ifdef __KERNEL__.",
      bad="struct pkey_info {\n\t__u32 pkey;\n};\nint pkey_info_get(struct pkey_info *info);",
      good="struct pkey_info {\n\t__u32 pkey;\n};",
      fix="Remove the prototype from the uapi header; it belongs in the kernel-internal "
          "header.")
def function_prototype(cx: HeaderContext) -> Iterator[Hit]:
    sc = cx.scan()
    for start, text, braced in statements(cx):
        line, _ = sc.position(start)
        if braced or line in sc.kernel_only or _NOT_DECL.match(text) or _EXTERN.search(text):
            continue
        m = _PROTO.match(text)
        if m and m.group(1) not in _NOT_FUNC:
            line, col = sc.position(start + m.start(1))
            yield Hit(cx.loc(line, col), f"function prototype '{m.group(1)}' in a uapi header",
                      f"function {m.group(1)}")


def _last_name(text: str | None) -> str:
    names = re.findall(r"[A-Za-z_]\w*", (text or "").split("(")[0].split("[")[0])
    return names[-1] if names else ""


# --- fixed-width types without their definition --------------------------------

#: Type names <linux/types.h> (and what it includes) defines for uapi headers.
UAPI_TYPE = re.compile(r"unknown type name '((?:__[us](?:8|16|32|64))|__(?:le|be)(?:16|32|64)|"
                       r"__sum16|__wsum|__poll_t|__aligned_[us]64|__aligned_be64|"
                       r"__aligned_le64|__kernel_\w+)'")


def fixed_width_failures(cx: HeaderContext) -> dict[str, list[tuple[str, AbicheckError]]]:
    """Type name -> [(target, the error)] for targets where the header,
    compiled alone, fails on a <linux/types.h> type it uses unincluded."""
    out: dict[str, list[tuple[str, AbicheckError]]] = {}
    for t, tr in cx.translations().items():
        if isinstance(tr, AbicheckError):
            m = UAPI_TYPE.search(tr.msg)
            if m:
                out.setdefault(m.group(1), []).append((t, tr))
    return out


@rule("ABI374", "fixed-width-undefined", "error",
      "fixed-width type (__u32...) used without including its definition",
      "__u8..__u64, __s8..__s64, __le32/__be32 and __kernel_* types come from <linux/types.h> "
      "(through <asm/types.h> and <linux/posix_types.h>). A header that uses one but does not "
      "include it, directly or through its includes, compiles only after something else "
      "included it first: its users inherit an ordering bug. Decided by compiling the header "
      "alone on every target; the first use of the unknown type is the place.",
      bad="struct pkey_info {\n\t__u32 pkey;\n};",
      good="#include <linux/types.h>\n\nstruct pkey_info {\n\t__u32 pkey;\n};",
      fix="Add #include <linux/types.h> to the header.", layout=True)
def fixed_width_undefined(cx: HeaderContext) -> Iterator[Hit]:
    for name, fails in sorted(fixed_width_failures(cx).items()):
        err = fails[0][1]
        loc = err.loc if cx.own(err.loc) else None
        yield Hit(loc or cx.loc(1, 1), f"'{name}' used without including its definition "
                  "(<linux/types.h>): the header does not compile alone",
                  f"type {name} undefined", tuple(t for t, _ in fails))
