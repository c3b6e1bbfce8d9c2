"""The JS request validator equals python-jsonschema: spec examples, hostile schemas, drawn bodies.

Every instance goes through one node process (conftest's bridge). For each, the JS verdict
(`validate(x) == []`) is python-jsonschema's, the instance paths of the JS findings are exactly
the paths python-jsonschema reports, and `isValid(x)` is "no error-severity finding".
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from genspec.compiler_js import lower_with_advice
from genspec.pointer import from_parts
from genspec.spec import load_schema, spec_dir
from genspec.strategies import strategy_for

# The property tests' oracle helper (python-jsonschema only): draws are kept or dropped by it.
_oracle_spec = importlib.util.spec_from_file_location(
    "genspec_tests_oracle", Path(__file__).parents[1] / "properties" / "oracle.py"
)
assert _oracle_spec is not None and _oracle_spec.loader is not None
_oracle = importlib.util.module_from_spec(_oracle_spec)
_oracle_spec.loader.exec_module(_oracle)

REPO = Path(__file__).resolve().parents[2]
SCHEMA = load_schema()
NEAR_MISS_ORACLE = _oracle.Oracle(SCHEMA)
ORACLE = Draft202012Validator(SCHEMA)
STRATEGIES = strategy_for(SCHEMA).strategies
RULES = {rule.id: str(rule.severity) for rule in lower_with_advice(SCHEMA)[0].rules.values()}
EXAMPLES = sorted((spec_dir() / "examples").glob("*/*.json"))


def _compiler_tests() -> Any:
    """tests/emit/test_compiler.py, for its hostile schema (one definition for both targets)."""
    path = REPO / "tests" / "emit" / "test_compiler.py"
    spec = importlib.util.spec_from_file_location("genspec_compiler_tests", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


COMPILER_TESTS = _compiler_tests()


@pytest.fixture(scope="module")
def request_module(node_validators: Any) -> Path:
    return Path(node_validators.compile(SCHEMA))


def assert_same_findings(node_validators: Any, module: Path, oracle: Any, instance: Any) -> None:
    """Constraint findings are python-jsonschema's errors on the schema (which ignores
    x-advice); each advice's warnings are its errors on that advice subschema."""
    reply = node_validators.run(module, instance)
    findings = reply["findings"]
    advice = oracle.schema.get("x-advice", []) if isinstance(oracle.schema, dict) else []
    # With x-advice, every warning is advice; without, inline warnings are constraints too.
    constraints = [f for f in findings if not advice or f[1] == "error"]
    theirs = {from_parts(error.absolute_path) for error in oracle.iter_errors(instance)}
    assert (constraints == []) is oracle.is_valid(instance), (instance, findings)
    assert {f[0] for f in constraints} == theirs, (instance, findings)
    for subschema in advice:
        rule = subschema["x-rule"]["id"]
        ours = {f[0] for f in findings if f[1] == "warning" and f[2] == rule}
        expected = oracle.evolve(schema=subschema).iter_errors(instance)
        assert ours == {from_parts(error.absolute_path) for error in expected}, (instance, rule)
    assert reply["valid"] is (not any(f[1] == "error" for f in findings)), findings
    errors_then_warnings = [f[1] for f in findings]
    assert errors_then_warnings == sorted(errors_then_warnings), findings  # "error" < "warning"


@pytest.mark.parametrize("path", EXAMPLES, ids=[f"{p.parent.name}/{p.stem}" for p in EXAMPLES])
def test_spec_examples_agree(path: Path, node_validators: Any, request_module: Path) -> None:
    body = json.loads(path.read_text(encoding="utf-8"))
    assert_same_findings(node_validators, request_module, ORACLE, body)


def test_the_generated_package_is_what_the_compiler_makes(request_module: Path) -> None:
    shipped = (REPO / "generated" / "js" / "validate_request.mjs").read_text(encoding="utf-8")
    ours = request_module.read_text(encoding="utf-8")
    # Only the banner differs (the package names `genspec generate`).
    assert ours.split("\n", 2)[2] == shipped.split("\n", 2)[2]


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_drawn_valid_bodies_and_mutations_agree(
    node_validators: Any, request_module: Path, data: st.DataObject
) -> None:
    body = data.draw(STRATEGIES.valid_requests())
    assert_same_findings(node_validators, request_module, ORACLE, body)
    names = sorted({*body, *SCHEMA["properties"], "styleUUID", "unknown", "__proto__"})
    mutated = dict(body)
    name = data.draw(st.sampled_from(names))
    if data.draw(st.booleans()) and name in mutated:
        del mutated[name]
    else:
        mutated[name] = data.draw(JSON_VALUES)
    assert_same_findings(node_validators, request_module, ORACLE, mutated)


