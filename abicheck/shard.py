"""``--shard K/N``: one CI runner's part of a run, and putting the parts back.

The split is round-robin over the run's items in the order a single run
takes them (``abicheck.runs``: targets in ``--target`` order, headers in the
revision's order): item i (0-based) belongs to shard ``i mod N + 1``.  The
order is fixed by the inputs and options alone (no hashing of paths that
differ between runners, no dependence on the machine), so every runner of
a matrix computes the same split, and neighbouring items — which cost
about the same — spread evenly.  A shard with no item is valid (a run of 3
targets in 5 shards): its document is empty, and ``merge`` still needs it.

A shard writes a JSON document (always JSON, whatever ``--format`` says:
``--format`` is recorded and becomes the merged report's default format):

``{"tool": "abicheck", "version", "command": "shard", "of": COMMAND,
"job": ID, "shard": K, "shards": N, "items": TOTAL, "context": {...},
"pieces": [{"index", "key", "piece"}...]}``

``job`` is a digest of the abicheck version, the command, the options that
shape the result (``context``) and the list of every item's key: shards of
one run share it; shards of another command line, another abicheck or
another set of items do not, and ``merge`` refuses to mix them.
``merge_documents`` checks that every shard 1..N is there exactly once and
that together they hold every item once, then assembles the report as a
single run would (``runs.Plan.assemble``), with its exit status.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Sequence

from abicheck import __version__
from abicheck.errors import AbicheckError, SourceLoc, UsageError

_SPEC = re.compile(r"^([0-9]{1,9})/([0-9]{1,9})$", re.ASCII)

# More shards than any CI matrix runs (GitHub Actions caps a matrix at 256
# jobs): a bound, so that a typo or a hostile document cannot make merge
# list or wait for millions of shards.
MAX_SHARDS = 10000


def parse(text: str) -> tuple[int, int]:
    """``K/N`` -> (K, N), 1 <= K <= N <= MAX_SHARDS; ASCII digits only."""
    m = _SPEC.match(text.strip())
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)) <= MAX_SHARDS:
        raise UsageError(f"--shard '{text}': expected K/N with 1 <= K <= N <= {MAX_SHARDS} "
                         "(e.g. 2/4)")
    return int(m.group(1)), int(m.group(2))


def count(total: int, k: int, n: int) -> int:
    """How many items shard ``k`` of ``n`` holds among ``total`` (len of
    ``indexes``, computed without listing them)."""
    return max(0, -(-(total - k + 1) // n))


def indexes(total: int, k: int, n: int) -> list[int]:
    """The items of shard ``k`` of ``n`` among ``total``: round-robin."""
    return list(range(k - 1, total, n))


def job_id(command: str, context: dict, keys: Sequence[str]) -> str:
    blob = json.dumps([__version__, command, context, list(keys)], sort_keys=True,
                      ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def run_shard(plan, k: int, n: int) -> str:
    """Compute shard ``k`` of ``n`` of ``plan`` (in processes under ``-j``)
    and return its document."""
    from abicheck import parallel
    mine = indexes(len(plan.items), k, n)
    pieces = parallel.compute_all(plan, mine)
    doc = {"tool": "abicheck", "version": __version__, "command": "shard", "of": plan.command,
           "job": job_id(plan.command, plan.context, plan.keys), "shard": k, "shards": n,
           "items": len(plan.items), "context": plan.context,
           "pieces": [{"index": i, "key": plan.keys[i], "piece": p} for i, p in zip(mine, pieces)]}
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def read_document(path: str) -> dict:
    """A shard document, or one line saying why ``path`` is not one."""
    from abicheck.textfile import read_json
    doc = read_json(path, "shard result")
    keys = ("of", "job", "shard", "shards", "items", "context", "pieces")
    if not isinstance(doc, dict) or doc.get("command") != "shard" or any(k not in doc for k in keys):
        raise AbicheckError("not a shard result (write one with --shard K/N)", SourceLoc(path))
    if doc.get("version") != __version__:
        raise AbicheckError(f"shard result of abicheck {doc.get('version')}, this is "
                            f"{__version__}: rerun the shards with one version", SourceLoc(path))
    ok = (type(doc["shard"]) is int and type(doc["shards"]) is int      # not bool
          and 1 <= doc["shard"] <= doc["shards"] <= MAX_SHARDS
          and type(doc["items"]) is int and doc["items"] >= 0
          and isinstance(doc["pieces"], list) and isinstance(doc["context"], dict)
          and all(isinstance(p, dict) and isinstance(p.get("index"), int) and "piece" in p
                  and isinstance(p.get("key"), str) for p in doc["pieces"]))
    if not ok:
        raise AbicheckError("not a shard result: malformed shard fields", SourceLoc(path))
    return doc


def gather(paths: Sequence[str]) -> tuple[dict, list[dict]]:
    """(the first document, every piece in item order) of a complete set of
    shards of one run; a missing, repeated or foreign shard is an error."""
    if not paths:
        raise UsageError("merge needs the shard results (RESULT.json ...)")
    docs = [(p, read_document(p)) for p in paths]
    first_path, first = docs[0]
    for p, d in docs[1:]:
        if d["of"] != first["of"] or d["job"] != first["job"] or d["shards"] != first["shards"]:
            what = (f"'abicheck {d['of']}'" if d["of"] != first["of"]
                    else f"{d['shards']} shards" if d["shards"] != first["shards"] else "another run")
            raise UsageError(f"'{p}' is a shard of {what}, '{first_path}' of "
                             + (f"'abicheck {first['of']}'" if d["of"] != first["of"]
                                else f"{first['shards']} shards" if d["shards"] != first["shards"]
                                else f"run {first['job']}")
                             + ": merge only the shards of one run")
    seen: dict[int, str] = {}
    for p, d in docs:
        if d["shard"] in seen:
            raise UsageError(f"shard {d['shard']}/{d['shards']} given twice ('{seen[d['shard']]}' "
                             f"and '{p}')")
        seen[d["shard"]] = p
    n = first["shards"]
    if len(docs) < n:
        missing = [k for k in range(1, n + 1) if k not in seen]
        shown = ", ".join(str(k) for k in missing[:10]) + (", ..." if len(missing) > 10 else "")
        raise UsageError(f"shard{'s' if len(missing) > 1 else ''} "
                         f"{shown} of {n} missing: merge needs "
                         f"every shard of the run")
    pieces: dict[int, dict] = {}
    for p, d in docs:
        # arithmetic first: an edited "items" of 10**9 must not be listed
        if (d["items"] != first["items"]
                or len(d["pieces"]) != count(d["items"], d["shard"], n)
                or [x["index"] for x in d["pieces"]] != indexes(d["items"], d["shard"], n)):
            raise AbicheckError(f"shard {d['shard']}/{n} does not hold the items of its "
                                "shard (edited or truncated)", SourceLoc(p))
        if d["context"] != first["context"]:
            raise AbicheckError(f"shard {d['shard']}/{n} records other options than "
                                f"'{first_path}' under the same job (edited)", SourceLoc(p))
        for x in d["pieces"]:
            pieces[x["index"]] = x
    order = [pieces[i] for i in range(first["items"])]
    # the job id is a digest of the context and the keys: recompute it, so a
    # key or an option edited by hand in every shard alike is refused too
    if job_id(first["of"], first["context"], [x["key"] for x in order]) != first["job"]:
        raise AbicheckError("the shards' options or item keys do not match their job id "
                            "(edited): write them again with --shard K/N", SourceLoc(first_path))
    return first, [x["piece"] for x in order]


def origins(paths: Sequence[str]) -> list[tuple[str, list]]:
    """(path, its pieces) of each shard document (already ``gather``-ed):
    to name the file a malformed piece came from."""
    return [(p, [x["piece"] for x in read_document(p)["pieces"]]) for p in paths]
