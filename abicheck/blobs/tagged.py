"""Tagged unions: which member of a record's union a blob carries.

``siginfo_t`` is a union whose live member the kernel chooses from the signal
and ``si_code`` (``siginfo_layout()`` in kernel/signal.c).  That choice is
data, in the spec's ``layouts`` section (``specs/siginfo.json``): ordered
rules from (signal, code) to a member, a member being a list of accessors.
Nothing here names siginfo: signal and code names are looked up in the
target's headers (``SEGV_PKUERR`` is 4 where it exists; MIPS numbers its
signals and SI_ codes its own way), with the spec's per-architecture signal
numbers for header sets that define no ``SIG*`` macros (the bundled kernel
sets only declare siginfo).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from abicheck.checks.spec import applies, pick

if TYPE_CHECKING:
    from abicheck.blobs.context import BlobContext

#: strace's names of the real-time signals: SIGRTMIN, then SIGRT_<n - SIGRTMIN>
_RT_PREFIX = "SIGRT_"


@functools.lru_cache(maxsize=8)
def _spec_layouts(path: str) -> tuple:
    from abicheck.checks.spec import load_spec
    return tuple(load_spec(path).data.get("layouts", ()))


def layouts_for(cx: "BlobContext", spec_path: str | None = None) -> "Tagged | None":
    """The spec's tagged-union rules for ``cx``'s type, or None (a plain
    record: every member is valid)."""
    from abicheck.checks.spec import bundled_spec
    for entry in _spec_layouts(spec_path or bundled_spec()):
        if entry["type"] == cx.type_name or _same_record(cx, entry["type"]):
            return Tagged(cx, entry)
    return None


def _same_record(cx: "BlobContext", name: str) -> bool:
    """Whether ``name`` (the spec's type) is the record ``cx`` lays out under
    another name: ``struct siginfo`` is the record ``siginfo_t`` names in the
    kernel's headers (``typedef struct siginfo {...} siginfo_t``), and a
    typedef of ``siginfo_t`` is it too.  Records are the same when their kind
    and tag are; an anonymous record only matches by name."""
    mine = cx.layout.root
    if not mine.tag:
        return False
    from abicheck import api
    from abicheck.errors import AbicheckError
    try:
        (theirs,) = api.layout_translation(cx.tr, [name])
    except AbicheckError:
        return False                    # these headers do not declare the spec's type
    return (theirs.root.kind, theirs.root.tag) == (mine.kind, mine.tag)


@dataclass
class Choice:
    """The member a (signal, code) selects, and whether the code is known."""

    member: str
    paths: tuple[str, ...]          # member paths valid in the blob (always + the member's)
    code_known: bool
    signal_name: str | None
    code_name: str | None


class Tagged:
    def __init__(self, cx: "BlobContext", entry: dict) -> None:
        self.cx = cx
        self.entry = entry
        self.target = cx.target
        self.signal_path = cx.resolve(entry["signal"])
        self.code_path = cx.resolve(entry["code"])
        table = pick(entry.get("signal_numbers", {}), self.target) or {}
        self.aliases: dict[str, str] = dict(pick(entry.get("signal_aliases", {}), self.target) or {})
        self.signals: dict[str, int] = dict(table)
        for name in list(table) + list(self.aliases):
            mac = cx.macros.get(name)
            if mac is not None and mac.value is not None:
                self.signals[name] = mac.value      # the headers' own numbering wins
        for alias, main in self.aliases.items():
            if alias not in self.signals and main in self.signals:
                self.signals[alias] = self.signals[main]
        rt = entry.get("realtime_signals", {})
        self.rt_first = self._header_or("SIGRTMIN", pick(rt.get("first"), self.target))
        self.rt_last = self._header_or("SIGRTMAX", pick(rt.get("last"), self.target))
        self.exclude = set(entry.get("code_exclude", ()))
        self._codes: dict[str, dict[int, str]] = {}

    # -- names ------------------------------------------------------------

    def _header_or(self, name: str, fallback: int | None) -> int | None:
        """A kernel header's own SIGRTMIN/SIGRTMAX (asm/signal.h) wins; libc's
        are calls (glibc reserves some for itself), so the spec's are used."""
        mac = self.cx.macros.get(name)
        return mac.value if mac is not None and mac.value is not None else fallback

    def realtime(self, number: int) -> bool:
        return (self.rt_first is not None and self.rt_last is not None
                and self.rt_first <= number <= self.rt_last)

    def signal_number(self, name: str) -> int | None:
        """A signal's number: by name or alias, or SIGRTMIN, SIGRTMAX and
        SIGRT_<n> (SIGRTMIN + n, strace's name) within the real-time range."""
        if name in self.signals:
            return self.signals[name]
        if self.rt_first is None or self.rt_last is None:
            return None
        if name == "SIGRTMIN":
            return self.rt_first
        if name == "SIGRTMAX":
            return self.rt_last
        if name.startswith(_RT_PREFIX) and name[len(_RT_PREFIX):].isdigit():
            n = self.rt_first + int(name[len(_RT_PREFIX):])
            return n if self.realtime(n) else None
        return None

    def signal_name(self, number: int) -> str | None:
        """The main name of signal ``number`` (not an alias), strace's
        SIGRTMIN / SIGRT_<n> for a real-time one, None for no signal."""
        for name, v in self.signals.items():
            if v == number and name not in self.aliases:
                return name
        for name, v in self.signals.items():
            if v == number:
                return self.aliases.get(name, name)
        if self.realtime(number):
            return "SIGRTMIN" if number == self.rt_first else f"{_RT_PREFIX}{number - self.rt_first}"
        return None

    def _names(self, prefix: str) -> dict[int, str]:
        """code value -> its first-declared name, for the macros ``PREFIX*``."""
        if prefix not in self._codes:
            out: dict[int, str] = {}
            for name in self.cx.macros.with_prefix(prefix):
                if name in self.exclude:
                    continue
                mac = self.cx.macros.get(name)
                if mac is None or mac.params is not None or mac.value is None:
                    continue
                out.setdefault(mac.value, name)
            self._codes[prefix] = out
        return self._codes[prefix]

    def code_name(self, signo: int, code: int) -> str | None:
        """The name of ``code`` for signal ``signo``: a generic code first
        (SI_USER, SI_TKILL...: strace's order), then the signal's own."""
        prefixes = self.entry.get("code_names", {})
        generic = prefixes.get("all")
        if generic:
            name = self._names(generic).get(code)
            if name is not None:
                return name
        sig = self.signal_name(signo)
        own = prefixes.get(sig) if sig else None
        if own and code > 0 and code in self._names(own):
            return self._names(own)[code]
        for name in (pick(self.entry.get("code_extra", {}), self.target) or {}).get(sig, ()):
            if code > 0 and self.cx.constant(name) == code:
                return name
        return None

    def code_prefix(self, signo: int) -> str | None:
        sig = self.signal_name(signo)
        return self.entry.get("code_names", {}).get(sig) if sig else None

    # -- the choice -------------------------------------------------------

    def _value(self, v) -> int | None:
        """A rule's bound: a number, or a name the headers define, else the
        spec's kernel counter of that name (libc headers define no NSIG*:
        the kernel still decides by its own counters)."""
        if isinstance(v, int):
            return v
        c = self.cx.constant(v)
        return c if c is not None else self.entry.get("code_counters", {}).get(v)

    def _rule_matches(self, rule: dict, signo: int, code: int) -> bool:
        if not applies(rule, self.target):
            return False
        if "signals" in rule:
            nums = [self.signal_number(s) for s in rule["signals"]]
            if signo not in [n for n in nums if n is not None]:
                return False
        if "codes" in rule:
            vals = [self.cx.constant(c) for c in rule["codes"]]
            if code not in [v for v in vals if v is not None]:
                return False
        for key, ok in (("code_min", lambda lim: code >= lim), ("code_max", lambda lim: code <= lim)):
            if key in rule:
                lim = self._value(rule[key])
                if lim is None or not ok(lim):
                    return False
        return True

    def member(self, signo: int, code: int) -> str:
        for rule in self.entry["rules"]:
            if self._rule_matches(rule, signo, code):
                return rule["member"]
        return self.entry["rules"][-1]["member"]

    def member_paths(self, member: str) -> tuple[str, ...]:
        """Member paths of the accessors ``member`` lists that these headers
        declare (``si_pkey`` is absent before Linux 4.6), ``always`` first."""
        out = []
        for acc in list(self.entry.get("always", ())) + list(self.entry["members"][member]):
            path = self.cx.accessors.get(acc, acc)
            if self.cx.layout.member(path) is not None and path not in out:
                out.append(path)
        return tuple(out)

    def members_with(self, path: str) -> list[str]:
        """The members that list the field at ``path``."""
        return [m for m in self.entry["members"] if path in self.member_paths(m)]

    def choose(self, signo: int, code: int) -> Choice:
        member = self.member(signo, code)
        return Choice(member, self.member_paths(member), self.code_name(signo, code) is not None,
                      self.signal_name(signo), self.code_name(signo, code))

    def ranges(self) -> list[tuple[str, int | None, int | None, str]]:
        """(member path, min, max, why) of the value bounds on this target."""
        out = []
        for r in self.entry.get("ranges", ()):
            path = self.cx.accessors.get(r["accessor"], r["accessor"])
            lo, hi = pick(r.get("min"), self.target), pick(r.get("max"), self.target)
            if (lo is not None or hi is not None) and self.cx.layout.member(path) is not None:
                out.append((path, lo, hi, r.get("why", "")))
        return out
