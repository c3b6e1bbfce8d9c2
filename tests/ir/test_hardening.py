"""Schemas the compiler must refuse, and schemas at the input limits it must survive (issue 11).

- a `$ref` loop that never moves into the instance is refused through every in-place
  applicator, `not` included, naming the keyword and the schema path;
- a `$anchor` or `$id` given twice in one document is refused with both locations;
- every schema within the loader's 256-level depth limit lowers without a RecursionError, and
  compiles to a module whose verdicts match python-jsonschema's (run on a large stack) or a
  verdict derived from the construction; `genspec compile` on such files, as a subprocess,
  exits 0 with a working module or 1 with a one-line message, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from genspec import keywords
from genspec.compiler import SchemaError, compile_schema, load_module
from genspec.emit_python import MAX_BLOCK_DEPTH, MAX_REF_CHAIN
from genspec.ir import lower
from genspec.jsonio import MAX_DEPTH

# --- loops that never move into the instance -----------------------------------------------------

LOOPS = [
    # (schema, keyword named, schema path of that keyword)
    ({"not": {"$ref": "#"}}, "$ref", "/not/$ref"),
    ({"$ref": "#"}, "$ref", "/$ref"),
    ({"allOf": [{"type": "object"}, {"$ref": "#"}]}, "$ref", "/allOf/1/$ref"),
    ({"anyOf": [{"type": "string"}, {"$ref": "#"}]}, "$ref", "/anyOf/1/$ref"),
    ({"oneOf": [{"$ref": "#"}]}, "$ref", "/oneOf/0/$ref"),
    ({"if": {"$ref": "#"}}, "$ref", "/if/$ref"),
    ({"if": {"type": "string"}, "then": {"$ref": "#"}}, "$ref", "/then/$ref"),
    ({"if": {"type": "string"}, "else": {"$ref": "#"}}, "$ref", "/else/$ref"),
    ({"dependentSchemas": {"a": {"$ref": "#"}}}, "$ref", "/dependentSchemas/a/$ref"),
    ({"$defs": {"a": {"$ref": "#/$defs/a"}}, "properties": {"p": {"$ref": "#/$defs/a"}}},
     "$ref", "/$defs/a/$ref"),
    # a longer loop: through allOf, a definition, not and anyOf back to the root
    ({"allOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"not": {"anyOf": [{"$ref": "#"}]}}}},
     "$ref", "/$defs/a/not/anyOf/0/$ref"),
    # the loop goes through an if whose own subschema loops (not the if keyword's children)
    ({"$defs": {"b": {"if": {"$ref": "#/$defs/b"}}}, "$ref": "#/$defs/b"},
     "$ref", "/$defs/b/if/$ref"),
    # through an anchor and an embedded resource
    ({"$defs": {"x": {"$id": "http://e/x", "$anchor": "top", "not": {"$ref": "#top"}}},
      "$ref": "http://e/x"}, "$ref", "/$defs/x/not/$ref"),
]  # fmt: skip


@pytest.mark.parametrize(("schema", "keyword", "path"), LOOPS)
def test_a_loop_that_never_moves_into_the_instance_is_refused(
    schema: dict[str, Any], keyword: str, path: str
) -> None:
    with pytest.raises(SchemaError) as refused:
        compile_schema(schema)
    assert refused.value.keyword == keyword
    assert refused.value.path == path
    assert "without moving into the instance" in str(refused.value)
    assert path in str(refused.value)


def test_the_refusal_names_every_keyword_of_the_loop() -> None:
    schema = {"allOf": [{"$ref": "#/$defs/a"}], "$defs": {"a": {"not": {"anyOf": [{"$ref": "#"}]}}}}
    with pytest.raises(SchemaError) as refused:
        lower(schema)
    message = str(refused.value)
    for step in ("'/allOf'", "'/allOf/0/$ref'", "'/$defs/a/not'", "'/$defs/a/not/anyOf'"):
        assert step in message


# Recursion that moves into the instance each time: legal, and evaluation ends.
RECURSIVE = [
    {"type": "object", "properties": {"next": {"$ref": "#"}}, "additionalProperties": False},
    {"type": ["array", "integer"], "items": {"$ref": "#"}},
    {"anyOf": [{"type": "null"}, {"type": "object", "properties": {"n": {"$ref": "#"}}}]},
    {"contains": {"$ref": "#"}, "type": ["array", "integer"]},
    {"propertyNames": {"$ref": "#"}, "maxLength": 3},
    {"prefixItems": [{"$ref": "#"}], "type": ["array", "string"]},
    {"$defs": {"t": {"not": {"additionalProperties": {"$ref": "#/$defs/t"}}}}, "$ref": "#/$defs/t"},
]
RECURSIVE_INSTANCES = [
    None, 1, "ab", "abcd", [], [1], [[1, ["x"]]], ["x"], {}, {"next": {}}, {"next": {"next": 3}},
    {"n": None}, {"n": {"n": 1}}, {"abcd": 1}, {"ab": {}}, {"a": {"b": {}}},
]  # fmt: skip


@pytest.mark.parametrize("schema", RECURSIVE, ids=lambda s: json.dumps(s)[:40])
def test_recursion_through_members_and_items_compiles_and_agrees(schema: dict[str, Any]) -> None:
    module = load_module(compile_schema(schema))
    oracle = Draft202012Validator(schema)
    for instance in RECURSIVE_INSTANCES:
        assert module.is_valid(instance) is oracle.is_valid(instance), instance


# --- identifiers given twice ---------------------------------------------------------------------

DUPLICATES = [
    # (schema, keyword, where the second one is, where the first one is)
    ({"$defs": {"x": {"$anchor": "a"}, "y": {"$anchor": "a"}}}, "$anchor", "/$defs/y", "/$defs/x"),
    ({"$anchor": "a", "properties": {"p": {"$anchor": "a"}}}, "$anchor", "/properties/p", "/"),
    ({"$defs": {"x": {"$id": "http://e/s"}, "y": {"$id": "http://e/s"}}}, "$id", "/$defs/y",
     "/$defs/x"),
    # relative ids that resolve to the same URI
    ({"$id": "http://e/root/", "$defs": {"x": {"$id": "a.json"}, "y": {"$id": "http://e/root/a.json"}}},
     "$id", "/$defs/y", "/$defs/x"),
    # an empty fragment names the same resource
    ({"$defs": {"x": {"$id": "http://e/x"}, "y": {"$id": "http://e/x#"}}}, "$id", "/$defs/y",
     "/$defs/x"),
    ({"$id": "http://e/root", "$defs": {"x": {"$id": "http://e/root"}}}, "$id", "/$defs/x", "/"),
    # the same anchor name in one embedded resource
    ({"$defs": {"r": {"$id": "http://e/r",
                      "$defs": {"x": {"$anchor": "a"}, "y": {"$anchor": "a"}}}}},
     "$anchor", "/$defs/r/$defs/y", "/$defs/r/$defs/x"),
]  # fmt: skip


@pytest.mark.parametrize(("schema", "keyword", "second", "first"), DUPLICATES)
def test_an_identifier_given_twice_is_refused_with_both_places(
    schema: dict[str, Any], keyword: str, second: str, first: str
) -> None:
    with pytest.raises(SchemaError) as refused:
        compile_schema(schema)
    assert refused.value.keyword == keyword
    assert refused.value.path == f"{second}/{keyword}"
    assert repr(first) in refused.value.reason


def test_the_last_anchor_no_longer_wins() -> None:
    schema = {
        "$ref": "#a",
        "$defs": {
            "x": {"$anchor": "a", "type": "string"},
            "y": {"$anchor": "a", "type": "integer"},
        },
    }
    with pytest.raises(SchemaError, match="also the \\$anchor of '/\\$defs/x'"):
        compile_schema(schema)


def test_one_name_in_two_resources_is_two_identifiers() -> None:
    schema = {
        "$defs": {
            "x": {"$id": "http://e/x", "$anchor": "a", "type": "string"},
            "y": {"$id": "http://e/y", "$anchor": "a", "type": "integer"},
        },
        "properties": {"s": {"$ref": "http://e/x#a"}, "i": {"$ref": "http://e/y#a"}},
    }
    module = load_module(compile_schema(schema))
    assert module.is_valid({"s": "t", "i": 1})
    assert not module.is_valid({"s": 1}) and not module.is_valid({"i": "t"})


# --- depth up to the loader's limit --------------------------------------------------------------


def json_depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else []
        )
        stack.extend((child, level + 1) for child in children)
    return deepest


LEAF: dict[str, Any] = {"type": "integer"}
# keyword -> how an instance of matching depth nests (None: the keyword applies in place)
MEMBER_KEYWORDS = {
    "properties", "patternProperties", "additionalProperties", "unevaluatedProperties",
}  # fmt: skip
ITEM_KEYWORDS = {"items", "prefixItems", "contains", "unevaluatedItems"}
# python-jsonschema takes exponential time on nested unevaluated*: their expectation comes from
# the construction (the leaf's type decides) instead.
BY_CONSTRUCTION = {"unevaluatedProperties", "unevaluatedItems"}


def nested(keyword: str, levels: int) -> Any:
    shape = keywords.KEYWORDS[keyword].subschemas
    schema: Any = LEAF
    for _ in range(levels):
        if shape == "one":
            schema = {keyword: schema}
        elif shape == "list":
            schema = {keyword: [schema]}
        else:
            schema = {keyword: {"a": schema}}
        if keyword == "then":
            schema = {"if": True, **schema}
    return schema


def deepest_levels(keyword: str) -> int:
    """The most levels of `keyword` whose schema is still within the loader's depth limit."""
    levels = MAX_DEPTH
    while json_depth(nested(keyword, levels)) > MAX_DEPTH:
        levels -= 1
    return levels


