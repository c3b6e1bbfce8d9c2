"""Hypothesis strategies for a schema: the IR described as plain data for the strategy runtime.

The drawing code is `genspec.strategies_runtime`, one real module, the same for every schema.
This module only writes the data it reads: `describe` turns the IR into one entry per
subschema, keyed by its location (a JSON Pointer, stable under unrelated edits), its keywords
with subschemas and `$ref` targets given by location. `render_strategies` writes that data as
a module that imports the runtime from its own package; `runtime_source` is the runtime's copy
for that package, verbatim under the do-not-edit header. Values reach the generated source
only through `py_literal`.

`strategy_for` is the in-process path (tests, arbitrary schemas): the runtime on the same data,
with the validator compiled from the same schema beside it for the caller to test.
"""

from __future__ import annotations

import itertools
import types
from dataclasses import dataclass
from importlib import resources as package_files
from typing import TYPE_CHECKING, Any

from genspec import ir, keywords
from genspec.compiler import compile_schema, load_module
from genspec.literals import py_literal
from genspec.pylayout import layout
from genspec.rules import RULE_KEYWORD
from genspec.templating import header

if TYPE_CHECKING:  # the runtime needs hypothesis; `genspec generate` only copies its text
    from genspec.strategies_runtime import Strategies

__all__ = [
    "RUNTIME_MODULE",
    "Description",
    "SchemaStrategies",
    "describe",
    "keyword_kinds",
    "render_strategies",
    "runtime_source",
    "strategy_for",
]

# The runtime's name inside a generated package (imported relatively, so any package name works).
RUNTIME_MODULE = "_strategies_runtime"
_fresh_names = itertools.count()


def _keyword_data(keyword: ir.Keyword) -> dict[str, Any]:
    """One IR keyword record as description data (subschemas by location)."""
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
            return {keyword.name: {name: child.location for name, child in c.items()}}
        case ir.PatternProperties(children=pairs):
            return {"patternProperties": [[pattern, child.location] for pattern, child in pairs]}
        case ir.PrefixItems(children=c) | ir.AllOf(children=c) | ir.AnyOf(children=c):
            return {keyword.name: [child.location for child in c]}
        case ir.OneOf(children=c):
            return {"oneOf": [child.location for child in c]}
        case ir.Contains(child=child, min_contains=low, max_contains=high):
            bounds = {"minContains": low} | ({} if high is None else {"maxContains": high})
            return {"contains": child.location} | bounds
        case ir.IfThenElse(condition=condition, then=then, otherwise=otherwise):
            branches = {"then": then, "else": otherwise}
            return {"if": condition.location} | {
                name: node.location for name, node in branches.items() if node is not None
            }
        case ir.Ref(target=target):
            return {"$ref": target.location}
        case (
            ir.AdditionalProperties(child=child)
            | ir.PropertyNames(child=child)
            | ir.Items(child=child)
            | ir.Not(child=child)
            | ir.UnevaluatedProperties(child=child)
            | ir.UnevaluatedItems(child=child)
        ):
            return {keyword.name: child.location}
    raise TypeError(f"no strategy description for {type(keyword).__name__}")


@dataclass(frozen=True)
class Description:
    """A schema as the strategy runtime reads it (see `genspec.strategies_runtime`)."""

    nodes: dict[str, bool | dict[str, Any]]
    root: str
    rules: dict[str, str]  # rule id -> location of the subschema carrying it (constraints)
    advice: dict[str, str]  # rule id -> location of an advice subschema (never a constraint)
    keyword_kinds: dict[str, str]

    def strategies(self) -> Strategies:
        from genspec.strategies_runtime import Strategies

        return Strategies(
            self.nodes,
            root=self.root,
            rules=self.rules,
            advice=self.advice,
            keyword_kinds=self.keyword_kinds,
        )


def keyword_kinds() -> dict[str, str]:
    """Keyword -> the JSON type it constrains (it holds vacuously on every other type), from
    the keyword table."""
    return {
        name: info.applies_to
        for name, info in sorted(keywords.KEYWORDS.items())
        if info.role in ("assertion", "applicator") and info.applies_to != "any"
    }


