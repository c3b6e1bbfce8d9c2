"""The strategy runtime (genspec.strategies_runtime) and the strategies module genspec generates.

Unit tests draw from small described schemas and check each draw with python-jsonschema on
the same schema written as JSON; the generated module is checked to be the runtime verbatim
plus the spec's description, importable on its own.
"""

from __future__ import annotations

import ast
import difflib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator
from oracle import Oracle

from genspec import ir
from genspec.spec import load_schema
from genspec.strategies import (
    describe,
    keyword_kinds,
    render_strategies,
    runtime_source,
    strategy_for,
)
from genspec.strategies_runtime import Strategies

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "codegen" / "genspec" / "strategies_runtime.py"
GENERATED = ROOT / "generated" / "python" / "leonardo_generations"
SMALL = settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])

# Schemas whose every value the runtime must build by construction, each a different planner.
CASES: dict[str, Any] = {
    "bounds": {"type": "integer", "minimum": 3, "exclusiveMaximum": 7, "multipleOf": 2},
    "float-range": {"type": "number", "exclusiveMinimum": 0.5, "maximum": 0.75},
    "string": {"type": "string", "minLength": 2, "maxLength": 4},
    "pattern": {"type": "string", "pattern": "^[a-c]{3}$"},
    "enum-const": {"enum": [1, "a", None, [1]], "not": {"const": "a"}},
    "one-of": {"oneOf": [{"type": "integer"}, {"minimum": 0}]},
    "if-then-else": {
        "type": "object",
        "properties": {"a": {"type": "boolean"}, "b": {"type": "integer"}},
        "required": ["a"],
        "if": {"properties": {"a": {"const": True}}},
        "then": {"required": ["b"], "properties": {"b": {"maximum": 0}}},
        "else": {"not": {"required": ["b"]}},
    },
    "dependent": {
        "type": "object",
        "properties": {"x": {"type": "string"}, "y": {"type": "null"}},
        "dependentRequired": {"x": ["y"]},
        "additionalProperties": False,
    },
    "prefix": {"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "integer"}},
    "contains": {
        "type": "array",
        "items": {"type": "integer"},
        "contains": {"const": 1},
        "minContains": 2,
        "maxItems": 4,
    },
    "unique": {"type": "array", "items": {"enum": [1, 2, 3]}, "uniqueItems": True},
    "refs": {
        "$defs": {"leaf": {"type": "object", "properties": {"n": {"$ref": "#/$defs/n"}}}},
        "anyOf": [{"$ref": "#/$defs/leaf"}, {"type": "null"}],
        "$comment": "n is defined after its use",
    },
    "unevaluated": {
        "type": "object",
        "allOf": [{"properties": {"a": {"type": "integer"}}}],
        "unevaluatedProperties": False,
    },
}
CASES["refs"]["$defs"]["n"] = {"type": "integer", "minimum": 1}

RULED = {
    "type": "object",
    "properties": {"size": {"type": "integer", "minimum": 1, "maximum": 10}},
    "allOf": [
        {
            "x-rule": {"id": "big-needs-mode", "severity": "error", "message": "m"},
            "if": {"properties": {"size": {"minimum": 5}}, "required": ["size"]},
            "then": {"required": ["mode"]},
        }
    ],
    "x-advice": [
        {
            "x-rule": {"id": "say-size", "severity": "warning", "message": "m"},
            "required": ["size"],
        }
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_valid_draws_are_valid_for_python_jsonschema(name: str) -> None:
    schema = CASES[name]
    oracle = Draft202012Validator(schema)

    @SMALL
    @given(strategy_for(schema).strategies.valid_requests())
    def check(instance: Any) -> None:
        assert oracle.is_valid(instance), instance

    check()


def test_a_near_miss_breaks_its_rule_and_nothing_else() -> None:
    oracle = Oracle({k: v for k, v in RULED.items() if k != "x-advice"})
    built = strategy_for(RULED)

    @SMALL
    @given(built.strategies.violating("big-needs-mode"))
    def check(instance: Any) -> None:
        assert oracle.breaks_only(instance, "big-needs-mode"), instance
        assert instance["size"] >= 5 and "mode" not in instance

    check()


def test_an_advice_draw_is_valid_and_triggers_that_advice() -> None:
    constraints = {k: v for k, v in RULED.items() if k != "x-advice"}
    built = strategy_for(constraints)
    strategies = Strategies(
        describe(ir.lower(constraints)).nodes | {"/x-advice/0": {"required": ["size"]}},
        rules={"big-needs-mode": "/allOf/0"},
        advice={"say-size": "/x-advice/0"},
        keyword_kinds=keyword_kinds(),
    )
    assert strategies.rule_ids == ("big-needs-mode", "say-size")

    @SMALL
    @given(strategies.violating("say-size"))
    def check(instance: Any) -> None:
        assert Draft202012Validator(constraints).is_valid(instance), instance
        assert "size" not in instance
        assert built.validator.is_valid(instance)

    check()


def test_valid_draws_do_not_avoid_advice() -> None:
    """Advice is never a constraint: valid draws come with and without it."""
    constraints = {k: v for k, v in RULED.items() if k != "x-advice"}
    strategies = Strategies(
        describe(ir.lower(constraints)).nodes | {"/x-advice/0": {"required": ["size"]}},
        advice={"say-size": "/x-advice/0"},
        keyword_kinds=keyword_kinds(),
    )
    seen: set[bool] = set()

    @settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
    @given(strategies.valid_requests())
    def check(instance: Any) -> None:
        seen.add("size" in instance)

    check()
    assert seen == {True, False}


def test_unknown_rule_ids_and_locations_are_refused() -> None:
    built = strategy_for({"type": "object"})
    with pytest.raises(ValueError, match="unknown rule id"):
        built.strategies.violating("no-such-rule")
    with pytest.raises(ValueError, match="no entry for subschema location '/nowhere'"):
        Strategies({"": {"not": "/nowhere"}}, keyword_kinds={})
    with pytest.raises(ValueError, match="no entry"):
        Strategies({"": True}, rules={"r": "/allOf/0"}, keyword_kinds={})


def test_hostile_schema_text_stays_data() -> None:
    schema = {"properties": {"'''\nimport os\n": {"enum": ['"""', "\u2028", "\x00"]}}}
    found = strategy_for(schema).description
    assert found.nodes["/properties/'''\nimport os\n"] == {"enum": ['"""', "\u2028", "\x00"]}


def test_rule_ids_are_the_specs() -> None:
    assert list(strategy_for(load_schema()).strategies.rule_ids) == Oracle(load_schema()).rules


# ---- the generated module ----------------------------------------------------------------


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    froms = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0]
    names |= {n.module or "" for n in froms}
    return {name.split(".")[0] for name in names}


def test_runtime_needs_only_hypothesis_and_the_standard_library() -> None:
    assert imported_modules(RUNTIME) - set(sys.stdlib_module_names) == {"hypothesis"}


def test_generated_runtime_is_the_runtime_verbatim() -> None:
    copied = (GENERATED / "_strategies_runtime.py").read_text(encoding="utf-8")
    assert copied == runtime_source()
    assert copied.endswith(RUNTIME.read_text(encoding="utf-8"))
    assert copied.startswith("# Generated by genspec") and "do not edit" in copied.splitlines()[0]


def test_generated_strategies_hold_the_specs_description() -> None:
    from leonardo_generations import strategies

    found = strategy_for(load_schema()).description
    assert found.nodes == strategies._NODES
    assert found.rules == strategies._RULES and found.advice == strategies._ADVICE
    assert imported_modules(GENERATED / "strategies.py") - set(sys.stdlib_module_names) == {
        "hypothesis"
    }


def test_rendered_module_runs_standalone_on_a_hostile_schema(tmp_path: Path) -> None:
    """Rendered data and runtime copy in a fresh package: importable, drawing, ruff clean."""
    schema = {"properties": {"'''\nimport os\n": {"enum": ['"""', "\u2028"]}}, "type": "object"}
    package = tmp_path / "hostile_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "strategies.py").write_text(render_strategies(schema), encoding="utf-8")
    (package / "_strategies_runtime.py").write_text(runtime_source(), encoding="utf-8")
    script = (
        "from hypothesis import given, settings\n"
        "from hostile_pkg.strategies import valid_requests\n"
        "seen = []\n"
        "@settings(max_examples=20, database=None)\n"
        "@given(valid_requests())\n"
        "def draw(x): seen.append(x)\n"
        "draw()\n"
        "assert all(isinstance(x, dict) for x in seen) and seen, seen\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "format", "--quiet", str(package)], check=True)
    # The project's rule families (RUF100 aside: a small schema needs no line-length noqa).
    rules = ["--isolated", "--line-length", "100", "--select", "E,F,W,I,B,UP,SIM,RUF"]
    check = [*ruff, "check", "--quiet", *rules, "--ignore", "RUF100", str(package)]
    checked = subprocess.run(check, capture_output=True)
    assert checked.returncode == 0, checked.stdout.decode()


def test_adding_a_property_changes_only_its_own_lines() -> None:
    schema = load_schema()
    grown = {**schema, "properties": {**schema["properties"], "zzNew": {"type": "boolean"}}}
    before, after = (render_strategies(s).splitlines() for s in (schema, grown))
    changed = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert changed == [
        '+            "zzNew": "/properties/zzNew",',
        '+    "/properties/zzNew": {"type": ["boolean"]},',
    ]