def deep_instances(keyword: str, levels: int) -> list[Any]:
    """Instances that reach the innermost subschema (valid and invalid leaves), and shallow ones."""
    found: list[Any] = []
    for leaf in (5, "x"):
        instance: Any = leaf
        for _ in range(levels):
            if keyword in MEMBER_KEYWORDS or keyword == "dependentSchemas":
                instance = {"a": instance}
            elif keyword in ITEM_KEYWORDS:
                instance = [instance]
        found.append(instance)
    return [*found, 5, "x", {}, []]


def on_a_large_stack(function: Callable[[], Any]) -> Any:
    """python-jsonschema recurses per level: give the oracle room (it is not under test)."""
    result: list[Any] = []
    old_limit, old_size = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(100_000)
    threading.stack_size(512 * 1024 * 1024)
    try:
        thread = threading.Thread(target=lambda: result.append(function()))
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    return result[0]


def expected_verdicts(keyword: str, schema: Any, instances: list[Any]) -> list[bool]:
    if keyword in BY_CONSTRUCTION:
        return [True, False, True, True, True, True]  # only the deep "x" leaf fails
    oracle = Draft202012Validator(schema)
    return on_a_large_stack(lambda: [oracle.is_valid(i) for i in instances])  # type: ignore[no-any-return]


