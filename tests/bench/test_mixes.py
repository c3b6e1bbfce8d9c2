"""The benchmark mixes (bench/mixes.py) are what bench/README.md says they are.

Checked against python-jsonschema (the oracle) and the spec, never against the compiled module
the benchmark measures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from genspec.spec import advice_schemas, load_schema

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import mixes  # noqa: E402  (bench/ is not a package)

SCHEMA = load_schema()
ORACLE = Draft202012Validator(SCHEMA)
ADVICE = [Draft202012Validator(entry) for entry in advice_schemas(SCHEMA)]
COUNT = 120


def advised(body: Any) -> bool:
    return any(not advice.is_valid(body) for advice in ADVICE)


@pytest.mark.parametrize("name", mixes.MIXES)
def test_a_seed_gives_one_draw_and_another_seed_another(name: str) -> None:
    first = mixes.draw_mix(name, 5, COUNT)
    assert len(first) == COUNT
    assert first == mixes.draw_mix(name, 5, COUNT)
    assert first != mixes.draw_mix(name, 6, COUNT)
    first[0]["mutated"] = True  # fresh dicts: a caller's change never leaks into a redraw
    assert "mutated" not in mixes.draw_mix(name, 5, COUNT)[0]


def test_every_mix_is_drawn() -> None:
    drawn = mixes.draw_mixes(5, 10)
    assert list(drawn) == list(mixes.MIXES)
    assert all(len(bodies) == 10 for bodies in drawn.values())


def test_invalid_bodies_are_rejected_and_advice_bodies_accepted_with_warnings() -> None:
    assert not any(ORACLE.is_valid(b) for b in mixes.draw_mix("invalid", 5, COUNT))
    advice = mixes.draw_mix("advice", 5, COUNT)
    assert all(ORACLE.is_valid(b) and advised(b) for b in advice)


def test_each_mix_has_the_shape_the_issue_asks_for() -> None:
    minimal = mixes.draw_mix("minimal", 5, COUNT)
    assert all("prompt" in b and 2 <= len(b) <= 4 for b in minimal)
    app = mixes.draw_mix("app", 5, 1000)
    assert all(8 <= len(b) <= 14 for b in app)
    assert 0.15 < sum(len(b.get("controlnets", [])) == 1 for b in app) / len(app) < 0.25
    assert 0.10 < sum(b["num_images"] == 8 for b in app) / len(app) < 0.19
    assert 0.05 < sum(b["width"] % 8 != 0 for b in app) / len(app) < 0.13
    assert {b["alchemy"] for b in app} == {True, False, None}
    assert all(b["seed"] <= 2**31 for b in app if "seed" in b)
    guidance = mixes.draw_mix("guidance", 5, COUNT)
    assert all(1 <= len(b["controlnets"]) <= 4 and 1 <= len(b["elements"]) <= 4 for b in guidance)
    defaults = {k: v["default"] for k, v in SCHEMA["properties"].items() if "default" in v}
    for body in mixes.draw_mix("sdk", 5, COUNT):
        assert defaults.keys() <= body.keys()  # every default sent (some set by the caller)


def test_the_examples_mix_is_every_example_file() -> None:
    files = [
        json.loads(path.read_text(encoding="utf-8"))
        for folder in ("official", "valid", "invalid")
        for path in sorted((ROOT / "spec" / "examples" / folder).glob("*.json"))
    ]
    drawn = mixes.draw_mix("examples", 5, len(files))
    key = json.dumps
    assert sorted(map(key, drawn)) == sorted(map(key, files))
