"""A spec run cut into one piece per target (``abicheck.runs``).

A target's piece is plain JSON: its check results, or the error its
translation or its records gave.  ``assemble_spec`` makes the report from
every target's piece in target order, deciding what ``run_spec`` has always
decided across targets: the input out of bounds on the first target that
fails, or nothing compiling anywhere, is bad input; any other failure is
reported on its target.
"""
from __future__ import annotations

from typing import Sequence

from abicheck import api
from abicheck.checks import spec_memo
from abicheck.checks.spec import (HEADERS_CHECK, _KINDS, Spec, _compile_error, _Context, _shown,
                                  applies, check_name)
from abicheck.errors import AbicheckError, ErrorList
from abicheck.report.findings import CheckResult, Finding, Report
from abicheck.targets import Target


def spec_frame(spec: Spec, targets: Sequence[Target], hdrs: Sequence[str],
               subject: str = "") -> dict:
    """What a report of ``spec`` is made of besides the targets' results
    (plain JSON: a shard carries it): its rows (check name and code, in spec
    order), targets, subject and meta."""
    names: list[str] = []
    for chk in spec.checks:
        name = check_name(chk)
        if name in names:           # keep rows distinct
            name = f"{name} ({sum(n.startswith(name) for n in names) + 1})"
        names.append(name)
    return {"rows": [[n, _KINDS[c["kind"]][0]] for c, n in zip(spec.checks, names)],
            "targets": [t.name for t in targets], "subject": subject or spec.name,
            "meta": {"spec": spec.name, "headers": list(hdrs)}}


def target_pieces(spec: Spec, targets: Sequence[Target], hdrs: Sequence[str],
                  include_dirs: Sequence[str], defs: Sequence[str]) -> list[dict]:
    """``target_piece`` for every target, each evaluated while the later
    targets' cpp runs go on (``translate_stream``) unless some target
    fails, then one by one (the pieces already evaluated are remembered)."""
    skey = spec_memo.spec_key(spec, hdrs)
    try:
        return [_piece_of(spec, tr, hdrs, skey)
                for tr in api.translate_stream(hdrs, list(targets), include_dirs, defs)]
    except AbicheckError:
        return [target_piece(spec, t, hdrs, include_dirs, defs) for t in targets]


def target_piece(spec: Spec, target: Target, hdrs: Sequence[str], include_dirs: Sequence[str],
                 defs: Sequence[str]) -> dict:
    """One target's part of a run (plain JSON, see ``abicheck.runs``): its
    results, or the error its translation or its records gave."""
    from abicheck.runs.codec import error_json
    try:
        tr = api.translate(hdrs, target, include_dirs, defs)
    except AbicheckError as e:
        return {"translate_error": error_json(e)}
    return _piece_of(spec, tr, hdrs)


def _piece_of(spec: Spec, tr, hdrs: Sequence[str], skey: str | None = None) -> dict:
    """A translation's piece, remembered in this process (``spec_memo``)."""
    skey = skey or spec_memo.spec_key(spec, hdrs)
    return spec_memo.piece(tr, skey, lambda: _evaluate(spec, tr, hdrs))


def _evaluate(spec: Spec, tr, hdrs: Sequence[str]) -> dict:
    from abicheck.runs.codec import error_json, result_json
    # gcc compiles every record of a header, not only those a spec names: a
    # record it would reject (an array beyond the address space, a bad
    # alignment) means the headers do not compile for that target
    cx = _Context(tr)
    err = _compile_error(cx, hdrs)
    if err is not None:
        return {"compile_error": error_json(err)}
    names = [n for n, _ in spec_frame(spec, (), hdrs)["rows"]]
    results = [CheckResult(HEADERS_CHECK, "ABI100", tr.target.name, True)]
    for chk, name in zip(spec.checks, names):
        code, fn = _KINDS[chk["kind"]]
        if not applies(chk, tr.target):
            results.append(CheckResult(name, code, tr.target.name, None))
            continue
        try:
            outcome = fn(chk, cx)
        except AbicheckError as e:          # the type is missing or cannot be laid out
            outcome = [(code, e.msg, e.loc, None, None)]
        if outcome is None:                 # nothing to check on this target
            results.append(CheckResult(name, code, tr.target.name, None))
            continue
        findings = tuple(Finding(fid, "error", (tr.target.name,), _shown(loc), msg, name, meas, exp)
                         for fid, msg, loc, meas, exp in outcome)
        results.append(CheckResult(name, code, tr.target.name, not findings, findings))
    return {"results": [result_json(r) for r in results]}


def assemble_spec(frame: dict, pieces: Sequence[dict]) -> Report:
    """The report of a run from its frame and every target's piece, in
    target order.  The input itself out of bounds (a limit, an include
    leaving its roots) on the first target that fails is bad input, as is
    nothing compiling anywhere; a target that fails otherwise (an #error for
    an ABI a libc has no port to) is reported on that target."""
    from abicheck.runs.codec import error_of, is_kind, result_of
    for p in pieces:
        if "translate_error" in p:
            if is_kind(p["translate_error"], "LimitError", "ConfinementError"):
                raise error_of(p["translate_error"])
            break
    errors = [p.get("translate_error") or p.get("compile_error") for p in pieces]
    if all(errors):
        raise ErrorList([error_of(e) for e in errors]) from None
    results: list[CheckResult] = []
    for t, p, err in zip(frame["targets"], pieces, errors):
        if err:
            e = error_of(err)
            results.append(CheckResult(HEADERS_CHECK, "ABI100", t, False, (
                Finding("ABI100", "error", (t,), e.loc, f"the headers do not compile for "
                        f"this target: {e.msg}", HEADERS_CHECK),)))
            results.extend(CheckResult(n, code, t, None) for n, code in frame["rows"])
            continue
        results.extend(result_of(r) for r in p["results"])
    return Report("check", frame["subject"], tuple(frame["targets"]), tuple(results),
                  frame["meta"])
