"""The compiler as a user of `genspec compile` relies on it: refusals, JSON semantics, safety."""

from __future__ import annotations

import ast
import difflib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from genspec.compiler import SchemaError, compile_schema, load_module
from genspec.pointer import from_parts

HOSTILE_STRINGS = [
    "'",
    '"',
    "'''",
    '"""',
    "\\",
    "\\'",
    "a\nb",
    "a\r\nb",
    "\u2028",
    "\u2029",
    "\x00",
    "\x0c",
    "\x85",
    "{}",
    "{0}",
    "{__import__('os')}",
    "#",
    "import os",
    "class",
    "lambda",
    "None",
    "__class__",
    "x",
    "path",
    "out",
    "~1/",
    "é🎉",
    "'); __import__('os').system('touch /tmp/genspec-pwned'); ('",
    '"""; raise SystemExit(3); """',
]


def pointer(path: Any) -> str:
    return from_parts(path)


def genspec(*args: str | Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "genspec", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def compiled(schema: Any) -> Any:
    return load_module(compile_schema(schema))


# ---- refusals: never silently ignore ----------------------------------------------------------


@pytest.mark.parametrize(
    ("schema", "keyword", "path"),
    [
        ({"properties": {"a": {"maxLenght": 3}}}, "maxLenght", "/properties/a/maxLenght"),
        ({"$defs": {"x": {"$dynamicAnchor": "n"}}}, "$dynamicAnchor", "/$defs/x/$dynamicAnchor"),
        ({"items": {"$dynamicRef": "#n"}}, "$dynamicRef", "/items/$dynamicRef"),
        ({"$vocabulary": {}}, "$vocabulary", "/$vocabulary"),
        ({"$ref": "https://example.com/other.json"}, "$ref", "/$ref"),
        ({"allOf": [{"$ref": "#/$defs/missing"}]}, "$ref", "/allOf/0/$ref"),
        ({"pattern": "\\p{L}"}, "pattern", "/pattern"),
        ({"$schema": "http://json-schema.org/draft-07/schema#"}, "$schema", "/$schema"),
        ({"x-rule": {"id": "r", "severity": "fatal", "message": "m"}}, "x-rule", "/x-rule"),
        (
            {"$defs": {"a": {"anyOf": [{"$ref": "#"}]}}, "allOf": [{"$ref": "#/$defs/a"}]},
            "$ref",
            "/$defs/a/anyOf/0/$ref",
        ),
    ],
)
def test_unsupported_keywords_are_refused_with_keyword_and_path(
    schema: dict[str, Any], keyword: str, path: str
) -> None:
    with pytest.raises(SchemaError) as raised:
        compile_schema(schema)
    assert raised.value.keyword == keyword
    assert raised.value.path == path
    assert keyword in str(raised.value) and path in str(raised.value)


def test_invalid_schema_fails_the_meta_schema_check() -> None:
    with pytest.raises(SchemaError, match="not a valid draft 2020-12 schema"):
        compile_schema({"type": "integr"})


def test_annotations_and_x_keywords_are_accepted() -> None:
    schema = {
        "title": "t",
        "description": "d",
        "x-anything": {"nested": 1},
        "format": "uuid",
        "deprecated": True,
        "examples": [1],
        "$comment": "c",
        "type": "string",
    }
    module = compiled(schema)
    assert module.is_valid("not a uuid")  # format is an annotation in 2020-12
    assert not module.is_valid(1)


# ---- JSON semantics, not Python semantics -----------------------------------------------------


def test_booleans_are_not_numbers_and_integral_floats_are_integers() -> None:
    integer = compiled({"type": "integer"})
    assert not integer.is_valid(True)
    assert integer.is_valid(1.0)
    assert not integer.is_valid(1.5)
    assert integer.is_valid(10**40)
    number = compiled({"type": "number", "maximum": 10**30})
    assert not number.is_valid(False)
    assert number.is_valid(10**30) and not number.is_valid(10**30 + 1)


@pytest.mark.parametrize(
    ("schema", "valid", "invalid"),
    [
        ({"enum": [1]}, [1, 1.0], [True, "1"]),
        ({"enum": [True]}, [True], [1, 1.0]),
        ({"const": 0}, [0, 0.0], [False, None]),
        ({"const": [1, {"a": 1}]}, [[1.0, {"a": 1.0}]], [[True, {"a": 1}]]),
        ({"enum": [[False]]}, [[False]], [[0]]),
        ({"uniqueItems": True}, [[1, True], [0, False], [{"a": 1}, {"a": True}]], [[1, 1.0]]),
    ],
)
def test_json_equality(schema: dict[str, Any], valid: list[Any], invalid: list[Any]) -> None:
    module = compiled(schema)
    for instance in valid:
        assert module.is_valid(instance), instance
    for instance in invalid:
        assert not module.is_valid(instance), instance


def test_float_multiple_of_has_no_false_negatives() -> None:
    tenth = compiled({"multipleOf": 0.1})
    assert tenth.is_valid(0.3)  # 0.3 / 0.1 == 2.9999999999999996 in floats
    assert tenth.is_valid(12.7)
    assert not tenth.is_valid(0.35)
    assert compiled({"multipleOf": 0.01}).is_valid(19.99)
    assert not compiled({"multipleOf": 0.123456789}).is_valid(1e308)


def test_string_lengths_count_code_points() -> None:
    module = compiled({"minLength": 2, "maxLength": 2})
    assert module.is_valid("🎉🎉")  # two code points, four UTF-16 units
    assert not module.is_valid("🎉")


# ---- errors are data --------------------------------------------------------------------------


def test_errors_carry_pointer_schema_path_keyword_rule_and_severity() -> None:
    schema = {
        "type": "object",
        "properties": {"a/b": {"type": "integer", "maximum": 3}, "n": {"type": "integer"}},
        "required": ["n"],
        "additionalProperties": False,
        "x-advice": [
            {
                "x-rule": {
                    "id": "n-with-a",
                    "severity": "warning",
                    "message": "keep n small",
                },
                "if": {"required": ["a/b"]},
                "then": {"properties": {"n": {"maximum": 1}}},
            }
        ],
    }
    module = compiled(schema)
    errors = module.validate({"a/b": 4, "n": 2, "zz": 0})
    found = {(e.instance_path, e.schema_path, e.keyword, e.rule_id, e.severity) for e in errors}
    assert found == {
        ("/a~1b", "/properties/a~1b/maximum", "maximum", None, "error"),
        ("", "/additionalProperties", "additionalProperties", None, "error"),
        ("/n", "/x-advice/0/then/properties/n/maximum", "maximum", "n-with-a", "warning"),
    }
    assert [e.severity for e in errors] == ["error", "error", "warning"]  # errors, then advice
    rule_error = next(e for e in errors if e.rule_id)
    assert rule_error.message == "keep n small"
    assert next(e for e in errors if e.keyword == "additionalProperties").property == "zz"
    assert module.RULES["n-with-a"]["severity"] == "warning"


def test_is_valid_agrees_with_validate_and_jsonschema_on_a_mixed_schema() -> None:
    schema = {
        "$defs": {
            "node": {
                "type": "object",
                "properties": {"next": {"$ref": "#/$defs/node"}},
                "unevaluatedProperties": False,
            }
        },
        "anyOf": [
            {"$ref": "#/$defs/node"},
            {"type": "array", "prefixItems": [{"const": 1}], "items": False},
        ],
    }
    module = compiled(schema)
    oracle = jsonschema.Draft202012Validator(schema)
    instances: list[Any] = [
        {},
        {"next": {"next": {}}},
        {"next": {"x": 1}},
        [1],
        [1, 2],
        [2],
        "s",
        None,
    ]
    for instance in instances:
        assert module.is_valid(instance) is oracle.is_valid(instance), instance
        assert (module.validate(instance) == []) is module.is_valid(instance), instance


# ---- safety by construction -------------------------------------------------------------------


def hostile_schema() -> dict[str, Any]:
    return {
        "title": HOSTILE_STRINGS[-2],
        "description": HOSTILE_STRINGS[-1],
        "type": "object",
        "properties": {s: {"const": s, "description": s, "title": s} for s in HOSTILE_STRINGS},
        "patternProperties": {
            "^" + json.dumps(s)[1:-1].replace("\\", "\\\\") + "$": True for s in HOSTILE_STRINGS[:3]
        },
        "propertyNames": {"not": {"enum": ["forbidden"]}},
        "additionalProperties": {"enum": HOSTILE_STRINGS},
        "$defs": {s: {"pattern": "^" + "[']" + "$"} for s in HOSTILE_STRINGS},
        "allOf": [
            {
                "x-rule": {"id": s, "severity": "error", "message": s, "source": s},
                "if": {"required": [s]},
                "then": {"dependentRequired": {s: [s, HOSTILE_STRINGS[0]]}},
            }
            for s in HOSTILE_STRINGS[5:9]
        ],
    }


@pytest.mark.parametrize("native", [False, True], ids=["python", "native"])
def test_hostile_schema_compiles_to_code_that_only_holds_literals(
    tmp_path: Path, native: bool
) -> None:
    source = compile_schema(hostile_schema(), native=native)
    tree = ast.parse(source)
    imports = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imports <= {
        "__future__",
        "annotations",
        "json",
        "re",
        "dataclasses",
        "dataclass",
        "fractions",
        "Fraction",
        "typing",
        "Any",
        "Final",
        "sys",
        "warnings",
        "collections.abc",
        "Callable",
    }
    # Every name the code uses is one the generator makes or a builtin it relies on.
    generated = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    allowed_builtins = {
        "Any",
        "Error",
        "True",
        "False",
        "None",
        "isinstance",
        "type",
        "int",
        "float",
        "str",
        "dict",
        "list",
        "len",
        "set",
        "frozenset",
        "range",
        "sum",
        "any",
        "all",
        "zip",
        "min",
        "enumerate",
        "repr",
        "json",
        "re",
        "Fraction",
        "bool",
        "tuple",
        "ValueError",
        "TypeError",
        "OverflowError",
        "dataclass",
        "x",
        "path",
        "out",
        "ev",
        "value",
        "instance",
        "advice",
        "rule",
        "rule_id",
        "severity",
        "message",
        "prop",
        "part",
        "text",
        "a",
        "b",
        "p",
        "q",
        "k",
        "v",
        "item",
        "option",
        "options",
        "results",
        "items",
        "schema_path",
        "keyword",
        "number",
        "divisor",
        "RULES",
        "instance_path",
        "property",
        "Callable",
        "DeprecationWarning",
        "RecursionError",
        "Final",
        "sys",
        "depth",
        "warnings",
        "report",
        "found",
        "error",
    }
    assert {n for n in generated if not n.startswith("_")} <= allowed_builtins
    # Running it injects nothing and behaves as the schema says.
    marker = Path("/tmp/genspec-pwned")
    marker.unlink(missing_ok=True)
    module = load_module(source)
    for value in HOSTILE_STRINGS:
        # "'" is present because the x-rules make some names depend on it.
        assert module.is_valid({value: value, "'": "'"}), value
        assert not module.is_valid({"'": "'", value: value + "!"}), value
    assert not module.is_valid({"forbidden": "'"})
    assert module.is_valid({"unlisted": "{0}"}) and not module.is_valid({"unlisted": 1})
    assert not marker.exists()


def test_hostile_schema_agrees_with_jsonschema() -> None:
    schema = hostile_schema()
    module = compiled(schema)
    oracle = jsonschema.Draft202012Validator(schema)
    for value in HOSTILE_STRINGS:
        for instance in ({value: value}, {value: 0}, {"k": value}, {value: value, "'": "'"}):
            assert module.is_valid(instance) is oracle.is_valid(instance), instance
            ours = {e.instance_path for e in module.validate(instance)}
            theirs = {pointer(e.absolute_path) for e in oracle.iter_errors(instance)}
            assert ours == theirs, instance


def test_compile_command_writes_a_formatted_standalone_module(tmp_path: Path) -> None:
    schema_file = tmp_path / "hostile.json"
    schema_file.write_text(json.dumps(hostile_schema()), encoding="utf-8")
    out = tmp_path / "out" / "check_hostile.py"
    done = genspec("compile", str(schema_file), "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Generated by genspec from hostile.json: do not edit.")
    # Standalone: runs in a fresh interpreter that cannot import genspec.
    probe = (
        "import sys; sys.modules['genspec'] = None; import check_hostile as m; "
        "print(m.is_valid({'class': 'class'}), m.is_valid({'class': 1}))"
    )
    command = [sys.executable, "-I", "-c", "import sys; sys.path.insert(0, '.'); " + probe]
    run = subprocess.run(command, cwd=out.parent, capture_output=True, text=True, check=False)
    assert run.stdout.split() == ["True", "False"], run.stderr


def test_compile_command_reports_refusals_without_traceback(tmp_path: Path) -> None:
    schema_file = tmp_path / "bad.json"
    schema_file.write_text('{"properties": {"a": {"minimun": 1}}}', encoding="utf-8")
    done = genspec("compile", schema_file, "-o", tmp_path / "o.py")
    assert done.returncode == 1
    assert "'minimun'" in done.stderr and "/properties/a/minimun" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o.py").exists()
    malformed = tmp_path / "malformed.json"
    malformed.write_text('{"type": "object",\n "properties": {,}}', encoding="utf-8")
    done = genspec("compile", malformed, "-o", tmp_path / "o.py")
    assert done.returncode == 2 and ":2:" in done.stderr and "Traceback" not in done.stderr


ADVISED_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"n": {"type": "integer"}, "style": {"type": "string"}},
    "allOf": [
        {
            "x-rule": {"id": "n-limit", "severity": "error", "message": "n <= 3"},
            "properties": {"n": {"maximum": 3}},
        },
    ],
    "x-advice": [
        {
            "x-rule": {"id": "style-advice", "severity": "warning", "message": "use A"},
            "if": {"required": ["style"]},
            "then": {"properties": {"style": {"const": "A"}}},
        },
        {
            "x-rule": {"id": "n-advice", "severity": "warning", "message": "prefer n <= 1"},
            "$ref": "#/$defs/small",
        },
    ],
    "$defs": {"small": {"properties": {"n": {"maximum": 1}}}},
}


