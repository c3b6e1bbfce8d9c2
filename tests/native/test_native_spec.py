"""The Leonardo request validator built native: python-jsonschema's verdicts, the pure module's
findings.

One build per session (`spec_native`, through the real CLI). Bodies: every curated and official
example, and draws from the generated Hypothesis strategies (`leonardo_generations.strategies`,
which never consult a validator). The oracle for verdicts and error places is python-jsonschema
on the published schema (tests/properties/oracle.py); the pure generated module
(`leonardo_generations.validate_request`) is the reference for every field of every finding.
"""

from __future__ import annotations

import dataclasses
import importlib.machinery
import inspect
import json
import math
import pickle
import types
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import Oracle

from genspec.spec import load_schema, spec_dir
from leonardo_generations import strategies
from leonardo_generations import validate_request as pure

EXAMPLES = sorted((spec_dir() / "examples").rglob("*.json"))
ORACLE = Oracle(load_schema())
FIELDS = [field.name for field in dataclasses.fields(pure.Error)]
# Three times the profile's budget per property: 300 draws in the default (ci) profile.
DRAWS = settings(
    max_examples=settings.default.max_examples * 3,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
        HealthCheck.data_too_large,
    ],
)


def rows(findings: list[Any]) -> list[tuple[Any, ...]]:
    """Every field of every finding, in order (the two modules' Error classes differ)."""
    return [tuple(getattr(finding, name) for name in FIELDS) for finding in findings]


def assert_agrees(native: types.ModuleType, body: Any) -> None:
    verdict = ORACLE.is_valid(body)
    assert native.is_valid(body) is verdict
    findings = native.validate(body)
    errors = [finding for finding in findings if finding.severity == "error"]
    assert (errors == []) is verdict
    assert {error.instance_path for error in errors} == ORACLE.error_paths(body)
    assert rows(findings) == rows(pure.validate(body))
    assert rows(native.validate(body, advice=False)) == rows(pure.validate(body, advice=False))
    assert rows(native.validate(body, advice=False)) == rows(errors)


def test_the_module_is_a_compiled_extension(spec_native: types.ModuleType) -> None:
    assert isinstance(spec_native.__loader__, importlib.machinery.ExtensionFileLoader)
    for name in ("is_valid", "validate", "is_accepted"):
        # mypyc's functions are builtins; a plain .py module's would be Python functions.
        assert not inspect.isfunction(getattr(spec_native, name)), name


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_examples_agree_with_python_jsonschema_and_the_pure_module(
    spec_native: types.ModuleType, path: Path
) -> None:
    assert_agrees(spec_native, json.loads(path.read_text(encoding="utf-8")))


def test_the_examples_include_both_verdicts() -> None:
    verdicts = {ORACLE.is_valid(json.loads(p.read_text(encoding="utf-8"))) for p in EXAMPLES}
    assert verdicts == {True, False} and len(EXAMPLES) >= 90


@DRAWS
@given(body=strategies.valid_requests())
def test_valid_request_draws_agree(spec_native: types.ModuleType, body: Any) -> None:
    assert_agrees(spec_native, body)


@DRAWS
@given(body=st.sampled_from(strategies.RULE_IDS).flatmap(strategies.violating))
def test_rule_violating_draws_agree(spec_native: types.ModuleType, body: Any) -> None:
    assert_agrees(spec_native, body)


def test_rules_are_the_pure_modules(spec_native: types.ModuleType) -> None:
    assert spec_native.RULES == pure.RULES
    assert set(spec_native.RULES) == set(ORACLE.rules)


def test_error_behaves_as_the_pure_one(spec_native: types.ModuleType) -> None:
    values = ("/seed", "/properties/seed/maximum", "maximum", "too big", "r", "warning", "seed")
    native, reference = spec_native.Error(*values), pure.Error(*values)
    assert dataclasses.is_dataclass(native)
    assert [field.name for field in dataclasses.fields(native)] == FIELDS
    assert dataclasses.asdict(native) == dataclasses.asdict(reference)
    assert repr(native) == repr(reference)
    assert native == spec_native.Error(*values) and native != spec_native.Error(*values[:4])
    changed = dataclasses.replace(native, message="other")
    assert (changed.message, changed.instance_path, native.message) == ("other", "/seed", "too big")
    defaults = spec_native.Error("", "/type", "type", "m")
    assert (defaults.rule_id, defaults.severity, defaults.property) == (None, "error", None)
    native.message = "set"  # not frozen, as the pure one
    assert native.message == "set"
    assert pickle.loads(pickle.dumps(native)) == native
    # The one difference: mypyc's class checks its fields' types (the pure one would take 5).
    with pytest.raises(TypeError):
        spec_native.Error("", "/type", "type", 5)


def test_is_accepted_is_the_deprecated_alias(spec_native: types.ModuleType) -> None:
    body = {"prompt": "a cat"}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert spec_native.is_accepted(body) is spec_native.is_valid(body) is True
    assert [w.category for w in caught] == [DeprecationWarning]


# Python values a caller may hand over that JSON cannot spell: NaN and infinities (json.loads
# reads them), big ints, tuples, sets, bytes, subclasses. Compiled code checks types where
# interpreted code does not, so these are where a native build could part ways. Keys stay
# strings (a str subclass included): the native Error checks that `property` is a str, so a
# non-str key (which no JSON object has) is a TypeError in its validate(), as the README says.
class _Text(str):
    pass


ODD_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities included
    | st.text(max_size=4)
    | st.builds(_Text, st.text(max_size=4))
    | st.binary(max_size=2)
    | st.just(object()),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.tuples(inner)
        | st.frozensets(st.integers(), max_size=2)
        | st.dictionaries(st.text(max_size=3) | st.integers(), inner, max_size=3)
    ),
    max_leaves=6,
)
ODD_KEYS = (
    st.sampled_from(sorted(load_schema()["properties"]))
    | st.text(max_size=3)
    | st.builds(_Text, st.sampled_from(sorted(load_schema()["properties"])))
)


def outcome(module: types.ModuleType, body: Any) -> Any:
    try:
        return module.is_valid(body), rows(module.validate(body))
    except Exception as exc:  # the same failure is part of agreeing
        return type(exc)


@DRAWS
@given(body=st.dictionaries(ODD_KEYS, ODD_VALUES, max_size=5).map(lambda d: {"prompt": "a", **d}))
def test_python_values_json_cannot_spell_get_the_pure_modules_answer(
    spec_native: types.ModuleType, body: Any
) -> None:
    assert outcome(spec_native, body) == outcome(pure, body)


@pytest.mark.parametrize("name", sorted(load_schema()["properties"]))
def test_each_member_with_numbers_json_cannot_spell_gets_the_pure_modules_answer(
    spec_native: types.ModuleType, name: str
) -> None:
    for value in (math.nan, math.inf, -math.inf, 10**100, -(10**100), -0.0, [math.nan]):
        body = {"prompt": "a cat", "alchemy": False, name: value}
        assert outcome(spec_native, body) == outcome(pure, body), (name, value)
