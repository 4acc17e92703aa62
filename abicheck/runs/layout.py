"""``abicheck layout`` as items: one per target, the headers named being one
translation unit (see ``abicheck.runs``).

A target's piece holds each type's JSON (``views/json.type_json``) and,
when the text view may be asked for, its pahole text and its ``--field``
lines: the comparison table of several targets is made from the JSON
alone (offsets and sizes are all it shows), a type seen on one target only
prints as pahole does.
"""
from __future__ import annotations

from types import SimpleNamespace
from typing import Sequence

from abicheck.errors import AbicheckError
from abicheck.runs import Plan
from abicheck.runs.codec import error_json, error_of
from abicheck.targets import Target

FORMATS = ("text", "json")


def formats() -> tuple[str, ...]:
    return FORMATS


def plan(headers: Sequence[str], targets: Sequence[Target], types: Sequence[str],
         fields: Sequence[str], include_dirs: Sequence[str], defines: Sequence[str],
         system: bool, fmt: str, want_text: bool) -> Plan:
    """``want_text``: keep the text view's parts in the pieces (a shard
    keeps them whatever its format: merge may render either)."""
    targets = list(targets)
    job = SimpleNamespace(headers=list(headers), types=list(types), fields=list(fields),
                          include_dirs=list(include_dirs), defines=list(defines), system=system,
                          multi=len(targets) > 1, text=want_text)
    context = {"headers": list(headers), "targets": [t.name for t in targets],
               "types": list(types), "fields": list(fields), "format": fmt}

    def batch(ts: list[Target]) -> list[dict]:
        from abicheck import api
        try:
            return [_piece_of(job, tr)
                    for tr in api.translate_stream(job.headers, ts, job.include_dirs, job.defines, job.system)]
        except AbicheckError:
            # one by one, to find the first failing target in target order;
            # a translation error ends a layout run, so the targets after it
            # need not run (they stand for it: the first error still wins)
            out: list[dict] = []
            for t in ts:
                out.append(piece(job, t))
                if "translate_error" in out[-1]:
                    return out + [out[-1]] * (len(ts) - len(out))
            return out

    return Plan("layout", context, [t.name for t in targets], targets,
                lambda t: piece(job, t), assemble, FORMATS, batch)


def piece(job, target: Target) -> dict:
    from abicheck import api
    try:
        tr = api.translate(job.headers, target, job.include_dirs, job.defines, job.system)
    except AbicheckError as e:
        if job.multi:
            e.msg = f"{e.msg} (target {target.name})"
        return {"translate_error": error_json(e)}
    return _piece_of(job, tr)


def _piece_of(job, tr) -> dict:
    from abicheck import api
    from abicheck.views import json as jview
    from abicheck.layout import Layouter
    from abicheck.views import pahole
    from abicheck.views.pahole_options import TextOptions
    from abicheck.views.text import field_line
    try:
        # default: the records the headers define, else their typedefs; a
        # header that declares neither (glibc's <complex.h>) has nothing to show
        types = job.types or api.declared_records(tr, job.headers) \
            or api.declared_typedefs(tr, job.headers)
        layouts = api.layout_translation(tr, types)
        fields = api.resolve_fields(tr, layouts, job.fields) if job.fields else {}
    except AbicheckError as e:
        return {"error": error_json(e)}
    finally:
        # a target's piece is complete: its new layouts are written now (a
        # -j worker ends with os._exit, which runs no atexit hook)
        from abicheck.cache import layouts as stored
        stored.flush()
    out: dict = {"types": [jview.type_json(x, fields.get(x.name, ())) for x in layouts]}
    if job.text:
        # the target's engine: enums and typedefs print their values and underlying types
        opts = TextOptions(layouter=Layouter(tr.unit, tr.target))
        out["text"] = [[pahole.render(x, opts), [field_line(x.target, f) for f in fields.get(x.name, ())]]
                       for x in layouts]
    return out


def assemble(context: dict, pieces: Sequence[dict]) -> tuple[str, int]:
    """Every target's translation first (its first error in target order
    wins), then the layouts (likewise), as one process runs them."""
    for p in pieces:
        if "translate_error" in p:
            raise error_of(p["translate_error"])
    for p in pieces:
        if "error" in p:
            raise error_of(p["error"])
    targets = context["targets"]
    if context["format"] == "json":
        from abicheck.views import json as jview
        return jview.dumps(jview.layout_document(list(zip(targets, [p["types"] for p in pieces])))), 0
    from abicheck.views import text as tview
    per_type: dict[str, list] = {}
    for t, p in zip(targets, pieces):
        for d, (pahole_text, lines) in zip(p["types"], p["text"]):
            per_type.setdefault(d["name"], []).append((_Shown(t, d), pahole_text, lines))
    headers = context["headers"]
    if not per_type:
        verb = "declares" if len(headers) == 1 else "declare"
        return (f"/* {', '.join(headers)} {verb} no struct, union or typedef "
                f"on {', '.join(targets)} */\n"), 0
    chunks = []
    for items in per_type.values():
        chunks.append(items[0][1] if len(items) == 1
                      else tview.render_comparison([x for x, _, _ in items]))
        lines = [line for _, _, ls in items for line in ls]
        if lines:
            chunks.append("\n".join(lines) + "\n")
    return "\n".join(chunks), 0


class _Shown:
    """What the comparison table reads of a layout, from its JSON."""

    def __init__(self, target: str, d: dict) -> None:
        self.target, self.name, self.size, self.align = target, d["name"], d["size"], d["align"]
        self._members = [SimpleNamespace(**m) for m in d["members"]]

    def members(self) -> list:
        return self._members

    def member(self, path: str):
        return next((m for m in self._members if m.path == path), None)
