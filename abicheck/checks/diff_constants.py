"""Constants, code groups and accessor macros of two revisions on one target.

A constant is an object-like macro with an integer value, or an enum
constant.  Code groups are found the way the kernel names them: a counter
``NSIG<SIGNAL>`` (``NSIGSEGV``) counts the codes ``<SIGNAL>_*``
(``SEGV_MAPERR``...), and architecture-private codes of the same signal
spell the prefix with two underscores (ia64's ``__SEGV_PSTKOVF``); SIGCHLD's
codes are ``CLD_*``.  Flags that share the prefix (``TRAP_PERF_FLAG_ASYNC``)
are not codes.

A new code whose value an existing code of its group already has collides:
a handler that switches on si_code can no longer tell them apart, so it is
incompatible, typically on the one ABI whose private code sits there.  A
counter that grows is the expected companion of a new code (compatible); any
other constant that changes value is incompatible.
"""
from __future__ import annotations

import re

from abicheck.checks.diff_change import COMPATIBLE, INCOMPATIBLE, REVIEW, Change
from abicheck.checks.diff_snapshot import Accessor, Constant

COUNTER = re.compile(r"^NSIG([A-Z]+)$")
#: Other counters: enum sentinels (``__IFLA_MAX``, ``DEVLINK_ATTR_MAX``,
#: ``..._CNT``) grow whenever a kind is added, and users size tables by them.
SENTINEL = re.compile(r"_(MAX|CNT|COUNT)$")
#: Signals whose codes are not spelled like the counter.
PREFIX_OF = {"CHLD": "CLD"}
CHECK = "constants"
ACCESSORS = "accessor macros"


def code_groups(*tables: dict[str, Constant]) -> dict[str, str]:
    """counter name -> code prefix (``NSIGSEGV`` -> ``SEGV_``)."""
    out = {}
    for table in tables:
        for name in table:
            m = COUNTER.match(name)
            if m:
                out[name] = PREFIX_OF.get(m.group(1), m.group(1)) + "_"
    return out


def codes(table: dict[str, Constant], prefix: str, counter: str,
          by_file: dict | None = None) -> dict[str, Constant]:
    """The codes a counter counts: spelled with its prefix and declared in
    the counter's own header (``SYS_RECVMMSG`` of linux/net.h is no SIGSYS
    code).  ``by_file``: ``by_file(table)``, when made already (a tree's
    table has some 50,000 constants, and a dozen counters)."""
    home = table[counter].loc.file if counter in table and table[counter].loc else None
    mine = table.items() if by_file is None else by_file.get(home, ())
    return {n: c for n, c in mine
            if (n.startswith(prefix) or n.startswith("__" + prefix)) and n != counter
            and "FLAG" not in n and (c.loc.file if c.loc else None) == home}


def by_file(table: dict[str, Constant]) -> dict[str | None, list[tuple[str, Constant]]]:
    """The constants of ``table`` by the file that declares them, each
    file's in the table's order."""
    out: dict[str | None, list[tuple[str, Constant]]] = {}
    for n, c in table.items():
        out.setdefault(c.loc.file if c.loc else None, []).append((n, c))
    return out


def compare_constants(old: dict[str, Constant], new: dict[str, Constant]) -> list[Change]:
    out: list[Change] = []
    handled: set[str] = set()
    groups = code_groups(old, new)
    files: dict[int, dict] = {}
    for counter, prefix in sorted(groups.items()):
        if counter not in old or counter not in new:
            continue                    # a new or vanished group: its constants speak for it
        if not files:
            files = {id(old): by_file(old), id(new): by_file(new)}
        om = codes(old, prefix, counter, files[id(old)])
        nm = codes(new, prefix, counter, files[id(new)])
        for name in sorted(set(nm) - set(om)):
            c = nm[name]
            clash = sorted(k for k, x in om.items() if x.value == c.value and k in nm
                           and nm[k].value == c.value)
            if clash:
                handled.add(name)
                out.append(Change("ABI233", INCOMPATIBLE, CHECK,
                                  f"new code {name} collides with {', '.join(clash)}",
                                  f"new code {name} = {c.value} collides with {', '.join(clash)} "
                                  f"= {c.value} ({prefix}* codes, counted by {counter})",
                                  c.loc, None, c.value))
    for counter in sorted(set(groups) | {n for n in set(old) & set(new) if SENTINEL.search(n)}):
        if counter in old and counter in new and old[counter].value != new[counter].value:
            handled.add(counter)
            a, b = old[counter].value, new[counter].value
            grew = b > a
            out.append(Change("ABI234", COMPATIBLE if grew else INCOMPATIBLE, CHECK,
                              f"counter {counter} {'grew' if grew else 'shrank'}",
                              f"{counter} {'grew' if grew else 'shrank'} from {a} to {b}",
                              new[counter].loc, a, b))
    for name in sorted(set(old) | set(new)):
        if name in handled:
            continue
        a, b = old.get(name), new.get(name)
        if a is None and b is not None:
            out.append(Change("ABI230", COMPATIBLE, CHECK, f"constant {name} added",
                              f"{name} added, = {b.value}", b.loc, None, b.value))
        elif b is None and a is not None:
            out.append(Change("ABI231", INCOMPATIBLE, CHECK, f"constant {name} removed",
                              f"{name} removed (was {a.value})", a.loc, a.value, None, side="old"))
        elif a is not None and b is not None and a.value != b.value:
            out.append(Change("ABI232", INCOMPATIBLE, CHECK, f"constant {name} changed value",
                              f"{name} is {b.value}, was {a.value}", b.loc, a.value, b.value))
    return out


def compare_accessors(old: dict[str, Accessor], new: dict[str, Accessor],
                      resolves_old, resolves_new) -> list[Change]:
    """Accessors added or removed, and accessors that now name a path no type
    has (a rename that resolves is reported at the member it names)."""
    out = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name), new.get(name)
        if a is None and b is not None:
            if resolves_new(b.path):
                out.append(Change("ABI240", COMPATIBLE, ACCESSORS, f"accessor {name} added",
                                  f"accessor {name} added, naming {b.path}", b.loc, None, b.path))
        elif b is None and a is not None:
            if resolves_old(a.path):
                out.append(Change("ABI240", INCOMPATIBLE, ACCESSORS, f"accessor {name} removed",
                                  f"accessor {name} removed (it named {a.path})", a.loc, a.path, None,
                                  side="old"))
        elif a is not None and b is not None and a.path != b.path:
            if resolves_old(a.path) and not resolves_new(b.path):
                out.append(Change("ABI240", REVIEW, ACCESSORS, f"accessor {name} names no member now",
                                  f"accessor {name} now expands to {b.path} (was {a.path}), which "
                                  "names no member of the types compared", b.loc, a.path, b.path))
    return out