def describe(schema_ir: ir.SchemaIR) -> Description:
    """The IR as plain data: every node by location, and where each rule and advice sits."""
    nodes: dict[str, bool | dict[str, Any]] = {}
    advice: dict[str, str] = {}
    for node in schema_ir.nodes:
        if node.boolean is not None:
            nodes[node.location] = node.boolean
            continue
        entry: dict[str, Any] = {}
        for keyword in node.keywords:
            if isinstance(keyword, ir.Advice):  # never a constraint: the runtime draws it apart
                found = {c.rule.id: c.location for c in keyword.children if c.rule is not None}
                advice |= found
                continue
            entry.update(_keyword_data(keyword))
        nodes[node.location] = entry
    rules: dict[str, str] = {}
    for node in schema_ir.nodes:
        annotation = node.schema.get(RULE_KEYWORD) if isinstance(node.schema, dict) else None
        if node.rule is not None and isinstance(annotation, dict) and node.rule.id not in advice:
            rules.setdefault(node.rule.id, node.location)
    return Description(nodes, schema_ir.root.location, rules, advice, keyword_kinds())


def runtime_source(*, command: str = "genspec generate") -> str:
    """The strategy runtime for a generated package: this package's module, verbatim."""
    text = package_files.files("genspec").joinpath("strategies_runtime.py").read_text("utf-8")
    return header("genspec/strategies_runtime.py", command=command) + "\n" + text


def render_strategies(
    schema: Any,
    *,
    source: str = "<schema>",
    command: str = "genspec generate",
    resources: dict[str, Any] | None = None,
) -> str:
    """Python source of the strategies module for `schema`: its description and three names.

    It imports `Strategies` from the sibling module `_strategies_runtime` (`runtime_source`).
    """
    found = describe(ir.lower(schema, resources=resources))
    return layout(f"""{header(source, command=command)}
# ruff: noqa: E501
\"\"\"Hypothesis strategies for this schema: `valid_requests()`, `violating(rule_id)`, `RULE_IDS`.

The schema is here as data; the drawing code is `{RUNTIME_MODULE}` beside this module
(see its docstring). No validator is consulted: draws are inputs for testing validators.
\"\"\"

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .{RUNTIME_MODULE} import Strategies

__all__ = ["RULE_IDS", "valid_requests", "violating"]

# Every subschema by location: True/False, or its keywords with subschemas by location.
_NODES: dict[str, Any] = {py_literal(found.nodes)}
# Rule id -> the subschema carrying it: in the constraints, and in the advice (x-advice).
_RULES: dict[str, str] = {py_literal(found.rules)}
_ADVICE: dict[str, str] = {py_literal(found.advice)}
# Keyword -> the JSON type it constrains.
_KEYWORD_KINDS: dict[str, str] = {py_literal(found.keyword_kinds)}

_STRATEGIES = Strategies(
    _NODES,
    root={py_literal(found.root)},
    rules=_RULES,
    advice=_ADVICE,
    keyword_kinds=_KEYWORD_KINDS,
)
RULE_IDS: tuple[str, ...] = _STRATEGIES.rule_ids


def valid_requests() -> st.SearchStrategy[Any]:
    \"\"\"Instances the API accepts: every constraint holds (advice may or may not fire).\"\"\"
    return _STRATEGIES.valid_requests()


def violating(rule_id: str) -> st.SearchStrategy[Any]:
    \"\"\"A near miss breaking that constraint rule alone, or a valid body with that advice.\"\"\"
    return _STRATEGIES.violating(rule_id)
""")


@dataclass(frozen=True)
class SchemaStrategies:
    """A schema's strategies, with the validator compiled from the same schema beside them."""

    validator: types.ModuleType
    strategies: Strategies
    description: Description


def strategy_for(schema: Any, *, resources: dict[str, Any] | None = None) -> SchemaStrategies:
    """The strategy runtime on `schema`'s description, and its compiled validator (loaded)."""
    validator_name = f"genspec_strategy_validator_{next(_fresh_names)}"
    validator = load_module(compile_schema(schema, resources=resources), validator_name)
    found = describe(ir.lower(schema, resources=resources))
    return SchemaStrategies(validator, found.strategies(), found)