def test_advice_never_decides_validity_and_comes_after_the_errors() -> None:
    module = compiled(ADVISED_SCHEMA)
    oracle = jsonschema.Draft202012Validator(ADVISED_SCHEMA)  # x-advice is an annotation to it
    for instance, valid, warned in [
        ({"n": 1, "style": "A"}, True, set()),
        ({"n": 1, "style": "B"}, True, {"style-advice"}),
        ({"n": 2, "style": "A"}, True, {"n-advice"}),
        ({"n": 4, "style": "B"}, False, {"style-advice", "n-advice"}),
        ({"n": "x"}, False, set()),
        ("not an object", False, set()),
    ]:
        findings = module.validate(instance)
        severities = [e.severity for e in findings]
        assert module.is_valid(instance) is valid is oracle.is_valid(instance), instance
        assert module.is_valid(instance) is not any(s == "error" for s in severities), instance
        assert severities == sorted(severities), instance  # every error before any warning
        warnings = [e for e in findings if e.severity == "warning"]
        assert {e.rule_id for e in warnings} == warned, instance
        for warning in warnings:  # a finding reached through $ref still speaks as its rule
            assert warning.message == module.RULES[warning.rule_id]["message"], instance
        assert [e.schema_path for e in warnings if e.rule_id == "n-advice"] in (
            [],
            ["/$defs/small/properties/n/maximum"],
        )