NESTING_KEYWORDS = sorted(
    name
    for name, info in keywords.KEYWORDS.items()
    if info.subschemas != "none" and info.role == "applicator" and not name.startswith("x-")
    and name not in ("if", "else")  # `then` stands for the conditional family
)  # fmt: skip
# Generated code nests one block per level for these (`if "a" in x:`, `if cond:`): past
# emit_python.MAX_BLOCK_DEPTH the rest goes into a function of its own, so the module loads
# (Python refuses 100 nested blocks) and agrees with python-jsonschema at every depth.
BLOCK_PER_LEVEL = {"dependentSchemas", "then"}


@pytest.mark.parametrize("keyword", NESTING_KEYWORDS)
def test_nesting_to_the_depth_limit_lowers(keyword: str) -> None:
    levels = deepest_levels(keyword)
    schema_ir = lower(nested(keyword, levels))
    assert len(schema_ir.nodes) >= levels + 1


@pytest.mark.parametrize("keyword", NESTING_KEYWORDS)
def test_nesting_to_the_depth_limit_compiles_and_agrees(keyword: str) -> None:
    levels = deepest_levels(keyword)
    schema = nested(keyword, levels)
    module = load_module(compile_schema(schema))
    instances = deep_instances(keyword, levels)
    verdicts = [module.is_valid(instance) for instance in instances]
    assert verdicts == [not module.validate(instance) for instance in instances]
    assert verdicts == expected_verdicts(keyword, schema, instances)


def test_nested_not_keeps_its_parity() -> None:
    for levels in (129, 130, 254):
        module = load_module(compile_schema(nested("not", levels)))
        assert module.is_valid(5) is (levels % 2 == 0)
        assert module.is_valid("x") is (levels % 2 == 1)


def ref_chain(length: int) -> dict[str, Any]:
    definitions: dict[str, Any] = {f"d{i}": {"$ref": f"#/$defs/d{i + 1}"} for i in range(length)}
    definitions[f"d{length}"] = {"type": "integer", "maximum": 10}
    return {"$defs": definitions, "$ref": "#/$defs/d0"}


