"""Rules about a header's text: what a reviewer reads that no compiler sees.

They read ``cx.scan()`` (``ctext``): the raw header, every ``#if`` branch,
comments told exactly from code.  No target changes their answer, so their
hits carry no targets.
"""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from abicheck.checks.lint.context import HeaderContext
from abicheck.checks.lint.rules import Hit, rule

_MARKER = re.compile(r"(?<![A-Za-z0-9_])(FIXME|TODO|XXX)(?![A-Za-z0-9_])")


@rule("ABI301", "leftover-marker", "warning",
      "FIXME, TODO or XXX left in an exported header",
      "An exported header is a promise to every program built against it; a FIXME in it says the "
      "promise is not finished. Once a release ships, the layout it marks can no longer change, "
      "so the question it asks has to be answered before the header is exported. Only comments "
      "count: a macro named XXX_FOO or a string is not a marker.",
      bad="struct pkey_info {\n\t__u64 pkey; /* FIXME: is 64 bits right? */\n};",
      good="struct pkey_info {\n\t__u32 pkey;\n\t__u32 reserved;\n};",
      fix="Resolve the question before the header is exported, or move the note into the "
          "commit message.")
def leftover_marker(cx: HeaderContext) -> Iterator[Hit]:
    sc = cx.scan()
    for c in sc.comments:
        for m in _MARKER.finditer(c.text):
            line, col = sc.position(c.start + 2 + m.start())
            after = " ".join(c.text[m.end():].split())
            after = re.sub(r"\s\*+(?=\s)", "", after)[:40].strip(" :*-")
            yield Hit(cx.loc(line, col), f"{m.group(1)} left in an exported header"
                      + (f": '{after}'" if after else ""), f"comment {m.group(1)} {after}".rstrip())


# --- copy-pasted comments -------------------------------------------------

#: Two trailing comments are "the same comment" when their token sequences
#: (words and runs of punctuation, lowered, a plural ``s`` and a final
#: period dropped) have a difflib ``SequenceMatcher.ratio()`` of at least
#: this.  Over tokens, not characters: "effective uid" / "effective gid"
#: share 12 of 13 characters but not their meaning, and "+= OPARG" /
#: "|= OPARG" differ in the one token that matters.  0.95 accepts a plural,
#: case or final-period change ("bound check" / "bound checks.": 1.0) and
#: one inserted token only in comments of ten tokens or more; it rejects
#: "do not update access times" / "do not update directory access times"
#: (0.91) and one changed word of four (0.75).
NEAR_IDENTICAL = 0.95
#: Comments of fewer words say too little to be copied ("reserved",
#: "OS-specific", "28-Bit", "request/reply").
MIN_WORDS = 3
#: Comments that legitimately repeat: they say a code is not a code.
PLACEHOLDERS = frozenset({"not used", "unused", "no longer used", "reserved", "obsolete",
                          "deprecated", "same as above", "for compatibility",
                          "backward compatibility", "backwards compatibility"})

_DEFINE = re.compile(r"^\s*#\s*define\s+([A-Za-z_]\w*)(?!\()\s+\S")


def group_of(name: str) -> str | None:
    """The code group of a constant: its name without leading underscores
    and without its last ``_`` part (``SEGV`` for ``SEGV_PKUERR`` and
    ``__SEGV_PSTKOVF``, ``ATM_L2_HDLC`` for ``ATM_L2_HDLC_NRM``); None for a
    name with no ``_``."""
    bare = name.lstrip("_")
    return bare.rsplit("_", 1)[0] if "_" in bare.strip("_") else None


def _normal(text: str) -> list[str]:
    tokens = re.findall(r"\w+|[^\w\s]+", text.lower().rstrip(". "))
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
            for w in tokens]


@rule("ABI302", "copied-comment", "warning",
      "constants of one code group carry the same trailing comment",
      "Codes of one group (SEGV_*, BUS_*, FPE_*) each say in a trailing comment what they mean; "
      "when a new code repeats an earlier code's comment word for word or nearly, the comment "
      "was copied and not rewritten, and the header now documents two different events as one "
      "(the seed review: SEGV_PKUERR said 'failed address bound checks', SEGV_BNDERR's text). "
      f"Near-identical means a difflib ratio of at least {NEAR_IDENTICAL} between the token "
      "sequences (lowered, plural s and final period dropped); only #define constants are "
      "compared (the members of netlink attribute enums repeat type notes by design); comments of fewer than "
      f"{MIN_WORDS} words and placeholders ('not used', 'reserved') are not compared. A group "
      "is the name without its last _ part (SEGV for SEGV_PKUERR). Every #if branch is "
      "read; the same name defined in two branches is not compared with itself.",
      bad="#define SEGV_BNDERR\t3\t/* failed address bound checks */\n"
          "#define SEGV_PKUERR\t4\t/* failed address bound checks */",
      good="#define SEGV_BNDERR\t3\t/* failed address bound checks */\n"
           "#define SEGV_PKUERR\t4\t/* failed protection key checks */",
      fix="Write the new constant's own comment: what event it reports.")
