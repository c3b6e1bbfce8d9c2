"""Hypothesis strategies from the schema IR: valid instances and per-rule near misses.

`describe` turns the IR into plain data, one entry per subschema (its keywords, with subschemas
and `$ref` targets replaced by entry numbers). The template `strategies.py.jinja` renders that
table next to the drawing code, which is the same for every schema: it plans each value (which
anyOf/oneOf/if branch to take, which keyword a subschema that must fail breaks, keeping only
satisfiable choices) and then draws it. The rendered module needs only hypothesis, the stdlib
and its sibling validator module, which has the last word on every drawn instance.

`strategy_for` is the in-process path (tests, arbitrary schemas): it compiles the validator,
renders the strategies against it and executes both, so tests exercise the rendered code.
"""

from __future__ import annotations

import itertools
import re
import sys
import types
from dataclasses import dataclass
from typing import Any

from genspec import ir, keywords
from genspec.compiler import compile_schema, load_module
from genspec.literals import py_comment, py_literal
from genspec.rules import RULE_KEYWORD
from genspec.templating import header, render

__all__ = ["SchemaStrategies", "describe", "render_strategies", "strategy_for"]

_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_fresh_names = itertools.count()


def _keyword_data(keyword: ir.Keyword) -> dict[str, Any]:
    """One IR keyword record as description data (subschemas as entry numbers)."""
    match keyword:
        case ir.Type(types=names):
            return {"type": list(names)}
        case ir.Enum(values=values):
            return {"enum": values}
        case ir.Const(value=value):
            return {"const": value}
        case ir.Bound(limit=limit) | ir.Size(limit=limit):
            return {keyword.name: limit}
        case ir.MultipleOf(divisor=divisor):
            return {"multipleOf": divisor}
        case ir.Pattern(pattern=pattern):
            return {"pattern": pattern}
        case ir.UniqueItems():
            return {"uniqueItems": True}
        case ir.Required(names=names):
            return {"required": names}
        case ir.DependentRequired(dependencies=dependencies):
            return {"dependentRequired": dependencies}
        case ir.Properties(children=c) | ir.DependentSchemas(children=c):
            return {keyword.name: {name: child.index for name, child in c.items()}}
        case ir.PatternProperties(children=pairs):
            return {"patternProperties": [[pattern, child.index] for pattern, child in pairs]}
        case ir.PrefixItems(children=c) | ir.AllOf(children=c) | ir.AnyOf(children=c):
            return {keyword.name: [child.index for child in c]}
        case ir.OneOf(children=c):
            return {"oneOf": [child.index for child in c]}
        case ir.Contains(child=child, min_contains=low, max_contains=high):
            bounds = {"minContains": low} | ({} if high is None else {"maxContains": high})
            return {"contains": child.index} | bounds
        case ir.IfThenElse(condition=condition, then=then, otherwise=otherwise):
            branches = {"then": then, "else": otherwise}
            return {"if": condition.index} | {
                name: node.index for name, node in branches.items() if node is not None
            }
        case ir.Ref(target=target):
            return {"$ref": target.index}
        case (
            ir.AdditionalProperties(child=child)
            | ir.PropertyNames(child=child)
            | ir.Items(child=child)
            | ir.Not(child=child)
            | ir.UnevaluatedProperties(child=child)
            | ir.UnevaluatedItems(child=child)
        ):
            return {keyword.name: child.index}
    raise TypeError(f"no strategy description for {type(keyword).__name__}")


def describe(schema_ir: ir.SchemaIR) -> list[bool | dict[str, Any]]:
    """One entry per IR node, in node order: True/False, or its keywords as data."""
    entries: list[bool | dict[str, Any]] = []
    for node in schema_ir.nodes:
        if node.boolean is not None:
            entries.append(node.boolean)
            continue
        entry: dict[str, Any] = {}
        for keyword in node.keywords:
            if isinstance(keyword, ir.Advice):
                # Drawn bodies follow the advice too (as when it sat in allOf): valid_requests
                # stay warning-free and violating(rule) can break one rule alone.
                advice = [child.index for child in keyword.children]
                entry["allOf"] = [*entry.get("allOf", []), *advice]
                continue
            entry.update(_keyword_data(keyword))
        entries.append(entry)
    return entries


def rule_entries(schema_ir: ir.SchemaIR) -> dict[str, int]:
    """Rule id -> the node carrying that rule's x-rule annotation."""
    found: dict[str, int] = {}
    for node in schema_ir.nodes:
        annotation = node.schema.get(RULE_KEYWORD) if isinstance(node.schema, dict) else None
        if node.rule is not None and isinstance(annotation, dict):
            found.setdefault(node.rule.id, node.index)
    return found


def keyword_kinds() -> dict[str, str]:
    """Keyword -> the instance kind it constrains, for the keywords the strategies draw for."""
    return {
        name: info.applies_to
        for name, info in keywords.KEYWORDS.items()
        if info.role in ("assertion", "applicator") and info.applies_to != "any"
    }


def render_strategies(
    schema: Any,
    *,
    validator_module: str = "leonardo_generations.validate_request",
    source: str = "<schema>",
    command: str = "genspec generate",
    resources: dict[str, Any] | None = None,
) -> str:
    """Python source of a hypothesis strategies module for `schema`.

    The module imports `validator_module` (the validator compiled from the same schema) and
    exposes `valid_requests()`, `violating(rule_id)` and `RULE_IDS`.
    """
    if not _MODULE_NAME.fullmatch(validator_module):
        raise ValueError(f"not a dotted module name: {validator_module!r}")
    schema_ir = ir.lower(schema, resources=resources)
    entries = describe(schema_ir)
    nodes = [
        (py_comment(node.location or "/"), py_literal(entry))
        for node, entry in zip(schema_ir.nodes, entries, strict=True)
    ]
    return str(
        render(
            "strategies.py.jinja",
            header=header(source, command=command),
            validator_module=py_literal(validator_module),
            nodes=nodes,
            rule_nodes=py_literal(rule_entries(schema_ir)),
            keyword_kinds=py_literal(keyword_kinds()),
        )
    )


@dataclass(frozen=True)
class SchemaStrategies:
    """A schema's compiled validator and strategies, loaded in this process."""

    validator: types.ModuleType
    strategies: types.ModuleType


def strategy_for(schema: Any, *, resources: dict[str, Any] | None = None) -> SchemaStrategies:
    """Compile `schema`, render its strategies module against that validator, load both."""
    validator_name = f"genspec_strategy_validator_{next(_fresh_names)}"
    validator = load_module(compile_schema(schema, resources=resources), validator_name)
    sys.modules[validator_name] = validator  # the strategies module imports it by name
    source = render_strategies(schema, validator_module=validator_name, resources=resources)
    strategies = load_module(source, f"genspec_strategies_{next(_fresh_names)}")
    return SchemaStrategies(validator, strategies)