def test_block_nesting_past_the_bound_moves_into_functions() -> None:
    for keyword in sorted(BLOCK_PER_LEVEL):
        source = compile_schema(nested(keyword, deepest_levels(keyword)))
        deepest = max(len(line) - len(line.lstrip(" ")) for line in source.splitlines())
        # A level's own blocks (its guard, its `if`) and a broken condition come on top.
        assert deepest // 4 <= MAX_BLOCK_DEPTH + 8 < 100, keyword


# A bare `$ref` (a subschema holding nothing else) reports and evaluates as its target: the
# chain costs one call, not one per link, so validate() never meets Python's call depth.
@pytest.mark.parametrize("length", [400, 3000])
def test_a_long_ref_chain_compiles(length: int) -> None:
    module = load_module(compile_schema(ref_chain(length)))
    assert module.is_valid(5)
    assert [e.keyword for e in module.validate(11)] == ["maximum"]
    assert [e.schema_path for e in module.validate("x")] == [f"/$defs/d{length}/type"]


def busy_ref_chain(length: int) -> dict[str, Any]:
    """A chain whose links hold a keyword beside the `$ref`: one nested call per link."""
    definitions: dict[str, Any] = {
        f"d{i}": {"$ref": f"#/$defs/d{i + 1}", "minimum": -i} for i in range(length)
    }
    definitions[f"d{length}"] = {"type": "integer", "maximum": 10}
    return {"$defs": definitions, "$ref": "#/$defs/d0"}


def test_a_ref_chain_at_the_call_limit_runs() -> None:
    module = load_module(compile_schema(busy_ref_chain(MAX_REF_CHAIN)))
    assert module.is_valid(5) and not module.is_valid(11) and not module.is_valid(-1)
    assert [e.keyword for e in module.validate(11)] == ["maximum"]
    assert [e.schema_path for e in module.validate(-1)] == ["/$defs/d0/minimum"]


@pytest.mark.parametrize("length", [MAX_REF_CHAIN + 1, 3000])
def test_a_longer_ref_chain_is_refused_naming_the_limit_and_the_place(length: int) -> None:
    with pytest.raises(SchemaError) as refused:
        compile_schema(busy_ref_chain(length))
    assert refused.value.keyword == "$ref"
    assert refused.value.path == f"/$defs/d{length - MAX_REF_CHAIN - 1}/$ref"
    assert f"more than {MAX_REF_CHAIN} $refs" in str(refused.value)


def test_a_long_ref_chain_into_a_loop_is_refused() -> None:
    schema = ref_chain(600)
    schema["$defs"]["d600"] = {"$ref": "#/$defs/d0"}
    with pytest.raises(SchemaError, match="without moving into the instance"):
        lower(schema)


# --- the same through `genspec compile` ----------------------------------------------------------

CLI_CASES = {
    "not-130": nested("not", 130),
    "not-254": nested("not", 254),
    "properties-100": nested("properties", 100),
    "properties-127": nested("properties", 127),
    "allOf-127": nested("allOf", 127),
    "ref-chain-400": ref_chain(400),
    "ref-chain-3000": ref_chain(3000),
    "busy-ref-chain-3000": busy_ref_chain(3000),
    "dependentSchemas-127": nested("dependentSchemas", 127),
    "loop-through-not": {"not": {"$ref": "#"}},
    "duplicate-anchor": {"$defs": {"x": {"$anchor": "a"}, "y": {"$anchor": "a"}}},
}


@pytest.mark.parametrize("name", sorted(CLI_CASES))
def test_genspec_compile_never_prints_a_traceback(name: str, tmp_path: Path) -> None:
    schema_file = tmp_path / f"{name}.json"
    schema_file.write_text(json.dumps(CLI_CASES[name]), encoding="utf-8")
    output = tmp_path / "out.py"
    done = subprocess.run(
        [sys.executable, "-m", "genspec", "compile", str(schema_file), "-o", str(output)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr
    if done.returncode == 1:
        assert not output.exists()
        assert done.stderr.startswith("genspec compile: error: ")
        assert done.stderr.count("\n") == 1, done.stderr
        return
    assert done.returncode == 0, done.stderr
    module = load_module(output.read_text(encoding="utf-8"))
    assert isinstance(module.is_valid(5), bool)
    assert module.validate(5) == [] or not module.is_valid(5)


def test_refusals_reach_the_command_line(tmp_path: Path) -> None:
    for name in ("loop-through-not", "duplicate-anchor"):
        schema_file = tmp_path / f"{name}.json"
        schema_file.write_text(json.dumps(CLI_CASES[name]), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-m", "genspec", "compile", str(schema_file), "-o", "out.py"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        assert "schema path" in done.stderr and "Traceback" not in done.stderr
