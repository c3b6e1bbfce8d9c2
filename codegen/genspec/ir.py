"""Load-and-check, then lower a JSON Schema (draft 2020-12) into a small typed IR.

The IR is a graph of `Node`s, one per subschema location, each with an ordered list of keyword
records. Everything the emitters and the strategy generator need is decided here: which
keywords exist (the keyword table below is data), how `$ref` resolves, which documented rule
(`x-rule`) a subschema belongs to, and which nodes must report evaluated properties/items for
`unevaluated*`. A keyword outside the table is refused with its name and schema path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import unquote, urldefrag, urljoin

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# Keywords that only annotate: accepted, never asserted (format is an annotation in 2020-12's
# default vocabulary; content* likewise).
ANNOTATION_KEYWORDS = frozenset(
    {
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "$comment",
        "format",
        "contentMediaType",
        "contentEncoding",
        "contentSchema",
    }
)
# Keywords that identify or structure the document rather than assert.
STRUCTURE_KEYWORDS = frozenset({"$schema", "$id", "$anchor", "$defs"})
REFUSED_KEYWORDS = {
    "$dynamicRef": "dynamic references are not supported",
    "$dynamicAnchor": "dynamic anchors are not supported",
    "$recursiveRef": "draft 2019-09 recursive references are not supported",
    "$recursiveAnchor": "draft 2019-09 recursive anchors are not supported",
    "$vocabulary": "custom vocabularies are not supported",
}
RULE_KEYWORD = "x-rule"
# Root-only: subschemas of advice, each a warning x-rule applied to the root instance. Standard
# validators ignore it (an `x-` annotation); genspec reports its failures as warnings only.
ADVICE_KEYWORD = "x-advice"

# Keywords holding subschemas, by shape. Walking the document and lowering it both read these.
SINGLE_SUBSCHEMA = (
    "additionalProperties",
    "propertyNames",
    "items",
    "contains",
    "not",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
)
# Numeric bounds and size limits, each keyword with the instance kind it limits.
BOUND_KEYWORDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
SIZE_KEYWORDS = {
    "minLength": "string",
    "maxLength": "string",
    "minItems": "array",
    "maxItems": "array",
    "minProperties": "object",
    "maxProperties": "object",
}
MAP_SUBSCHEMAS = ("properties", "patternProperties", "dependentSchemas", "$defs")
LIST_SUBSCHEMAS = ("allOf", "anyOf", "oneOf", "prefixItems")
ASSERTION_KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "minLength",
        "maxLength",
        "pattern",
        "minItems",
        "maxItems",
        "uniqueItems",
        "minContains",
        "maxContains",
        "minProperties",
        "maxProperties",
        "required",
        "dependentRequired",
        "$ref",
    }
)
SUPPORTED_KEYWORDS = (
    ASSERTION_KEYWORDS
    | frozenset(SINGLE_SUBSCHEMA)
    | frozenset(MAP_SUBSCHEMAS)
    | frozenset(LIST_SUBSCHEMAS)
)
JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
# Instance categories a keyword can apply to (integer is a kind of number).
CATEGORY = {"integer": "number", **{name: name for name in JSON_TYPES if name != "integer"}}


class SchemaError(Exception):
    """A schema the compiler will not compile; says which keyword, where, and why."""

    def __init__(self, path: str, message: str, keyword: str | None = None) -> None:
        self.path = path
        self.keyword = keyword
        self.reason = message
        where = f"keyword {keyword!r} at schema path {path or '/'!r}" if keyword else path or "/"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class RuleInfo:
    id: str
    severity: str
    message: str
    source: str = ""
    reference: str = ""


KeywordT = TypeVar("KeywordT", bound="Keyword")


# ---- keyword records ----------------------------------------------------------------------------
# Each keeps `location`, the JSON Pointer of the keyword in the document, for error reports.


@dataclass
class Keyword:
    location: str

    @property
    def name(self) -> str:
        return self.location.rsplit("/", 1)[-1]


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


@dataclass(eq=False)
class Node:
    """One subschema location. `boolean` is set for the schemas `true` and `false`."""

    index: int
    location: str
    boolean: bool | None = None
    keywords: list[Keyword] = field(default_factory=list)
    rule: RuleInfo | None = None
    schema: Any = None  # the subschema itself, for consumers that want annotations (default, ...)

    def __repr__(self) -> str:  # nodes form cycles through $ref: never recurse into them
        return f"Node(#{self.index} at {self.location or '/'!r})"

    @property
    def types(self) -> frozenset[str] | None:
        """Instance categories this node admits per its `type` keyword (None: no `type`)."""
        for keyword in self.keywords:
            if isinstance(keyword, Type):
                return frozenset(CATEGORY[name] for name in keyword.types)
        return None

    def find(self, kind: type[KeywordT]) -> KeywordT | None:
        for keyword in self.keywords:
            if isinstance(keyword, kind):
                return keyword
        return None

    def children(self) -> Iterator[Node]:
        """Direct subschema nodes, including $ref targets."""
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
    root: Node
    nodes: list[Node]
    rules: dict[str, RuleInfo]

    def needs_annotations(self) -> set[int]:
        """Indices of nodes whose evaluated properties/items an `unevaluated*` keyword reads.

        Those are the in-place descendants (allOf/anyOf/oneOf/if/then/else/dependentSchemas/$ref)
        of any node carrying unevaluatedProperties or unevaluatedItems.
        """
        needed: set[int] = set()
        work = [n for n in self.nodes if n.find(UnevaluatedProperties) or n.find(UnevaluatedItems)]
        while work:
            node = work.pop()
            if node.index in needed:
                continue
            needed.add(node.index)
            work.extend(in_place_children(node))
        return needed


def in_place_children(node: Node) -> Iterator[Node]:
    """Subschemas applied to the same instance as `node` (they share its annotations)."""
    for keyword in node.keywords:
        match keyword:
            case AllOf(children=c) | AnyOf(children=c) | OneOf(children=c):
                yield from c
            case IfThenElse(condition=cond, then=then, otherwise=otherwise):
                yield from (n for n in (cond, then, otherwise) if n is not None)
            case DependentSchemas(children=c):
                yield from c.values()
            case Ref(target=target):
                yield target


# ---- document walking and reference resolution -------------------------------------------------


def escape_pointer_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _join_uri(base: str, reference: str) -> str:
    if reference.startswith("#"):
        return urldefrag(base)[0] + reference
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", reference):
        return reference
    return urljoin(base, reference)


@dataclass
class _Place:
    """A subschema of the document: the value, its base URI and its enclosing rule."""

    schema: Any
    base: str
    rule: RuleInfo | None


class _Document:
    """Indexes every subschema of one document by location, with $id resources and anchors."""

    def __init__(self, schema: Any, registry: dict[str, Any]) -> None:
        self.registry = registry  # other documents by URI, walked when first referenced
        self.places: dict[str, _Place] = {}
        self.resources: dict[str, str] = {}  # absolute URI -> location
        self.anchors: dict[str, str] = {}  # absolute URI with #anchor -> location
        self.rules: dict[str, RuleInfo] = {}
        self._walk(schema, "", "", None)

    def _walk(
        self, schema: Any, location: str, base: str, rule: RuleInfo | None, advice: bool = False
    ) -> None:
        if isinstance(schema, bool):
            self.places[location] = _Place(schema, base, rule)
            return
        if not isinstance(schema, dict):
            raise SchemaError(location, "a schema must be an object or a boolean")
        for keyword in schema:
            self._check_keyword(schema, keyword, location)
        if "$id" in schema:
            base = urldefrag(_join_uri(base, schema["$id"]))[0]
            self.resources[base] = location
        elif location == "":
            self.resources[base] = location
        if "$anchor" in schema:
            self.anchors[f"{base}#{schema['$anchor']}"] = location
        if RULE_KEYWORD in schema:
            rule = self._read_rule(schema[RULE_KEYWORD], f"{location}/{RULE_KEYWORD}")
            if (rule.severity == "warning") is not advice:
                where = f"{location}/{RULE_KEYWORD}"
                message = (
                    "inside x-advice every x-rule must be a warning"
                    if advice
                    else "a warning x-rule belongs in the root's x-advice, not in the constraints"
                )
                raise SchemaError(where, message, RULE_KEYWORD)
        self.places[location] = _Place(schema, base, rule)
        for keyword, value in schema.items():
            here = f"{location}/{escape_pointer_token(keyword)}"
            if keyword in SINGLE_SUBSCHEMA:
                self._walk(value, here, base, rule, advice)
            elif keyword in MAP_SUBSCHEMAS:
                for name, child in value.items():
                    self._walk(child, f"{here}/{escape_pointer_token(name)}", base, rule, advice)
            elif keyword in LIST_SUBSCHEMAS:
                for position, child in enumerate(value):
                    self._walk(child, f"{here}/{position}", base, rule, advice)
            elif keyword == ADVICE_KEYWORD:
                self._walk_advice(value, here, base, at_root=location == "" and not advice)

    def _walk_advice(self, value: Any, location: str, base: str, *, at_root: bool) -> None:
        if not at_root:
            raise SchemaError(location, "x-advice is only read at the root", ADVICE_KEYWORD)
        if not isinstance(value, list):
            raise SchemaError(location, "x-advice must be an array of schemas", ADVICE_KEYWORD)
        for position, child in enumerate(value):
            here = f"{location}/{position}"
            if not isinstance(child, dict) or RULE_KEYWORD not in child:
                message = "each x-advice entry is a schema with a warning x-rule"
                raise SchemaError(here, message, ADVICE_KEYWORD)
            self._walk(child, here, base, None, advice=True)

    def _check_keyword(self, schema: dict[str, Any], keyword: str, location: str) -> None:
        here = f"{location}/{escape_pointer_token(keyword)}"
        if keyword in REFUSED_KEYWORDS:
            raise SchemaError(here, REFUSED_KEYWORDS[keyword], keyword)
        if keyword == "$schema" and schema[keyword].rstrip("#") != DRAFT_2020_12:
            message = f"only draft 2020-12 is supported, not {schema[keyword]!r}"
            raise SchemaError(here, message, keyword)
        if keyword.startswith("x-") or keyword in ANNOTATION_KEYWORDS:
            return
        if keyword not in SUPPORTED_KEYWORDS and keyword not in STRUCTURE_KEYWORDS:
            message = "unknown keyword (annotations must start with 'x-'); refusing to ignore it"
            raise SchemaError(here, message, keyword)

    def _read_rule(self, value: Any, location: str) -> RuleInfo:
        def refuse(message: str) -> SchemaError:
            return SchemaError(location, message, RULE_KEYWORD)

        if not isinstance(value, dict):
            raise refuse("x-rule must be an object")
        for name in ("id", "severity", "message"):
            if not isinstance(value.get(name), str) or not value[name]:
                raise refuse(f"x-rule needs a non-empty string {name!r}")
        if value["severity"] not in ("error", "warning"):
            raise refuse("x-rule severity must be 'error' or 'warning'")
        rule = RuleInfo(
            value["id"],
            value["severity"],
            value["message"],
            str(value.get("source", "")),
            str(value.get("reference", "")),
        )
        if self.rules.setdefault(rule.id, rule) != rule:
            raise refuse(f"duplicate x-rule id {rule.id!r}")
        return rule

    def resolve(self, reference: str, base: str, location: str) -> str:
        """The document location a `$ref` points at."""
        uri, fragment = urldefrag(_join_uri(base, reference))
        if uri not in self.resources and uri in self.registry:
            self.resources[uri] = f"{uri}#"
            self._walk(self.registry[uri], f"{uri}#", uri, None)
        if uri not in self.resources:
            message = f"remote reference {reference!r} (outside this document) is not supported"
            raise SchemaError(location, message, "$ref")
        if fragment and not fragment.startswith("/"):
            target = self.anchors.get(f"{uri}#{fragment}")
            if target is None:
                raise SchemaError(location, f"no $anchor {fragment!r} for {reference!r}", "$ref")
            return target
        target = self.resources[uri] + unquote(fragment)
        if target not in self.places:
            message = f"$ref {reference!r} does not point at a subschema"
            raise SchemaError(location, message, "$ref")
        return target


# ---- lowering -----------------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Lowering:
    def __init__(self, document: _Document) -> None:
        self.document = document
        self.nodes: list[Node] = []
        self.by_location: dict[str, Node] = {}

    def node(self, location: str) -> Node:
        if location in self.by_location:
            return self.by_location[location]
        place = self.document.places[location]
        node = Node(len(self.nodes), location, rule=place.rule, schema=place.schema)
        self.nodes.append(node)
        self.by_location[location] = node
        if isinstance(place.schema, bool):
            node.boolean = place.schema
        else:
            node.keywords = list(self._keywords(place.schema, place, location))
        return node

    def _child(self, schema: Any, location: str) -> Node:
        return self.node(location)

    def _keywords(self, schema: dict[str, Any], place: _Place, at: str) -> Iterator[Keyword]:
        def loc(keyword: str) -> str:
            return f"{at}/{escape_pointer_token(keyword)}"

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
            yield Properties(
                loc("properties"),
                {
                    name: self._child(sub, f"{loc('properties')}/{escape_pointer_token(name)}")
                    for name, sub in schema["properties"].items()
                },
            )
        if "patternProperties" in schema:
            base = loc("patternProperties")
            yield PatternProperties(
                base,
                [
                    (
                        _checked_pattern(p, f"{base}/{escape_pointer_token(p)}"),
                        self._child(sub, f"{base}/{escape_pointer_token(p)}"),
                    )
                    for p, sub in schema["patternProperties"].items()
                ],
            )
        if "additionalProperties" in schema:
            yield AdditionalProperties(
                loc("additionalProperties"),
                self._child(schema["additionalProperties"], loc("additionalProperties")),
                list(schema.get("properties", {})),
                list(schema.get("patternProperties", {})),
            )
        if "propertyNames" in schema:
            yield PropertyNames(
                loc("propertyNames"), self._child(schema["propertyNames"], loc("propertyNames"))
            )
        if "dependentSchemas" in schema:
            base = loc("dependentSchemas")
            yield DependentSchemas(
                base,
                {
                    name: self._child(sub, f"{base}/{escape_pointer_token(name)}")
                    for name, sub in schema["dependentSchemas"].items()
                },
            )
        if "prefixItems" in schema:
            base = loc("prefixItems")
            yield PrefixItems(
                base,
                [self._child(sub, f"{base}/{i}") for i, sub in enumerate(schema["prefixItems"])],
            )
        if "items" in schema:
            yield Items(
                loc("items"),
                self._child(schema["items"], loc("items")),
                len(schema.get("prefixItems", [])),
            )
        if "contains" in schema:
            maximum = schema.get("maxContains")
            yield Contains(
                loc("contains"),
                self._child(schema["contains"], loc("contains")),
                _whole(schema.get("minContains", 1), loc("minContains")),
                None if maximum is None else _whole(maximum, loc("maxContains")),
            )
        for name, kind in (("allOf", AllOf), ("anyOf", AnyOf), ("oneOf", OneOf)):
            if name in schema:
                yield kind(
                    loc(name),
                    [self._child(sub, f"{loc(name)}/{i}") for i, sub in enumerate(schema[name])],
                )
        if "not" in schema:
            yield Not(loc("not"), self._child(schema["not"], loc("not")))
        if "if" in schema:
            yield IfThenElse(
                loc("if"),
                self._child(schema["if"], loc("if")),
                self._child(schema["then"], loc("then")) if "then" in schema else None,
                self._child(schema["else"], loc("else")) if "else" in schema else None,
                loc("then"),
                loc("else"),
            )
        if "$ref" in schema:
            target = self.document.resolve(schema["$ref"], place.base, loc("$ref"))
            yield Ref(loc("$ref"), self.node(target))
        if "unevaluatedProperties" in schema:
            yield UnevaluatedProperties(
                loc("unevaluatedProperties"),
                self._child(schema["unevaluatedProperties"], loc("unevaluatedProperties")),
            )
        if "unevaluatedItems" in schema:
            yield UnevaluatedItems(
                loc("unevaluatedItems"),
                self._child(schema["unevaluatedItems"], loc("unevaluatedItems")),
            )
        if ADVICE_KEYWORD in schema:
            base = loc(ADVICE_KEYWORD)
            entries = schema[ADVICE_KEYWORD]
            yield Advice(base, [self._child(sub, f"{base}/{i}") for i, sub in enumerate(entries)])


def _whole(value: Any, location: str) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SchemaError(location, "must be a non-negative integer", location.rsplit("/", 1)[-1])
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


def _refuse_in_place_cycles(nodes: list[Node]) -> None:
    """A `$ref` loop that never moves into the instance would recurse forever: refuse it."""
    state: dict[int, str] = {}  # node index -> "active" while on the DFS stack, then "done"

    def visit(node: Node) -> None:
        state[node.index] = "active"
        for keyword in node.keywords:
            for child in in_place_children(Node(node.index, node.location, keywords=[keyword])):
                if state.get(child.index) == "active":
                    where = child.location or "/"
                    message = f"$ref cycle back to {where!r} never moves into the instance"
                    raise SchemaError(keyword.location, message, keyword.name)
                if child.index not in state:
                    visit(child)
        state[node.index] = "done"

    for node in nodes:
        if node.index not in state:
            visit(node)


def _refuse_advice_in_constraints(root: Node) -> None:
    """A `$ref` from the constraints into x-advice would make advice an error: refuse it."""
    seen: set[int] = set()
    work = [root]
    while work:
        node = work.pop()
        if node.index in seen:
            continue
        seen.add(node.index)
        if node.rule is not None and node.rule.severity == "warning":
            message = "the constraints reach a warning x-rule (only x-advice may apply it)"
            raise SchemaError(node.location, message, RULE_KEYWORD)
        for keyword in node.keywords:
            if not isinstance(keyword, Advice):
                work.extend(keyword_children(keyword))


def check_metaschema(schema: Any) -> None:
    """Raise SchemaError when `schema` is not a valid draft 2020-12 schema."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    error = best_match(Draft202012Validator(Draft202012Validator.META_SCHEMA).iter_errors(schema))
    if error is not None:
        path = "".join(f"/{escape_pointer_token(str(p))}" for p in error.absolute_path)
        raise SchemaError(path, f"not a valid draft 2020-12 schema: {error.message}")


def lower(schema: Any, *, check: bool = True, resources: dict[str, Any] | None = None) -> SchemaIR:
    """Check `schema` and lower it to IR. Raises SchemaError for anything it won't compile.

    `resources` maps absolute URIs to other schema documents a `$ref` may name (local files the
    caller already has: nothing is ever fetched). Their places appear in schema paths as `URI#/...`.
    """
    # A JSON round trip gives every subschema its own identity (callers may share sub-dicts).
    try:
        schema = json.loads(json.dumps(schema, allow_nan=False))
        registry = {
            urldefrag(uri)[0]: json.loads(json.dumps(doc, allow_nan=False))
            for uri, doc in (resources or {}).items()
        }
    except (TypeError, ValueError) as exc:
        raise SchemaError("", f"schema is not JSON data: {exc}") from None
    if check:
        check_metaschema(schema)
    document = _Document(schema, registry)
    lowering = _Lowering(document)
    root = lowering.node("")
    _refuse_in_place_cycles(lowering.nodes)
    _refuse_advice_in_constraints(root)
    # $defs entries nobody references are still checked (walked), just not compiled.
    return SchemaIR(root, lowering.nodes, document.rules)