def test_is_accepted_is_a_deprecated_alias_of_is_valid() -> None:
    module = compiled(ADVISED_SCHEMA)
    for instance in ({"n": 1, "style": "B"}, {"n": 4}):
        with pytest.warns(DeprecationWarning, match="is_valid"):
            assert module.is_accepted(instance) is module.is_valid(instance)


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        # a warning rule among the constraints
        ({"allOf": [{"x-rule": {"id": "w", "severity": "warning", "message": "m"}}]}, "/allOf/0"),
        (
            {"$defs": {"d": {"x-rule": {"id": "w", "severity": "warning", "message": "m"}}}},
            "/$defs/d",
        ),
        # an error rule inside x-advice could never reject anything
        (
            {"x-advice": [{"x-rule": {"id": "e", "severity": "error", "message": "m"}}]},
            "/x-advice/0",
        ),
    ],
)
def test_rules_of_the_wrong_severity_for_their_place_are_refused(schema: Any, path: str) -> None:
    with pytest.raises(SchemaError) as refused:
        compile_schema(schema)
    assert refused.value.keyword == "x-rule" and refused.value.path == path + "/x-rule"


ADVICE_RULE = {"id": "w", "severity": "warning", "message": "m"}


@pytest.mark.parametrize(
    ("schema", "path"),
    [
        ({"properties": {"a": {"x-advice": [{"x-rule": ADVICE_RULE}]}}}, "/properties/a/x-advice"),
        ({"x-advice": {"x-rule": ADVICE_RULE}}, "/x-advice"),
        ({"x-advice": [{"minimum": 1}]}, "/x-advice/0"),
        ({"x-advice": [True]}, "/x-advice/0"),
    ],
)
def test_misplaced_or_malformed_advice_is_refused(schema: Any, path: str) -> None:
    with pytest.raises(SchemaError) as refused:
        compile_schema(schema)
    assert refused.value.keyword == "x-advice" and refused.value.path == path