def copied_comment(cx: HeaderContext) -> Iterator[Hit]:
    sc = cx.scan()
    seen: dict[str, list[tuple[str, list[str]]]] = {}   # group -> [(name, normal words)]
    for c in sc.comments:
        code = sc.code_line(c.line)[:c.col - 1]
        m = _DEFINE.match(code)
        if not m:
            continue
        name, words = m.group(1), c.words()
        group = group_of(name)
        norm = _normal(words)
        if group is None or sum(w[0].isalnum() for w in norm) < MIN_WORDS \
                or " ".join(norm) in PLACEHOLDERS:
            continue
        earlier = seen.setdefault(group, [])
        for other, onorm in earlier:
            if other != name and difflib.SequenceMatcher(None, norm, onorm).ratio() >= NEAR_IDENTICAL:
                yield Hit(cx.loc(c.line, code.index(name) + 1),
                          f"{name}'s comment repeats {other}'s: '{words}'", f"macro {name} comment")
                break
        else:
            earlier.append((name, norm))


# --- kernel-internal type names ---------------------------------------------

#: The kernel's own names for fixed-width types (include/linux/types.h and
#: asm-generic/int-ll64.h outside uapi) and its shorthands for unsigned
#: types; uapi headers must spell them __u32, __s64, unsigned int...
KERNEL_TYPES = ("u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64",
                "uint", "ulong", "ushort", "uchar")
_KTYPE = re.compile(r"(?<![\w.>])(" + "|".join(KERNEL_TYPES) + r")(?!\w)")
_TYPEDEF_OF = r"\btypedef\b[^;]*\b{}\s*;"
_UAPI = {"u8": "__u8", "u16": "__u16", "u32": "__u32", "u64": "__u64", "s8": "__s8",
         "s16": "__s16", "s32": "__s32", "s64": "__s64", "uint": "unsigned int",
         "ulong": "unsigned long", "ushort": "unsigned short", "uchar": "unsigned char"}


@rule("ABI303", "kernel-internal-type", "error",
      "kernel-internal type name (u32, s64, ...) in a uapi header",
      "u8..u64 and s8..s64 (and the shorthands uint, ulong, ushort, uchar) are the kernel's "
      "internal names; user space does not have them, so a uapi header that uses them does "
      "not compile there, or picks up an unrelated program's own u32. The exported spellings "
      "are __u8..__u64 and __s8..__s64 from <linux/types.h>. Only code counts, not comments; "
      "code inside #ifdef __KERNEL__ is the kernel's own, and a name the header itself "
      "typedefs is its own.",
      bad="#include <linux/types.h>\nstruct pkey_info {\n\tu32 pkey;\n};",
      good="#include <linux/types.h>\nstruct pkey_info {\n\t__u32 pkey;\n};",
      fix="Use the double-underscore type from <linux/types.h> (__u32 for u32).")
def kernel_internal_type(cx: HeaderContext) -> Iterator[Hit]:
    sc = cx.scan()
    own = {t for t in KERNEL_TYPES if re.search(_TYPEDEF_OF.format(t), sc.code)}
    for m in _KTYPE.finditer(sc.code):
        name = m.group(1)
        line, col = sc.position(m.start())
        if name in own or line in sc.kernel_only or _in_directive_name(sc.code_line(line), col) \
                or _declarator(sc.code, m.start()):
            continue
        yield Hit(cx.loc(line, col), f"kernel-internal type '{name}' in a uapi header; "
                  f"use '{_UAPI[name]}'", f"type {name} {_declared_name(sc.code_line(line), col)}")


def _in_directive_name(line: str, col: int) -> bool:
    """``#define u32 ...`` / ``#undef u32`` / ``#ifdef u32``: the name is
    being defined or tested, not used."""
    return re.match(r"\s*#\s*(define|undef|ifdef|ifndef)\s+$", line[:col - 1]) is not None


_QUALIFIERS = frozenset({"const", "volatile", "typedef", "extern", "static", "register",
                         "__extension__", "restrict", "__restrict"})


def _declarator(code: str, at: int) -> bool:
    """Is the name at ``at`` declared rather than used as a type?  A member
    named ``u8`` (``__u8 u8;`` in x_tables.h's ``_xt_align``) or a tag
    (``struct u32``) follows another word that is not a qualifier."""
    m = re.search(r"([A-Za-z_]\w*)\s*$", code[max(0, at - 80):at])
    return m is not None and m.group(1) not in _QUALIFIERS


def _declared_name(line: str, col: int) -> str:
    """The identifier declared after the type on its line (``pkey`` in
    ``u32 pkey;``), for a subject that survives moving the line."""
    m = re.search(r"[A-Za-z_]\w*", line[col - 1:].split(None, 1)[-1]) if len(
        line[col - 1:].split(None, 1)) > 1 else None
    return m.group(0) if m else ""
