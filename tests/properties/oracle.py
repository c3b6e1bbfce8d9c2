"""python-jsonschema as the oracle the property tests compare genspec with.

Everything here reads the schema as JSON and asks python-jsonschema; nothing comes from
genspec, so the code under test never decides what the tests expect.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator

RULE = "x-rule"
ADVICE = "x-advice"
# Keywords whose values are subschemas, by shape (draft 2020-12).
ONE = ("additionalProperties", "propertyNames", "items", "contains", "not", "if", "then", "else")
ONE += ("unevaluatedItems", "unevaluatedProperties")
MANY = ("allOf", "anyOf", "oneOf", "prefixItems")
NAMED = ("properties", "patternProperties", "dependentSchemas", "$defs")


def pointer(parts: Any) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    """Every object subschema of `schema` (not inside x-advice), `schema` first."""
    if not isinstance(schema, dict):
        return
    yield schema
    for keyword, value in schema.items():
        if keyword in ONE:
            yield from subschemas(value)
        elif keyword in MANY:
            for child in value:
                yield from subschemas(child)
        elif keyword in NAMED:
            for child in value.values():
                yield from subschemas(child)


def without_rule(schema: Any, rule_id: str) -> Any:
    """`schema` with every subschema carrying `rule_id` made to accept everything."""
    relaxed = copy.deepcopy(schema)
    for node in subschemas(relaxed):
        if isinstance(node.get(RULE), dict) and node[RULE].get("id") == rule_id:
            node.clear()
    return relaxed


class Oracle:
    """python-jsonschema on the published schema (constraints) and on each advice subschema."""

    def __init__(self, schema: Any) -> None:
        self.validator = Draft202012Validator(schema)
        self.schema = schema
        advice = schema.get(ADVICE, []) if isinstance(schema, dict) else []
        # Advice applies to the root instance; evolve keeps the root as the base for its $refs.
        self.advice = {entry[RULE]["id"]: self.validator.evolve(schema=entry) for entry in advice}
        constraints = [n[RULE]["id"] for n in subschemas(schema) if isinstance(n.get(RULE), dict)]
        self.rules = list(dict.fromkeys([*constraints, *self.advice]))
        self._relaxed: dict[str, Draft202012Validator] = {}

    def is_valid(self, instance: Any) -> bool:
        return bool(self.validator.is_valid(instance))

    def error_paths(self, instance: Any) -> set[str]:
        return {pointer(error.absolute_path) for error in self.validator.iter_errors(instance)}

    def advice_broken(self, instance: Any) -> set[str]:
        """The advice rules `instance` triggers (only meaningful for a valid instance)."""
        return {rule for rule, check in self.advice.items() if not check.is_valid(instance)}

    def advice_findings(self, instance: Any) -> set[tuple[str, str]]:
        """(rule id, instance path) of every advice error python-jsonschema reports."""
        return {
            (rule, pointer(error.absolute_path))
            for rule, check in self.advice.items()
            for error in check.iter_errors(instance)
        }

    def breaks_only(self, instance: Any, rule_id: str) -> bool:
        """Rejected, and accepted once the subschemas carrying `rule_id` accept everything."""
        if rule_id not in self._relaxed:
            self._relaxed[rule_id] = Draft202012Validator(without_rule(self.schema, rule_id))
        return not self.is_valid(instance) and bool(self._relaxed[rule_id].is_valid(instance))