def test_constraints_cannot_borrow_an_advice_entry_through_ref() -> None:
    schema = {"$ref": "#/x-advice/0", "x-advice": [{"x-rule": ADVICE_RULE, "minimum": 1}]}
    with pytest.raises(SchemaError) as refused:
        compile_schema(schema)
    assert refused.value.keyword == "x-rule" and refused.value.path == "/x-advice/0"


# ---- generated code a reviewer can diff -------------------------------------------------------


def _compiled_lines(schema: Any) -> list[str]:
    return compile_schema(schema).splitlines()  # final as written: no formatter runs


def test_one_optional_property_changes_few_lines_of_the_request_validator() -> None:
    from genspec.spec import load_schema

    spec = load_schema()
    members = list(spec["properties"].items())
    members.insert(len(members) // 2, ("quality", {"type": "string", "enum": ["LOW", "HIGH"]}))
    edited = {**spec, "properties": dict(members)}
    before, after = _compiled_lines(spec), _compiled_lines(edited)
    changed = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert any("quality" in line for line in changed)  # the edit shows
    assert len(changed) <= 60, "\n".join(changed)
    assert not any(line.startswith("-") for line in changed if line.strip("- ")), changed


# ---- numbers as JSON writes them ---------------------------------------------------------------


@pytest.mark.parametrize("divisor", [1000, 1000.0, 1e3])
def test_multiple_of_is_exact_however_the_numbers_are_written(divisor: float) -> None:
    module = compiled({"multipleOf": divisor})
    for multiple in (1e23, 10**23, 100000000000000000000000.0, 3000, 3e3, -2e50, 0, 0.0):
        assert module.is_valid(multiple), (divisor, multiple)
        assert module.validate(multiple) == [], (divisor, multiple)
    for other in (1.2345e5, 1e2, 10**23 + 1, 1500.5, 1.5e3, 999):
        assert not module.is_valid(other), (divisor, other)
        assert [e.keyword for e in module.validate(other)] == ["multipleOf"], (divisor, other)
    assert module.is_valid(True) and module.is_valid("s")  # other kinds pass


def test_multiple_of_agrees_with_jsonschema_where_floats_are_exact() -> None:
    # Below 2**53 every float is the decimal it prints as, so float arithmetic is right there.
    for divisor in (1, 3, 8, 0.5, 2.5):
        oracle = jsonschema.Draft202012Validator({"multipleOf": divisor})
        module = compiled({"multipleOf": divisor})
        for value in (0, 7, 8, 24, 2.5, 7.5, 16.0, -40, 2**52, 2.0**52 + 2):
            assert module.is_valid(value) is oracle.is_valid(value), (divisor, value)


# ---- deep schemas -----------------------------------------------------------------------------


def _nested(keyword: str, depth: int, leaf: dict[str, Any]) -> dict[str, Any]:
    schema = leaf
    for _ in range(depth):
        schema = {"not": schema} if keyword == "not" else {"properties": {"a": schema}}
    return schema


@pytest.mark.parametrize(
    ("schema", "instance", "valid"),
    [
        (_nested("not", 130, {"type": "string"}), "s", True),  # an even number of nots
        (_nested("not", 130, {"type": "string"}), 5, False),
        (_nested("not", 131, {"type": "string"}), 5, True),
        (
            _nested("properties", 100, {"type": "string"}),
            json.loads('{"a":' * 100 + "5" + "}" * 100),
            False,
        ),
        (
            _nested("properties", 100, {"type": "string"}),
            json.loads('{"a":' * 100 + '"s"' + "}" * 100),
            True,
        ),
    ],
)
def test_deep_schemas_compile_and_run_with_default_limits(
    tmp_path: Path, schema: Any, instance: Any, valid: bool
) -> None:
    assert jsonschema.Draft202012Validator(schema).is_valid(instance) is valid
    (tmp_path / "deep_check.py").write_text(compile_schema(schema), encoding="utf-8")
    (tmp_path / "instance.json").write_text(json.dumps(instance), encoding="utf-8")
    probe = (  # a fresh interpreter: Python's own compiler and run time at their default limits
        "import json, sys; sys.path.insert(0, '.'); import deep_check as m; "
        "x = json.load(open('instance.json')); print(m.is_valid(x), m.validate(x) == [])"
    )
    run = subprocess.run(
        [sys.executable, "-I", "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.stdout.split() == [str(valid), str(valid)], run.stderr


def test_a_schema_nested_beyond_the_limit_is_refused_cleanly() -> None:
    with pytest.raises(SchemaError) as refused:
        compile_schema(_nested("not", 600, {}))
    assert "nests deeper than 512 levels" in str(refused.value)
    assert refused.value.path.startswith("/not/not/not")


# ---- unevaluated* placed as python-jsonschema places it ---------------------------------------

UNEVALUATED_CASES: list[tuple[dict[str, Any], Any]] = [
    ({"properties": {"a": {"type": "string"}}, "unevaluatedProperties": False}, {"a": 1, "b": 2}),
    # the allOf member that would evaluate `a` fails: `a` is unevaluated too
    (
        {"allOf": [{"properties": {"a": {"type": "string"}}}], "unevaluatedProperties": False},
        {"a": 1},
    ),
    (
        {
            "allOf": [{"properties": {"a": {"type": "string"}}, "required": ["c"]}],
            "unevaluatedProperties": False,
        },
        {"a": "s"},
    ),
    (
        {
            "anyOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"b": True}}],
            "unevaluatedProperties": False,
        },
        {"a": 1, "b": 1},
    ),
    (
        {
            "$ref": "#/$defs/d",
            "$defs": {"d": {"properties": {"a": {"type": "string"}}}},
            "unevaluatedProperties": False,
        },
        {"a": 1},
    ),
    (
        {
            "allOf": [{"additionalProperties": {"type": "string"}}],
            "unevaluatedProperties": False,
        },
        {"a": 1, "b": "s"},
    ),
    ({"allOf": [{"prefixItems": [{"type": "string"}]}], "unevaluatedItems": False}, [1]),
    ({"allOf": [{"items": {"type": "string"}}], "unevaluatedItems": False}, [1, "a"]),
    ({"allOf": [{"contains": {"type": "string"}}], "unevaluatedItems": False}, [1, 2]),
    (
        {
            "$ref": "#/$defs/inner",
            "$defs": {"inner": {"unevaluatedProperties": {"type": "string"}}},
            "unevaluatedProperties": False,
        },
        {"a": 1, "b": "s"},
    ),
]


@pytest.mark.parametrize(("schema", "instance"), UNEVALUATED_CASES)
def test_unevaluated_errors_are_placed_where_jsonschema_places_them(
    schema: dict[str, Any], instance: Any
) -> None:
    oracle = jsonschema.Draft202012Validator(schema)
    theirs = {(pointer(e.absolute_path), str(e.validator)) for e in oracle.iter_errors(instance)}
    ours = {(e.instance_path, e.keyword) for e in compiled(schema).validate(instance)}
    assert ours == theirs


def test_loop_names_come_from_nesting_not_from_earlier_checks() -> None:
    # A members loop added before the propertyNames loop of the same function renames nothing
    # there (a per-function counter would turn its `_key1` into `_key5`).
    base = {"type": "object", "propertyNames": {"maxLength": 3}}
    grown = {
        **base,
        "patternProperties": {"^a": {"type": "string"}},
        "additionalProperties": {"type": "integer"},
    }

    def fast_root(schema: Any) -> list[str]:
        source = compile_schema(schema)
        start = source.index("def _v_root")
        return source[start : source.index("\n\n\n", start)].splitlines()

    before, after = fast_root(base), fast_root(grown)
    names_loop = [line for line in before if "for " in line]
    assert names_loop and all(line in after for line in names_loop), after
    assert len([line for line in after if "for " in line]) == 2