@pytest.mark.parametrize("rule_id", STRATEGIES.rule_ids)
def test_near_misses_of_each_rule_agree(
    rule_id: str, node_validators: Any, request_module: Path
) -> None:
    severity = RULES[rule_id]

    def kept(body: Any) -> bool:  # the oracle alone decides which near misses count
        if severity == "error":
            return bool(NEAR_MISS_ORACLE.breaks_only(body, rule_id))
        return NEAR_MISS_ORACLE.is_valid(body) and rule_id in NEAR_MISS_ORACLE.advice_broken(body)

    @settings(
        max_examples=5,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(STRATEGIES.violating(rule_id).filter(kept))
    def check(body: dict[str, Any]) -> None:
        reply = node_validators.run(request_module, body)
        broken = {f[2] for f in reply["findings"] if f[1] == severity}
        assert rule_id in broken
        if severity == "error":  # advice may warn beside it; no other error may appear
            assert broken == {rule_id}
        assert_same_findings(node_validators, request_module, ORACLE, body)

    check()


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(JSON_VALUES)
def test_arbitrary_json_agrees(node_validators: Any, request_module: Path, instance: Any) -> None:
    assert_same_findings(node_validators, request_module, ORACLE, instance)


# ---- hostile schemas: injection-proof by construction ------------------------------------------

# Every identifier the generated code may contain once string literals and comments are gone.
ALLOWED_NAMES = re.compile(
    r"[vweas]\d+|K\d+|x|p|out|k|v|i|ev|hit|seen|count|key|keys|items|item|j|option|options|"
    r"hop|isObject|finding|ruleFinding|esc|kind|show|equal|member|unique|codePoints|"
    r"multipleOf|decimal|DECIMAL|mantissa|exponent|parts|fraction|m|e|a|b|c|d|n|s|f|text|"
    r"schemaPath|keyword|message|property|rule|instancePath|ruleId|severity|"
    r"RULES|ADVICE|isValid|validate|export|const|let|function|return|if|else|for|of|in|"
    r"typeof|new|true|false|null|undefined|switch|case|break|continue|try|catch|"
    r"Object|freeze|keys|prototype|hasOwnProperty|call|Array|isArray|Number|isInteger|"
    r"isFinite|String|BigInt|Set|RegExp|JSON|stringify|has|add|push|length|slice|indexOf|"
    r"replaceAll|every|size|filter|concat|charCodeAt|exec|test|n|u|error|warning|"
    r"object|string|number|boolean|integer|array|"
    r"errors|dump|quote|cut|byCodePoint|repr|ESCAPES|REPR_ESCAPES|NOT_PRINTABLE|SURROGATE|"
    r"points|ch|q|prefix|width|_|Math|abs|TypeError|throw|while|codePointAt|from|join|replace|"
    r"sort|toExponential|toLowerCase|toString|padStart|includes|end|advice"
)


def code_names(source: str) -> set[str]:
    without = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    without = re.sub(r"//[^\n]*", "", without)
    without = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', without)
    without = re.sub(r"'(?:[^'\\\n]|\\.)*'", "''", without)
    # The template's regex literals (after `(`, `!`, `=` or `,`); schema patterns are strings.
    regex = r"/(?:\[(?:[^\]\\\n]|\\.)*\]|[^/\\\n\[]|\\.)+/[dgimsuy]*"
    without = re.sub(r"([(!=,] ?)" + regex, r"\1 0", without)
    without = re.sub(r"\b\d+n\b", "0", without)  # BigInt literals
    without = re.sub(r"\b0x[0-9a-fA-F]+\b", "0", without)  # hexadecimal literals
    return set(re.findall(r"[A-Za-z_$][A-Za-z0-9_$]*", without))


def test_hostile_schema_compiles_to_code_that_only_holds_literals(
    node_validators: Any, tmp_path: Path
) -> None:
    schema = COMPILER_TESTS.hostile_schema()
    module = Path(node_validators.compile(schema))
    names = code_names(module.read_text(encoding="utf-8"))
    assert {name for name in names if not ALLOWED_NAMES.fullmatch(name)} == set()
    marker = Path("/tmp/genspec-pwned")
    marker.unlink(missing_ok=True)
    for value in COMPILER_TESTS.HOSTILE_STRINGS:
        assert node_validators.run(module, {value: value, "'": "'"})["valid"], value
        assert not node_validators.run(module, {"'": "'", value: value + "!"})["valid"], value
    assert not node_validators.run(module, {"forbidden": "'"})["valid"]
    assert not marker.exists()


def test_hostile_schema_agrees_with_jsonschema(node_validators: Any) -> None:
    schema = COMPILER_TESTS.hostile_schema()
    module = Path(node_validators.compile(schema))
    oracle = Draft202012Validator(schema)
    for value in COMPILER_TESTS.HOSTILE_STRINGS:
        for instance in ({value: value}, {value: 0}, {"k": value}, {value: value, "'": "'"}):
            assert_same_findings(node_validators, module, oracle, instance)


def test_code_names_sees_a_leaked_name() -> None:
    # The check above is only worth something if a name outside a literal is caught.
    assert "pwned" in code_names('const K1 = "safe"; pwned(); // "comment"')
