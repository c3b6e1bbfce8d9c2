"""Design 1 in the JS target: `x-advice` warnings are reported after the errors, never block."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from genspec.compiler_js import compile_schema_js
from genspec.ir import SchemaError

WARN = {"id": "prefer-short", "severity": "warning", "message": "keep names short"}
SCHEMA = {
    "type": "object",
    "properties": {"name": {"$ref": "#/$defs/name"}},
    "$defs": {"name": {"type": "string"}},
    "x-advice": [
        {"x-rule": WARN, "properties": {"name": {"$ref": "#/$defs/name", "maxLength": 3}}},
    ],
}


def test_advice_warns_after_errors_and_never_blocks(node_validators: Any) -> None:
    module = Path(node_validators.compile(SCHEMA))
    long_name = node_validators.run(module, {"name": "abcdef"})
    assert long_name["valid"] is True
    assert [(f[0], f[1], f[2], f[3]) for f in long_name["findings"]] == [
        ("/name", "warning", "prefer-short", "/x-advice/0/properties/name/maxLength")
    ]
    both = node_validators.run(module, {"name": 12345})
    assert both["valid"] is False
    # The constraint error first; the advice also fails on a non-string, after it.
    assert [f[1] for f in both["findings"]] == ["error", "warning"]
    assert node_validators.run(module, {"name": "abc"}) == {
        "valid": True,
        "findings": [],
        "errors": [],
        "withoutAdvice": [],
    }


def test_advice_is_exported(node_validators: Any, tmp_path: Path) -> None:
    source = compile_schema_js(SCHEMA)
    assert 'export const ADVICE = Object.freeze(["prefer-short"]);' in source


@pytest.mark.parametrize(
    "advice",
    [
        [{"maxLength": 3}],
        [{"x-rule": {**WARN, "severity": "error"}, "maxLength": 3}],
    ],
)
def test_advice_without_a_warning_rule_is_refused(advice: list[Any]) -> None:
    with pytest.raises(SchemaError, match="x-advice"):
        compile_schema_js({**SCHEMA, "x-advice": advice})
