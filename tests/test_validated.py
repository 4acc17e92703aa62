"""``abicheck/data/validated.json`` lists exactly the bundled JSON files
that pass their schemas (``abicheck.validated``): the schemas are run here,
with jsonschema, on every bundled file; and a file not listed (edited, or
foreign) is validated at run time, its errors reported."""
from __future__ import annotations

import json
import os
from importlib import resources

import jsonschema
import pytest

from abicheck import bundled, validated
from abicheck.checks import spec_load

ROOT = resources.files("abicheck")
DATA = ROOT.joinpath("data/validated.json")


def _bundled_specs() -> list[str]:
    d = os.path.dirname(bundled.spec_path("siginfo.json"))
    return sorted(f for f in os.listdir(d) if f.endswith(".json"))


def expected() -> dict[str, str]:
    """Every bundled file's digest, after checking that it passes its schema."""
    out = {}
    schema = ROOT.joinpath("schemas/targets.schema.json").read_text()
    table = ROOT.joinpath("data/targets.json").read_text()
    jsonschema.validate(json.loads(table), json.loads(schema))
    out["data/targets.json"] = validated.digest("targets", schema, table)
    spec_schema = ROOT.joinpath("schemas/spec.schema.json").read_text()
    for name in _bundled_specs():
        with open(bundled.spec_path(name), "rb") as f:
            text = f.read().decode("utf-8")          # as load_spec reads it
        assert spec_load._validate(json.loads(text), spec_schema) == [], name
        out[f"specs/{name}"] = validated.digest("spec", spec_schema, text)
    return out


def test_the_list_is_the_bundled_files_digests():
    want = expected()
    have = json.loads(DATA.read_text())["digests"]
    assert have == want, ("abicheck/data/validated.json is stale; its \"digests\" must be:\n"
                          + json.dumps(want, indent=2))


def test_a_listed_text_is_not_validated_again(monkeypatch):
    calls = []
    monkeypatch.setattr(spec_load, "_validate", lambda *a: calls.append(a) or [])
    spec_load._VALID.clear()
    from abicheck import cache
    with cache.use(False):
        spec_load.load_spec(bundled.spec_path("siginfo.json"))
    assert calls == []


def test_an_edited_bundled_spec_is_validated(tmp_path):
    """The same bytes but one are another digest: its schema error is found."""
    from abicheck import cache
    with open(bundled.spec_path("siginfo.json"), encoding="utf-8") as f:
        text = f.read()
    p = tmp_path / "siginfo.json"
    p.write_text(text.replace('"kind": "record"', '"kind": "recrod"', 1), encoding="utf-8")
    spec_load._VALID.clear()
    with cache.use(False), pytest.raises(spec_load.SpecError, match="recrod"):
        spec_load.load_spec(str(p))


def test_an_edited_target_table_is_validated(monkeypatch):
    """A table that is not the bundled one goes through the schema."""
    from abicheck import targets
    from abicheck import package
    real = package.read_text
    table = ROOT.joinpath("data/targets.json").read_text()
    bad = table.replace('"byte_order": "little"', '"byte_order": "middle"', 1)
    assert bad != table
    monkeypatch.setattr(package, "read_text", lambda rel: bad if rel == "data/targets.json"
                        else real(rel))
    from abicheck import cache
    with cache.use(False), pytest.raises(jsonschema.ValidationError, match="middle"):
        targets._load_rows()
