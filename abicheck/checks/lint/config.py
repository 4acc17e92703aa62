"""Project configuration for ``abicheck lint``: ``[tool.abicheck]`` in
``pyproject.toml``, or an ``abicheck.toml`` (the same keys at its top level).

Found from the current folder upward (in each folder ``abicheck.toml``
first, then a ``pyproject.toml`` that has a ``[tool.abicheck]`` table), or
named with ``--config FILE``.  Keys::

    [tool.abicheck]
    targets = ["all"]                 # as --target
    include-dirs = ["include/uapi"]   # as -I, relative to the file's folder
    defines = ["__EXPORTED_HEADERS__"]

    [tool.abicheck.lint]
    enable = ["ABI3"]                 # ids, id prefixes or names (default: every rule)
    disable = ["ABI301"]              # the longest matching entry wins, as flake8's select/ignore
    fail-on = "warning"               # as --fail-on
    waivers = "abicheck-waivers.toml" # as --waivers, relative to the file's folder
    [tool.abicheck.lint.severity]
    ABI302 = "error"                  # error | warning | note

Command-line options win over the file (``-I``/``-D`` add to it).  A file
that is not TOML, or a key with a bad value, is bad input: one line
``file:line:col: error: ...``, exit 2.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from abicheck import tomltext
from abicheck.checks.lint.rules import RULES, find_rule
from abicheck.errors import SourceLoc, UsageError

SEVERITIES = ("error", "warning", "note")
_TOP_KEYS = {"targets", "include-dirs", "defines", "lint"}
_LINT_KEYS = {"enable", "disable", "fail-on", "waivers", "severity"}


@dataclass(frozen=True)
class LintConfig:
    """What a lint configuration file says; empty fields leave the command line's choice."""

    file: str | None = None
    targets: tuple[str, ...] = ()
    include_dirs: tuple[str, ...] = ()
    defines: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    disable: tuple[str, ...] = ()
    fail_on: str | None = None
    waivers: str | None = None
    severity: dict[str, str] = field(default_factory=dict)


def find_config(start: str | None = None) -> str | None:
    """The configuration file that applies in ``start`` (default: the
    current folder), searching upward; None when there is none."""
    here = os.path.abspath(start or os.getcwd())
    while True:
        cand = os.path.join(here, "abicheck.toml")
        if os.path.isfile(cand):
            return cand
        py = os.path.join(here, "pyproject.toml")
        if os.path.isfile(py) and _has_tool_table(py):
            return py
        up = os.path.dirname(here)
        if up == here:
            return None
        here = up


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return re.search(r"(?m)^\s*\[\s*tool\.abicheck\s*[\].]", f.read()) is not None
    except OSError:
        return False


def load_config(path: str) -> LintConfig:
    """Read and check ``path`` (see the module docstring)."""
    text, data = read_toml(path)
    if os.path.basename(path) == "pyproject.toml":
        data = data.get("tool", {}).get("abicheck", {})
        if not isinstance(data, dict):
            raise _err(path, text, "abicheck", "[tool.abicheck] must be a table")
    base = os.path.dirname(os.path.abspath(path))
    for k in data:
        if k not in _TOP_KEYS:
            raise _err(path, text, k, f"unknown key '{k}' (known: {', '.join(sorted(_TOP_KEYS))})")
    lint = data.get("lint", {})
    if not isinstance(lint, dict):
        raise _err(path, text, "lint", "'lint' must be a table")
    for k in lint:
        if k not in _LINT_KEYS:
            raise _err(path, text, k, f"unknown key 'lint.{k}' (known: "
                                      f"{', '.join(sorted(_LINT_KEYS))})")
    targets = _strings(path, text, data, "targets")
    dirs = tuple(os.path.normpath(os.path.join(base, d))
                 for d in _strings(path, text, data, "include-dirs"))
    defines = _strings(path, text, data, "defines")
    enable = _rule_keys(path, text, lint, "enable")
    disable = _rule_keys(path, text, lint, "disable")
    fail_on = lint.get("fail-on")
    if fail_on is not None and fail_on not in SEVERITIES:
        raise _err(path, text, "fail-on", f"fail-on must be one of {', '.join(SEVERITIES)}, "
                                          f"not {fail_on!r}")
    waivers = lint.get("waivers")
    if waivers is not None and not isinstance(waivers, str):
        raise _err(path, text, "waivers", "waivers must be a file name (a string)")
    sev = lint.get("severity", {})
    if not isinstance(sev, dict):
        raise _err(path, text, "severity", "severity must be a table of rule = level")
    severity: dict[str, str] = {}
    for key, level in sev.items():
        r = find_rule(key)
        if r is None:
            raise _err(path, text, key, f"severity: unknown rule '{key}'")
        if level not in SEVERITIES:
            raise _err(path, text, key, f"severity of {key} must be one of "
                                        f"{', '.join(SEVERITIES)}, not {level!r}")
        severity[r.id] = level
    return LintConfig(path, targets, dirs, defines, enable, disable, fail_on,
                      os.path.normpath(os.path.join(base, waivers)) if waivers else None, severity)


def read_toml(path: str) -> tuple[str, dict]:
    """(text, data) of a TOML file; a syntax error is one ``file:line:col``
    line (tomllib puts the place in its message)."""
    from abicheck.textfile import read_utf8
    text = read_utf8(path)
    return text, tomltext.loads(text, path)


def line_of(text: str, key: str, after: int = 0) -> tuple[int, int]:
    """(line, col) of ``key =`` (or ``"key" =``) in ``text`` from line
    ``after`` on; (1, 1) when it cannot be found (an inline table)."""
    lines = text.split("\n")
    pat = re.compile(r"^(\s*)(?:" + re.escape(key) + r'|"' + re.escape(key) + r'")\s*=')
    for n in range(after, len(lines)):
        m = pat.match(lines[n])
        if m:
            return n + 1, len(m.group(1)) + 1
    return (after + 1, 1) if after else (1, 1)


def _err(path: str, text: str, key: str, msg: str) -> UsageError:
    line, col = line_of(text, key)
    return UsageError(msg, SourceLoc(path, line, col))


def _strings(path: str, text: str, data: dict, key: str) -> tuple[str, ...]:
    v = data.get(key, [])
    if isinstance(v, str):
        v = [v]
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _err(path, text, key, f"{key} must be a list of strings")
    return tuple(v)


def _rule_keys(path: str, text: str, data: dict, key: str) -> tuple[str, ...]:
    out = []
    for k in _strings(path, text, data, key):
        if not matches_any(k):
            raise _err(path, text, key, f"{key}: '{k}' is no rule id, id prefix or name "
                                        "(see abicheck lint --list-rules)")
        r = find_rule(k)
        out.append(r.id if r is not None and r.name == k else k.upper())
    return tuple(out)


def matches_any(key: str) -> bool:
    """Does ``key`` name a rule or prefix the id of one?"""
    return find_rule(key) is not None or any(rid.startswith(key.upper()) for rid in RULES)


def enabled(rule_id: str, enable: tuple[str, ...], disable: tuple[str, ...]) -> bool:
    """flake8's select/ignore: the longest matching prefix decides; with no
    ``enable`` every rule is enabled (a match of length 0)."""
    best_on = max((len(k) for k in enable if rule_id.startswith(k)), default=-1) \
        if enable else 0
    best_off = max((len(k) for k in disable if rule_id.startswith(k)), default=-1)
    return best_on >= 0 and best_on > best_off
