"""Check a JSON Schema (draft 2020-12) and lower it into a small typed IR.

The IR is a graph of `Node`s, one per subschema location, each with an ordered list of keyword
records. Everything the emitters and the strategy generator need is decided here: which
keywords are accepted (`genspec.keywords` is the table), which subschema each `$ref` names
(`genspec.refs`), and which documented rule (`x-rule`, read by `genspec.rules`) each subschema
belongs to, including the root's `x-advice` (warning rules, reported apart from validity).
Refused, each with its keyword and schema path: a keyword outside the table, a malformed
x-rule or one of the wrong severity for its place, an `$id`/`$anchor` given twice, a `$ref`
naming nothing, and any schema whose evaluation could not end (a loop of in-place applicators
that never moves into the instance). The meta-schema check and every walk are bounded in
depth, so nesting within the loader's limit never exhausts the stack.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urljoin

from genspec import keywords, pointer
from genspec.jsonvalue import TYPE_KINDS
from genspec.refs import Place, RefError, SchemaIndex
from genspec.rules import (
    ADVICE_KEYWORD,
    RULE_KEYWORD,
    Rule,
    RuleAnnotationError,
    Severity,
    read_rule,
    same_rule,
)

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# The keywords each IR record is lowered from (the instance kind of each is in the table).
BOUND_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
SIZE_KEYWORDS = (
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
)
SUPPORTED_KEYWORDS = keywords.CHECKED


class SchemaError(Exception):
    """A schema the compiler will not compile; says which keyword, where, and why."""

    def __init__(self, path: str, message: str, keyword: str | None = None) -> None:
        self.path = path
        self.keyword = keyword
        self.reason = message
        where = f"keyword {keyword!r} at schema path {path or '/'!r}" if keyword else path or "/"
        super().__init__(f"{where}: {message}")


KeywordT = TypeVar("KeywordT", bound="Keyword")


# ---- keyword records ----------------------------------------------------------------------------
# Each keeps `location`, the JSON Pointer of the keyword in the document, for error reports.


@dataclass
class Keyword:
    location: str

    @functools.cached_property
    def name(self) -> str:
        """The keyword this record is lowered from (a merged record made by an emitter keeps
        its kind's name whatever location it borrows)."""
        fixed = RECORD_KEYWORDS.get(type(self))
        return fixed or pointer.unescape_token(self.location.rsplit("/", 1)[-1])


@dataclass
class Type(Keyword):
    types: tuple[str, ...]


@dataclass
class Enum(Keyword):
    values: list[Any]


@dataclass
class Const(Keyword):
    value: Any


@dataclass
class Bound(Keyword):
    """minimum, maximum, exclusiveMinimum, exclusiveMaximum."""

    limit: int | float


@dataclass
class MultipleOf(Keyword):
    divisor: int | float


@dataclass
class Size(Keyword):
    """minLength, maxLength, minItems, maxItems, minProperties, maxProperties."""

    limit: int


@dataclass
class Pattern(Keyword):
    pattern: str


@dataclass
class UniqueItems(Keyword):
    pass


@dataclass
class Required(Keyword):
    names: list[str]


@dataclass
class DependentRequired(Keyword):
    dependencies: dict[str, list[str]]


@dataclass
class Properties(Keyword):
    children: dict[str, Node]


@dataclass
class PatternProperties(Keyword):
    children: list[tuple[str, Node]]


@dataclass
class AdditionalProperties(Keyword):
    child: Node
    known: list[str]  # names listed in sibling `properties`
    patterns: list[str]  # sibling `patternProperties` patterns


@dataclass
class PropertyNames(Keyword):
    child: Node


@dataclass
class DependentSchemas(Keyword):
    children: dict[str, Node]


@dataclass
class PrefixItems(Keyword):
    children: list[Node]


@dataclass
class Items(Keyword):
    child: Node
    start: int  # items after sibling prefixItems


@dataclass
class Contains(Keyword):
    child: Node
    min_contains: int
    max_contains: int | None


@dataclass
class AllOf(Keyword):
    children: list[Node]


@dataclass
class AnyOf(Keyword):
    children: list[Node]


@dataclass
class OneOf(Keyword):
    children: list[Node]


@dataclass
class Not(Keyword):
    child: Node


@dataclass
class IfThenElse(Keyword):
    condition: Node
    then: Node | None
    otherwise: Node | None
    then_location: str
    else_location: str


@dataclass
class Ref(Keyword):
    target: Node


@dataclass
class Advice(Keyword):
    """The root's `x-advice`: never part of validity; each child's failures are its warning."""

    children: list[Node]


@dataclass
class UnevaluatedProperties(Keyword):
    child: Node


@dataclass
class UnevaluatedItems(Keyword):
    child: Node


# The keyword each kind of record is lowered from (Bound and Size stand for several: their
# location says which). Its instance kind and subschema shape are in the keyword table.
RECORD_KEYWORDS: dict[type[Keyword], str] = {
    Type: "type",
    Enum: "enum",
    Const: "const",
    MultipleOf: "multipleOf",
    Pattern: "pattern",
    UniqueItems: "uniqueItems",
    Required: "required",
    DependentRequired: "dependentRequired",
    Properties: "properties",
    PatternProperties: "patternProperties",
    AdditionalProperties: "additionalProperties",
    PropertyNames: "propertyNames",
    DependentSchemas: "dependentSchemas",
    PrefixItems: "prefixItems",
    Items: "items",
    Contains: "contains",
    AllOf: "allOf",
    AnyOf: "anyOf",
    OneOf: "oneOf",
    Not: "not",
    IfThenElse: "if",
    Ref: "$ref",
    Advice: ADVICE_KEYWORD,
    UnevaluatedProperties: "unevaluatedProperties",
    UnevaluatedItems: "unevaluatedItems",
}


@dataclass(eq=False)
class Node:
    """One subschema location. `boolean` is set for the schemas `true` and `false`."""

    index: int
    location: str
    boolean: bool | None = None
    keywords: list[Keyword] = field(default_factory=list)
    rule: Rule | None = None
    schema: Any = None  # the subschema itself, for consumers that want annotations (default, ...)

    def __repr__(self) -> str:  # nodes form cycles through $ref: never recurse into them
        return f"Node(#{self.index} at {self.location or '/'!r})"

    @property
    def types(self) -> frozenset[str] | None:
        """Instance categories this node admits per its `type` keyword (None: no `type`)."""
        for keyword in self.keywords:
            if isinstance(keyword, Type):
                return frozenset(TYPE_KINDS[name] for name in keyword.types)
        return None

    def find(self, kind: type[KeywordT]) -> KeywordT | None:
        for keyword in self.keywords:
            if isinstance(keyword, kind):
                return keyword
        return None

    def children(self) -> Iterator[Node]:
        """Direct subschema nodes, including $ref targets (the JavaScript emitter walks these)."""
        for keyword in self.keywords:
            yield from keyword_children(keyword)


def keyword_children(keyword: Keyword) -> Iterator[Node]:
    match keyword:
        case Properties(children=c) | DependentSchemas(children=c):
            yield from c.values()
        case PatternProperties(children=pairs):
            yield from (child for _, child in pairs)
        case (
            PrefixItems(children=c)
            | AllOf(children=c)
            | AnyOf(children=c)
            | OneOf(children=c)
            | Advice(children=c)
        ):
            yield from c
        case IfThenElse(condition=cond, then=then, otherwise=otherwise):
            yield from (n for n in (cond, then, otherwise) if n is not None)
        case Ref(target=child):
            yield child
        case (
            AdditionalProperties(child=child)
            | PropertyNames(child=child)
            | Items(child=child)
            | Contains(child=child)
            | Not(child=child)
            | UnevaluatedProperties(child=child)
            | UnevaluatedItems(child=child)
        ):
            yield child


@dataclass
class SchemaIR:
    """The lowered schema: its root, every reachable node (`nodes[i].index == i`, root first,
    depth-first order) and the documented rules by id."""

    root: Node
    nodes: list[Node]
    rules: dict[str, Rule]


def in_place_edges(node: Node) -> Iterator[tuple[str, Node]]:
    """(keyword location, subschema) for each subschema applied to the very instance `node`
    sees, not to one of its members or items: a loop of these never ends."""
    for keyword in node.keywords:
        match keyword:
            case AllOf(children=c) | AnyOf(children=c) | OneOf(children=c):
                yield from ((keyword.location, child) for child in c)
            case DependentSchemas(children=c):
                yield from ((keyword.location, child) for child in c.values())
            case IfThenElse(condition=cond, then=then, otherwise=otherwise):
                yield keyword.location, cond
                if then is not None:
                    yield keyword.then_location, then
                if otherwise is not None:
                    yield keyword.else_location, otherwise
            case Not(child=child) | Ref(target=child):
                yield keyword.location, child


# ---- checking the document ----------------------------------------------------------------------


def _keyword_name(location: str) -> str:
    return pointer.unescape_token(location.rsplit("/", 1)[-1])


class _Checker:
    """Checks each subschema as the index walks it (keywords known, x-rule well formed) and
    records the rule each subschema belongs to: its own x-rule, else its parent's."""

    def __init__(self) -> None:
        self.rules: dict[str, Rule] = {}
        self.rule_at: dict[str, Rule | None] = {}
        self.in_advice: dict[str, bool] = {}  # inside an entry of the root's x-advice

    def __call__(self, location: str, place: Place) -> None:
        schema = place.schema
        rule = None if place.parent is None else self.rule_at[place.parent]
        advice = place.parent is not None and (
            self.in_advice[place.parent]
            or (place.parent == "" and location.startswith(f"/{ADVICE_KEYWORD}/"))
        )
        if not isinstance(schema, dict | bool):
            raise SchemaError(location, "a schema must be an object or a boolean")
        if isinstance(schema, dict):
            for keyword in schema:
                _check_keyword(schema, keyword, location)
            if ADVICE_KEYWORD in schema:
                _check_advice(schema[ADVICE_KEYWORD], location)
            if RULE_KEYWORD in schema:
                rule = self._read_rule(schema[RULE_KEYWORD], location)
                _check_severity_placement(rule, advice)
        self.rule_at[location] = rule
        self.in_advice[location] = advice

    def _read_rule(self, value: Any, location: str) -> Rule:
        here = pointer.join(location, RULE_KEYWORD)
        try:
            rule = read_rule(value, location)
        except RuleAnnotationError as exc:
            raise SchemaError(here, str(exc), RULE_KEYWORD) from None
        first = self.rules.setdefault(rule.id, rule)
        if not same_rule(first, rule):
            message = f"duplicate x-rule id {rule.id!r} (also at {first.schema_path or '/'!r})"
            raise SchemaError(here, message, RULE_KEYWORD)
        return rule


def _check_advice(value: Any, location: str) -> None:
    """x-advice: at the root only, a list of schemas each carrying its (warning) x-rule."""
    here = pointer.join(location, ADVICE_KEYWORD)
    if location != "":
        raise SchemaError(here, "x-advice is only read at the root", ADVICE_KEYWORD)
    if not isinstance(value, list):
        raise SchemaError(here, "x-advice must be an array of schemas", ADVICE_KEYWORD)
    for position, entry in enumerate(value):
        if not isinstance(entry, dict) or RULE_KEYWORD not in entry:
            message = "each x-advice entry is a schema with a warning x-rule"
            raise SchemaError(pointer.join(here, position), message, ADVICE_KEYWORD)


def _check_severity_placement(rule: Rule, in_advice: bool) -> None:
    """Warnings live in x-advice and only there: a warning among the constraints would reject
    a body the API accepts, an error inside x-advice could never reject anything."""
    if (rule.severity is Severity.WARNING) is not in_advice:
        message = (
            "inside x-advice every x-rule must be a warning"
            if in_advice
            else "a warning x-rule belongs in the root's x-advice, not in the constraints"
        )
        raise SchemaError(pointer.join(rule.schema_path, RULE_KEYWORD), message, RULE_KEYWORD)


def _check_keyword(schema: dict[str, Any], keyword: str, location: str) -> None:
    here = pointer.join(location, keyword)
    info = keywords.KEYWORDS.get(keyword)
    if info is not None and info.role == "refused":
        raise SchemaError(here, info.refusal, keyword)
    if keyword == "$schema" and str(schema[keyword]).rstrip("#") != DRAFT_2020_12:
        message = f"only draft 2020-12 is supported, not {schema[keyword]!r}"
        raise SchemaError(here, message, keyword)
    if info is None and not keyword.startswith("x-"):
        message = "unknown keyword (annotations must start with 'x-'); refusing to ignore it"
        raise SchemaError(here, message, keyword)


# ---- lowering -----------------------------------------------------------------------------------

# The applicators in the order the lowering visits their subschemas (node numbering follows it).
_LOWERING_ORDER = (
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "dependentSchemas",
    "prefixItems",
    "items",
    "contains",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "$ref",
    "unevaluatedProperties",
    "unevaluatedItems",
    ADVICE_KEYWORD,
)


class _Lowering:
    """Makes one Node per reachable subschema (numbered in depth-first preorder), then fills in
    each node's keyword records. Both passes are loops, never recursion."""

    def __init__(self, index: SchemaIndex, rule_at: dict[str, Rule | None]) -> None:
        self.index = index
        self.rule_at = rule_at
        self.nodes: list[Node] = []
        self.by_location: dict[str, Node] = {}
        self.ref_targets: dict[str, str] = {}  # location of a $ref -> location it names

    def lower(self) -> Node:
        root = self._new("")
        stack = [self._child_locations("")]
        while stack:
            location = next(stack[-1], None)
            if location is None:
                stack.pop()
            elif location not in self.by_location:
                self._new(location)
                stack.append(self._child_locations(location))
        for node in self.nodes:
            if isinstance(node.schema, dict):
                node.keywords = list(self._keywords(node.schema, node.location))
        return root

    def _new(self, location: str) -> Node:
        place = self.index.places[location]
        node = Node(len(self.nodes), location, rule=self.rule_at.get(location), schema=place.schema)
        if isinstance(place.schema, bool):
            node.boolean = place.schema
        self.nodes.append(node)
        self.by_location[location] = node
        return node

    def _child_locations(self, location: str) -> Iterator[str]:
        schema = self.index.places[location].schema
        if not isinstance(schema, dict):
            return
        for keyword in _LOWERING_ORDER:
            if keyword not in schema:
                continue
            here = pointer.join(location, keyword)
            shape = keywords.KEYWORDS[keyword].subschemas
            if keyword == "$ref":
                yield self._resolve(schema["$ref"], location, here)
            elif shape == "one":
                yield here
            elif shape == "list":
                yield from (pointer.join(here, i) for i in range(len(schema[keyword])))
            else:
                yield from (pointer.join(here, name) for name in schema[keyword])

    def _resolve(self, reference: Any, location: str, here: str) -> str:
        if here not in self.ref_targets:
            if not isinstance(reference, str):
                raise SchemaError(here, "$ref must be a string", "$ref")
            base = self.index.places[location].base
            self.ref_targets[here] = self.index.resolve(reference, base, here)
        return self.ref_targets[here]

    def _keywords(self, schema: dict[str, Any], at: str) -> Iterator[Keyword]:
        def loc(keyword: str) -> str:
            return pointer.join(at, keyword)

        def child(location: str) -> Node:
            return self.by_location[location]

        def children(keyword: str) -> list[Node]:
            return [child(pointer.join(loc(keyword), i)) for i in range(len(schema[keyword]))]

        def named(keyword: str) -> dict[str, Node]:
            return {name: child(pointer.join(loc(keyword), name)) for name in schema[keyword]}

        # Order matters for speed only (cheap checks first); unevaluated* must come last
        # because it reads what its siblings evaluated.
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            yield Type(loc("type"), tuple(types))
        if "const" in schema:
            yield Const(loc("const"), schema["const"])
        if "enum" in schema:
            yield Enum(loc("enum"), list(schema["enum"]))
        for name in BOUND_KEYWORDS:
            if name in schema:
                yield Bound(loc(name), schema[name])
        if "multipleOf" in schema:
            yield MultipleOf(loc("multipleOf"), schema["multipleOf"])
        for name in SIZE_KEYWORDS:
            if name in schema:
                yield Size(loc(name), _whole(schema[name], loc(name)))
        if "pattern" in schema:
            yield Pattern(loc("pattern"), _checked_pattern(schema["pattern"], loc("pattern")))
        if schema.get("uniqueItems") is True:
            yield UniqueItems(loc("uniqueItems"))
        if "required" in schema:
            yield Required(loc("required"), list(dict.fromkeys(schema["required"])))
        if "dependentRequired" in schema:
            yield DependentRequired(loc("dependentRequired"), dict(schema["dependentRequired"]))
        if "properties" in schema:
            yield Properties(loc("properties"), named("properties"))
        if "patternProperties" in schema:
            base = loc("patternProperties")
            yield PatternProperties(
                base,
                [
                    (_checked_pattern(p, pointer.join(base, p)), child(pointer.join(base, p)))
                    for p in schema["patternProperties"]
                ],
            )
        if "additionalProperties" in schema:
            yield AdditionalProperties(
                loc("additionalProperties"),
                child(loc("additionalProperties")),
                list(schema.get("properties", {})),
                list(schema.get("patternProperties", {})),
            )
        if "propertyNames" in schema:
            yield PropertyNames(loc("propertyNames"), child(loc("propertyNames")))
        if "dependentSchemas" in schema:
            yield DependentSchemas(loc("dependentSchemas"), named("dependentSchemas"))
        if "prefixItems" in schema:
            yield PrefixItems(loc("prefixItems"), children("prefixItems"))
        if "items" in schema:
            yield Items(loc("items"), child(loc("items")), len(schema.get("prefixItems", [])))
        if "contains" in schema:
            maximum = schema.get("maxContains")
            yield Contains(
                loc("contains"),
                child(loc("contains")),
                _whole(schema.get("minContains", 1), loc("minContains")),
                None if maximum is None else _whole(maximum, loc("maxContains")),
            )
        for name, kind in (("allOf", AllOf), ("anyOf", AnyOf), ("oneOf", OneOf)):
            if name in schema:
                yield kind(loc(name), children(name))
        if "not" in schema:
            yield Not(loc("not"), child(loc("not")))
        if "if" in schema:
            yield IfThenElse(
                loc("if"),
                child(loc("if")),
                child(loc("then")) if "then" in schema else None,
                child(loc("else")) if "else" in schema else None,
                loc("then"),
                loc("else"),
            )
        if "$ref" in schema:
            yield Ref(loc("$ref"), child(self.ref_targets[loc("$ref")]))
        if "unevaluatedProperties" in schema:
            yield UnevaluatedProperties(
                loc("unevaluatedProperties"), child(loc("unevaluatedProperties"))
            )
        if "unevaluatedItems" in schema:
            yield UnevaluatedItems(loc("unevaluatedItems"), child(loc("unevaluatedItems")))
        if ADVICE_KEYWORD in schema:
            yield Advice(loc(ADVICE_KEYWORD), children(ADVICE_KEYWORD))


def _whole(value: Any, location: str) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SchemaError(location, "must be a non-negative integer", _keyword_name(location))
    return value


def _checked_pattern(pattern: str, location: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise SchemaError(
            location,
            f"pattern {pattern!r} is not a regular expression Python can run: {exc}",
            "pattern",
        ) from None
    return pattern


def _refuse_in_place_loops(nodes: list[Node]) -> None:
    """A loop of in-place applicators ($ref, not, allOf, if, ...) that never moves into the
    instance would evaluate forever: refuse it, naming the keywords the loop goes through."""
    done: set[int] = set()
    for start in nodes:
        if start.index in done:
            continue
        # Depth-first with an explicit stack; `through[i]` is the keyword from stack[i] onwards.
        stack = [(start, in_place_edges(start))]
        through: list[str] = []
        active = {start.index: 0}
        while stack:
            node, edges = stack[-1]
            edge = next(edges, None)
            if edge is None:
                stack.pop()
                del active[node.index]
                done.add(node.index)
                if through:
                    through.pop()
                continue
            keyword_location, child = edge
            if child.index in active:
                loop = [*through[active[child.index] :], keyword_location]
                message = (
                    f"the loop through {', '.join(repr(k) for k in loop)} comes back to "
                    f"{child.location or '/'!r} without moving into the instance, so evaluating "
                    "it would never end"
                )
                raise SchemaError(keyword_location, message, _keyword_name(keyword_location))
            if child.index not in done:
                active[child.index] = len(stack)
                stack.append((child, in_place_edges(child)))
                through.append(keyword_location)


# python-jsonschema checks a schema against the meta-schema recursively, about a dozen frames
# per subschema level; the document is checked in pieces of this many levels, so any depth the
# loader admits stays far inside Python's stack.
_METASCHEMA_LEVELS = 16


def check_metaschema(schema: Any) -> None:
    """Raise SchemaError when `schema` is not a valid draft 2020-12 schema."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    validator = Draft202012Validator(_flat_metaschema())
    found: list[tuple[int, str, str]] = []  # (depth, schema path, message)
    pending = [("", schema)]
    while pending:
        location, piece = pending.pop()
        error = best_match(validator.iter_errors(_cut(piece, location, pending)))
        if error is not None:
            path = location + pointer.from_parts(error.absolute_path)
            found.append((len(pointer.split(path)), path, error.message))
    if found:
        # Like best_match over the whole document: the shallowest error, first in order.
        _, path, message = min(found, key=lambda item: item[0])
        raise SchemaError(path, f"not a valid draft 2020-12 schema: {message}")


def _refuse_advice_in_constraints(root: Node) -> None:
    """A `$ref` from the constraints into x-advice would make advice an error: refuse it."""
    seen: set[int] = set()
    work = [root]
    while work:
        node = work.pop()
        if node.index in seen:
            continue
        seen.add(node.index)
        if node.rule is not None and node.rule.severity is Severity.WARNING:
            message = "the constraints reach a warning x-rule (only x-advice may apply it)"
            raise SchemaError(node.location, message, RULE_KEYWORD)
        for keyword in node.keywords:
            if not isinstance(keyword, Advice):
                work.extend(keyword_children(keyword))


@functools.cache
def _flat_metaschema() -> Any:
    """The 2020-12 meta-schema with its vocabularies merged into one schema and `$dynamicRef:
    "#meta"` read as `$ref: "#"` (what it resolves to when checking against the dialect itself).

    Same verdicts and messages as the meta-schema python-jsonschema ships, about five times
    faster (no dynamic scope to search per subschema). Should a vocabulary ever define a
    keyword or a definition another one has, the shipped meta-schema is used as it is.
    """
    from jsonschema import Draft202012Validator
    from jsonschema_specifications import REGISTRY  # type: ignore[import-untyped]

    meta = Draft202012Validator.META_SCHEMA
    properties: dict[str, Any] = dict(meta.get("properties", {}))
    definitions: dict[str, Any] = {}
    for entry in meta["allOf"]:
        vocabulary = REGISTRY.contents(urljoin(meta["$id"], entry["$ref"]))
        for table, part in ((properties, "properties"), (definitions, "$defs")):
            for name, value in vocabulary.get(part, {}).items():
                if table.setdefault(name, value) != value:
                    return meta
    flat = {"type": ["object", "boolean"], "properties": properties, "$defs": definitions}
    return _localized(flat)


def _localized(value: Any) -> Any:
    """`value` with `$dynamicRef: "#meta"` as `$ref: "#"` and every `$ref` to a definition as a
    reference into the merged `$defs` (a meta-schema is shallow: recursion is fine here)."""
    if isinstance(value, list):
        return [_localized(item) for item in value]
    if not isinstance(value, dict):
        return value
    if value.get("$dynamicRef") == "#meta":
        return {"$ref": "#", **_localized({k: v for k, v in value.items() if k != "$dynamicRef"})}
    result = {key: _localized(item) for key, item in value.items()}
    if isinstance(result.get("$ref"), str):
        result["$ref"] = "#" + result["$ref"].partition("#")[2]
    return result


def _cut(schema: Any, location: str, deeper: list[tuple[str, Any]]) -> Any:
    """`schema` down to _METASCHEMA_LEVELS subschema levels; each object subschema below is
    replaced by `true` and queued in `deeper` to be checked as a piece of its own."""

    def cut(value: Any, at: str, levels: int) -> Any:
        if not isinstance(value, dict):
            return value
        if levels == 0:
            deeper.append((at, value))
            return True
        result: dict[str, Any] = {}
        for key, item in value.items():
            info = keywords.KEYWORDS.get(key)
            shape = "none" if info is None else info.subschemas
            here = pointer.join(at, key)
            if shape == "one":
                result[key] = cut(item, here, levels - 1)
            elif shape == "list" and isinstance(item, list):
                result[key] = [
                    cut(s, pointer.join(here, i), levels - 1) for i, s in enumerate(item)
                ]
            elif shape == "map" and isinstance(item, dict):
                result[key] = {
                    n: cut(s, pointer.join(here, n), levels - 1) for n, s in item.items()
                }
            else:
                result[key] = item
        return result

    return cut(schema, location, _METASCHEMA_LEVELS)


def lower(schema: Any, *, check: bool = True, resources: dict[str, Any] | None = None) -> SchemaIR:
    """Check `schema` and lower it to IR. Raises SchemaError for anything it won't compile.

    `resources` maps absolute URIs to other schema documents a `$ref` may name (local files the
    caller already has: nothing is ever fetched). Their places appear in schema paths as `URI#/...`.
    """
    # A JSON round trip gives every subschema its own identity (callers may share sub-dicts).
    try:
        schema = json.loads(json.dumps(schema, allow_nan=False))
        registry = {
            uri: json.loads(json.dumps(doc, allow_nan=False))
            for uri, doc in (resources or {}).items()
        }
    except (TypeError, ValueError) as exc:
        raise SchemaError("", f"schema is not JSON data: {exc}") from None
    if check:
        check_metaschema(schema)
    checker = _Checker()
    try:
        index = SchemaIndex(schema, registry, on_place=checker)
        lowering = _Lowering(index, checker.rule_at)
        root = lowering.lower()
    except RefError as exc:
        raise SchemaError(exc.location, exc.reason, exc.keyword) from None
    _refuse_in_place_loops(lowering.nodes)
    _refuse_advice_in_constraints(root)
    # $defs entries nobody references are still checked (walked), just not compiled.
    return SchemaIR(root, lowering.nodes, checker.rules)
