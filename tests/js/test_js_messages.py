"""The JS findings are the Python target's, field by field, message text included.

For the same schema and the same JSON value, JS `validate(x)` and the compiled Python
`validate(x)` list the same findings in the same order: instancePath, schemaPath, keyword,
ruleId, severity, message and property; JS `errors(x)` and `validate(x, {advice: false})` are
that list without the advice, as Python's `validate(x, advice=False)`. Checked
on the spec's examples, on drawn bodies and mutations (all through one node process), and on
every group of the JSON-Schema-Test-Suite both targets compile.

"The same JSON value": JSON.parse cannot tell 1.0 from 1, nor keep an integer beyond 2**53, so
each instance is first put in the form JS holds it (`as_js_sees_it`), for both targets alike.
"""

from __future__ import annotations

import importlib.util
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genspec.compiler import compile_schema, load_module
from genspec.ir import SchemaError


def _sibling(name: str) -> Any:
    """A test module of this folder, for the inputs it already defines (one place each)."""
    spec = importlib.util.spec_from_file_location(
        f"genspec_{name}", Path(__file__).with_name(f"{name}.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_equal, _conformance = _sibling("test_js_equal"), _sibling("test_js_conformance")
EXAMPLES, JSON_VALUES, SCHEMA = _equal.EXAMPLES, _equal.JSON_VALUES, _equal.SCHEMA
STRATEGIES, GROUPS, remotes = _equal.STRATEGIES, _conformance.GROUPS, _conformance.remotes

Row = tuple[str, str, str, Any, str, Any, str]


def as_js_sees_it(value: Any) -> Any:
    """`value` as JSON.parse would hold it: integral numbers below 1e21 are integers (JS prints
    them so), other numbers floats; an integer beyond 2**53 is the double JS rounds it to."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        number = float(value) if isinstance(value, int) and abs(value) > 2**53 else value
        if isinstance(number, float) and number.is_integer() and abs(number) < 1e21:
            return int(number)
        return number
    if isinstance(value, list):
        return [as_js_sees_it(item) for item in value]
    return {key: as_js_sees_it(item) for key, item in value.items()}


def python_rows(module: Any, instance: Any, advice: bool = True) -> list[Row]:
    return [
        (
            e.instance_path,
            e.severity,
            e.rule_id,
            e.schema_path,
            e.keyword,
            e.property,
            e.message,
        )
        for e in module.validate(instance, advice=advice)
    ]


def assert_same_messages(node_validators: Any, js_module: Path, py_module: Any, value: Any) -> None:
    instance = as_js_sees_it(value)
    reply = node_validators.run(js_module, instance)
    ours = [tuple(row) for row in reply["findings"]]
    theirs = python_rows(py_module, instance)
    assert ours == theirs, (instance, ours, theirs)
    errors = [r for r in theirs if r[1] == "error"]
    assert [tuple(row) for row in reply["errors"]] == errors
    assert [tuple(row) for row in reply["withoutAdvice"]] == errors
    assert errors == python_rows(py_module, instance, advice=False)


@pytest.fixture(scope="module")
def modules(node_validators: Any) -> tuple[Path, Any]:
    js = Path(node_validators.compile(SCHEMA))
    return js, load_module(compile_schema(SCHEMA), "genspec_messages_request")


@pytest.mark.parametrize("path", EXAMPLES, ids=[f"{p.parent.name}/{p.stem}" for p in EXAMPLES])
def test_spec_examples_give_the_python_findings(
    path: Path, node_validators: Any, modules: tuple[Path, Any]
) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    assert_same_messages(node_validators, *modules, body)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_drawn_bodies_and_mutations_give_the_python_findings(
    node_validators: Any, modules: tuple[Path, Any], data: st.DataObject
) -> None:
    body = data.draw(STRATEGIES.valid_requests())
    assert_same_messages(node_validators, *modules, body)
    mutated = dict(body)
    for _ in range(data.draw(st.integers(1, 3))):
        names = sorted({*mutated, *SCHEMA["properties"], "unknown", "__proto__", 'it\'s "x"'})
        name = data.draw(st.sampled_from(names))
        if data.draw(st.booleans()) and name in mutated:
            del mutated[name]
        else:
            mutated[name] = data.draw(JSON_VALUES | TRICKY)
    assert_same_messages(node_validators, *modules, mutated)


# Text that message formatting must render alike: quotes, escapes, controls, non-ASCII, emoji,
# keys Python's repr quotes differently, long values cut at 80 code points.
TRICKY = st.text(
    st.sampled_from(["a", "'", '"', "\\", "\n", "\t", "\x00", "\x7f", "\x85", "é", "\u2028", "😀"]),
    max_size=90,
) | st.floats(min_value=-1e-3, max_value=1e-3)  # tiny numbers: Python and JS write exponents apart


@given(JSON_VALUES | TRICKY)
def test_arbitrary_values_give_the_python_findings(
    node_validators: Any, modules: tuple[Path, Any], value: Any
) -> None:
    assert_same_messages(node_validators, *modules, value)
    key = value if isinstance(value, str) else "k"
    assert_same_messages(node_validators, *modules, {"prompt": "a cat", "width": value, key: value})


@cache
def _python_module(index: int) -> Any:
    schema = GROUPS[index][1]["schema"]
    return load_module(compile_schema(schema, resources=remotes()), f"genspec_group_{index}")


@pytest.mark.parametrize("index", range(len(GROUPS)), ids=[name for name, _ in GROUPS])
def test_suite_groups_give_the_python_findings(index: int, node_validators: Any) -> None:
    group = GROUPS[index][1]
    try:
        js_module = node_validators.compile(group["schema"], resources=remotes())
        py_module = _python_module(index)
    except SchemaError as exc:
        pytest.skip(f"refused by a target: {exc}")
    oracle = _conformance.oracle(group["schema"])
    for case in group["tests"]:
        instance = as_js_sees_it(case["data"])
        theirs = {_conformance.pointer(e.absolute_path) for e in oracle.iter_errors(instance)}
        if {e.instance_path for e in py_module.validate(instance)} != theirs:
            # The Python target places these apart from python-jsonschema (a `false` member
            # schema at the member, `items: false` at each extra item); JS follows
            # python-jsonschema there, which test_js_conformance checks.
            continue
        assert_same_messages(node_validators, js_module, py_module, instance)


# `false` subschemas under every keyword that applies one, and `$ref`s to one: where each
# finding goes (instance path and schema path) is the part the targets most easily place apart.
FALSE_PLACES = [
    ({"$ref": "#/$defs/no", "$defs": {"no": False}}, 1),
    ({"properties": {"a": {"$ref": "#/$defs/no"}}, "$defs": {"no": False}}, {"a": 1}),
    ({"properties": {"a": False}, "patternProperties": {"^b": False}}, {"a": 1, "bc": 2}),
    ({"prefixItems": [True, False], "items": False}, [1, 2, 3]),
    ({"items": {"$ref": "#/$defs/no"}, "$defs": {"no": False}}, [1]),
    ({"if": {"type": "integer"}, "then": False, "else": False}, 1),
    ({"allOf": [True, False], "dependentSchemas": {"a": False}}, {"a": 1}),
    ({"propertyNames": False, "additionalProperties": False}, {"a": 1}),
]


@pytest.mark.parametrize(("schema", "instance"), FALSE_PLACES)
def test_false_subschemas_are_placed_as_the_python_target_places_them(
    node_validators: Any, schema: Any, instance: Any
) -> None:
    js_module = node_validators.compile(schema)
    py_module = load_module(compile_schema(schema), "genspec_false_places")
    assert python_rows(py_module, instance)  # each case does fail
    assert_same_messages(node_validators, js_module, py_module, instance)
