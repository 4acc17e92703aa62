"""Reading a spec: the JSON checked against ``schemas/spec.schema.json`` and
its cross-references (accessors, layouts, targets) checked against each
other, every problem reported at once, one ``file:line:col`` line each, at
the JSON value it is about.  ``checks/spec.py`` runs what this loads."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from abicheck import package
from abicheck.errors import AbicheckError, SourceLoc, UsageError, printable
from abicheck.targets import all_targets


class SpecError(AbicheckError):
    """A spec that is not valid: every problem, one line each, at the line
    and column of the JSON value it is about, sorted by place."""

    def __init__(self, file: str, text: str, problems: list[tuple[tuple, str]]) -> None:
        from abicheck.checks.jsonpos import line_col, positions
        where = positions(text)
        located = set()
        for path, msg in problems:
            while path and path not in where:
                path = path[:-1]
            line, col = line_col(text, where[path]) if path in where else (1, 1)
            located.add((line, col, msg))
        self.problems = [f"{file}:{ln}:{col}: error: {msg}" for ln, col, msg in sorted(located)]
        super().__init__("; ".join(m for _, _, m in sorted(located)), SourceLoc(file))

    def __str__(self) -> str:
        return "\n".join(printable(p) for p in self.problems)


@dataclass(frozen=True)
class Spec:
    """A loaded, validated spec: the file it came from and its data."""

    file: str
    data: dict

    @property
    def name(self) -> str:
        return self.data["spec"]

    @property
    def checks(self) -> list[dict]:
        return self.data["checks"]


def _schema_text() -> str:
    return package.read_text("schemas/spec.schema.json")


#: digests of (schema, validator, spec text) this process has seen pass the
#: schema: a spec checked again in the same process (a library user, a
#: second ``cli.main``) is not validated again; any edit is a new digest
_VALID: set[str] = set()
_KIND = "spec-schema-valid-1"


def _schema_problems(text: str, data) -> list[tuple[tuple, str]]:
    """The schema's complaints about ``data`` (parsed from ``text``).

    Validation with jsonschema (importing it: 35 ms; running it: 25 ms) was
    a quarter of the default ``check`` with the parse cache warm, and gives
    the same answer every time for the same spec text, schema and
    validating code.  So a pass is remembered, keyed by all three, in this
    process and in the persistent cache (``abicheck.cache.checked``, as the
    target table's validation is); a failure is never remembered and is
    reported afresh, every problem at once."""
    import hashlib

    from abicheck import cache, validated
    schema_text = _schema_text()
    if validated.known_valid("spec", schema_text, text):
        return []                       # a bundled spec, as the test suite validated it
    code = package.read_bytes("checks/spec_load.py")
    keyed = "\0".join((schema_text, code.decode("utf-8", "surrogateescape"), text))
    digest = hashlib.sha256(keyed.encode("utf-8", "surrogateescape")).hexdigest()
    if digest in _VALID:
        return []
    problems: list[tuple[tuple, str]] = []

    def validate() -> None:
        problems.extend(_validate(data, schema_text))
        if problems:
            raise _Invalid
    try:
        cache.checked(_KIND, keyed, validate)
    except _Invalid:
        return problems
    _VALID.add(digest)
    return []


class _Invalid(Exception):
    """``_schema_problems``' check failed (its problems are reported, not raised)."""


def _validate(data, schema_text: str) -> list[tuple[tuple, str]]:
    import jsonschema
    validator = jsonschema.Draft202012Validator(
        json.loads(schema_text), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    problems = []
    errors = list(validator.iter_errors(data))
    for err in errors:
        # report the deepest cause of oneOf/anyOf/if-then failures
        leaves = [err]
        while leaves and leaves[0].context:
            leaves = sorted(leaves[0].context, key=lambda e: len(e.absolute_path), reverse=True)[:1]
        leaf = leaves[0] if leaves else err
        problems.append((tuple(leaf.absolute_path), f"{_json_path(leaf.absolute_path)}: {leaf.message}"))
    return problems


def _json_path(parts) -> str:
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def load_spec(path: str) -> Spec:
    """Read and validate a spec; all schema and reference errors at once."""
    from abicheck import limits
    try:
        with open(path, "rb") as f:
            raw = f.read(limits.active().input_size + 1)
    except OSError as e:
        raise UsageError(f"cannot read spec '{path}': {e.strerror}") from None
    if len(raw) > limits.active().input_size:
        raise AbicheckError(f"the spec is more than the input limit of {limits.active().input_size} "
                            "bytes; raise it with --limit input-size=SIZE", SourceLoc(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        raise AbicheckError(f"the spec is not UTF-8 text (byte {raw[e.start]:#04x})",
                            SourceLoc(path, line, col)) from None
    from abicheck.checks.jsonpos import line_col, too_deep
    deep = too_deep(text, limits.active().nesting)
    if deep is not None:
        raise AbicheckError(f"the spec nests deeper than {limits.active().nesting} levels; raise the "
                            "bound with --limit nesting=N", SourceLoc(path, *line_col(text, deep)))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise AbicheckError(f"invalid JSON: {e.msg}", SourceLoc(path, e.lineno, e.colno)) from None
    except RecursionError:
        raise AbicheckError("invalid spec: JSON nested too deeply", SourceLoc(path)) from None
    try:
        problems = _schema_problems(text, data)
    except RecursionError:
        raise AbicheckError("invalid spec: JSON nested too deeply", SourceLoc(path)) from None
    if problems:
        raise SpecError(path, text, problems)
    problems = _reference_problems(data)
    if problems:
        raise SpecError(path, text, problems)
    return Spec(path, data)


def _reference_problems(data: dict) -> list[tuple[tuple, str]]:
    """Unknown target selectors and accessors: what a schema cannot know."""
    known = {"all"}
    for t in all_targets():
        known |= {t.name, t.triple, *(a.lower() for a in t.aliases), *t.classes}
        if t.debian_arch:
            known.add(t.debian_arch)
    accessors = set(data.get("accessors", ()))
    problems = []
    for i, chk in enumerate(data["checks"]):
        sels = [] if chk.get("targets", "all") == "all" else list(chk["targets"])
        sels += chk.get("except", [])
        for key in ("size", "align", "max_align", "offset", "value", "highest"):
            if isinstance(chk.get(key), dict):
                sels += list(chk[key])
        sels += list(chk.get("extra", {}))
        for s in sels:
            if s.lower() not in known:
                problems.append((("checks", i), f"$.checks[{i}]: unknown target or target class '{s}'"))
        acc = chk.get("accessor")
        if acc and "." not in acc and acc not in accessors:
            problems.append((("checks", i, "accessor"), f"$.checks[{i}].accessor: unknown accessor '{acc}' "
                             "(list it in $.accessors or give a member path)"))
        for code, accs in chk.get("map", {}).items():
            for j, a in enumerate(accs):
                if "." not in a and a not in accessors:
                    problems.append((("checks", i, "map", code, j),
                                     f"$.checks[{i}].map.{code}: unknown accessor '{a}'"))
    problems += _layout_problems(data.get("layouts", ()), known)
    return problems


def _layout_problems(layouts, known: set[str]) -> list[tuple[tuple, str]]:
    """Unknown selectors and member names in the blob ``layouts`` section."""
    problems = []
    for i, lay in enumerate(layouts):
        where = f"$.layouts[{i}]"
        for j, rule in enumerate(lay["rules"]):
            if rule["member"] not in lay["members"]:
                problems.append((("layouts", i, "rules", j, "member"),
                                 f"{where}.rules[{j}]: unknown member '{rule['member']}'"))
            sels = [] if rule.get("targets", "all") == "all" else list(rule["targets"])
            for s in sels + list(rule.get("except", ())):
                if s.lower() not in known:
                    problems.append((("layouts", i, "rules", j),
                                     f"{where}.rules[{j}]: unknown target or target class '{s}'"))
        sels = (list(lay.get("signal_numbers", {})) + list(lay.get("code_extra", {}))
                + list(lay.get("signal_aliases", {})))
        for k in ("first", "last"):
            if isinstance(lay.get("realtime_signals", {}).get(k), dict):
                sels += list(lay["realtime_signals"][k])
        for r in lay.get("ranges", ()):
            sels += [s for k in ("min", "max") if isinstance(r.get(k), dict) for s in r[k]]
        for s in sels:
            if s.lower() not in known:
                problems.append((("layouts", i), f"{where}: unknown target or target class '{s}'"))
    return problems


def spec_inputs(spec: Spec, headers: Sequence[str], defines: Sequence[str]) -> tuple[list, list]:
    """(the headers, the defines) a run of ``spec`` compiles with."""
    return (list(headers) or list(spec.data["headers"]),
            list(spec.data.get("defines", ())) + list(defines))


def bundled_spec() -> str:
    """Path of the bundled siginfo spec."""
    from abicheck import bundled
    return bundled.spec_path("siginfo.json")
