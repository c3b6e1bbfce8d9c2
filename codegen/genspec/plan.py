"""What every validator emitter decides the same way, whatever language it writes.

The IR says what a schema asserts; this module says how a compiled validator is organised, from
the IR alone and without a line of target syntax, so that the Python emitter and a JavaScript
emitter make the same choices (and their outputs can be compared place by place).

API (all pure functions of the IR, deterministic):
- `constraints(node)`: the keywords that decide validity (everything but the root's x-advice).
- `keyword_kind(keyword)`: the instance kind a keyword applies to ("number", "string", "array",
  "object"), or None when it applies to every instance.
- `check_order(node)`: the one order in which both the fast path (valid or not) and the
  reporting path (every error) visit a node's keywords: `type` first (it narrows the kind),
  then one group per instance kind in `KIND_ORDER`, then the in-place applicators; within a
  group `unevaluated*` come last. Returns an `Order`.
- `rule_groups(all_of)`: sibling `if`/`then` rules of an `allOf` sharing one condition (by
  schema place or equal JSON), so that the condition is tested once and their `then`s merged;
  every other member is kept on its own, in document order.
- `plain_rule(node)`: the `if`/`then` of a subschema that is nothing else, or None.
- `member_table(properties, pattern_properties)`: properties and literal patterns (`^name$`)
  as one name -> subschema table, the remaining regex patterns, and whether a table hit settles
  a member (no regex pattern can match a table name).
- `literal_pattern_name(pattern)`: the one name a `^name$` pattern stands for.
- `Inlining(schema_ir)`: `.trivial(node)`, `.weight(node)`, `.cost(node)`, `.inlinable(node)`:
  which subschemas are checked inline (an expression) and which get a function of their own.
- `Names()`: `.claim(key, stem)` hands out identifiers derived from schema locations
  (`slug(location)`), unique per key and stable under unrelated edits of the spec (a name
  depends on its own place only; a clash is settled by a numeric suffix in claim order).
- `rule_places(schema_ir)` and `place_stem(location, rule_places)`: a place inside a documented
  rule is named from the rule's id (`/allOf/3/then/properties/contrast` ->
  `rule_phoenix_alchemy_contrast_min_then_contrast`), so reordering rules renames nothing.
- `merge(nodes, make)`: a node valid exactly when all `nodes` are, with `properties` and
  `items` merged member by member (for the fast path; reports keep the real places).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from genspec import ir, keywords
from genspec.ir import Node
from genspec.rules import RULE_KEYWORD

KIND_ORDER = ("number", "string", "array", "object")
# Keywords a small subschema can be checked by as one expression (no loop over members).
EXPRESSION_KEYWORDS = (
    ir.Type,
    ir.Const,
    ir.Enum,
    ir.Bound,
    ir.MultipleOf,
    ir.Size,
    ir.Pattern,
    ir.UniqueItems,
    ir.Required,
    ir.DependentRequired,
    ir.Ref,
    ir.Not,
    ir.AnyOf,
    ir.OneOf,
    ir.Properties,
    ir.AllOf,
    ir.IfThenElse,
    ir.DependentSchemas,
)
# Above this many keywords (counting inlined subschemas) a node gets its own function.
INLINE_WEIGHT = 40


def constraints(node: Node) -> list[ir.Keyword]:
    """The keywords that decide validity: all but the root's x-advice (reported apart)."""
    return [kw for kw in node.keywords if not isinstance(kw, ir.Advice)]


def keyword_kind(keyword: ir.Keyword) -> str | None:
    kind = keywords.applies_to(keyword.name)  # the keyword table's
    return None if kind == "any" else kind


@dataclass
class Order:
    """A node's keywords in checking order (see `check_order`)."""

    type: ir.Type | None
    by_kind: list[tuple[str, list[ir.Keyword]]] = field(default_factory=list)
    in_place: list[ir.Keyword] = field(default_factory=list)  # apply to any kind of instance


def _unevaluated_last(keywords: list[ir.Keyword]) -> list[ir.Keyword]:
    # unevaluated* read what every sibling evaluated, so they go last.
    late = (ir.UnevaluatedItems, ir.UnevaluatedProperties)
    return sorted(keywords, key=lambda kw: isinstance(kw, late))


def check_order(node: Node) -> Order:
    order = Order(node.find(ir.Type))
    groups: dict[str, list[ir.Keyword]] = {}
    for keyword in constraints(node):
        kind = keyword_kind(keyword)
        if isinstance(keyword, ir.Type):
            continue
        if kind is None:
            order.in_place.append(keyword)
        else:
            groups.setdefault(kind, []).append(keyword)
    order.by_kind = [(k, _unevaluated_last(groups[k])) for k in KIND_ORDER if k in groups]
    return order


def plain_rule(node: Node) -> ir.IfThenElse | None:
    """The `if`/`then` of a subschema that is nothing else (no `else`), or None."""
    if len(node.keywords) == 1 and isinstance(node.keywords[0], ir.IfThenElse):
        rule = node.keywords[0]
        return rule if rule.otherwise is None and rule.then is not None else None
    return None


def condition_key(node: Node) -> str:
    """Equal for two `if` subschemas that test the same thing (same place or equal JSON)."""
    while len(node.keywords) == 1 and isinstance(node.keywords[0], ir.Ref):
        node = node.keywords[0].target
    return json.dumps(node.schema, sort_keys=True) if node.boolean is None else str(node.boolean)


@dataclass
class RuleGroup:
    """Rules of one allOf with one condition (`condition` is the first rule's `if`)."""

    condition: Node
    thens: list[Node]


def rule_groups(all_of: ir.AllOf) -> tuple[list[Node], list[RuleGroup]]:
    """(members that are not plain rules, in order; plain rules grouped by condition)."""
    others: list[Node] = []
    groups: dict[str, RuleGroup] = {}
    for child in all_of.children:
        rule = plain_rule(child)
        if rule is None or rule.then is None:
            others.append(child)
            continue
        key = condition_key(rule.condition)
        if key in groups:
            groups[key].thens.append(rule.then)
        else:
            groups[key] = RuleGroup(rule.condition, [rule.then])
    return others, list(groups.values())


def literal_pattern_name(pattern: str) -> str | None:
    """The one name a pattern like `^styleUUID$` stands for (besides name + newline), or None."""
    literal = re.fullmatch(r"\^([A-Za-z0-9_-]+)\$", pattern)
    return literal.group(1) if literal else None


def member_table(
    props: dict[str, Node], patterns: ir.PatternProperties | None
) -> tuple[dict[str, Node], list[tuple[str, Node]], bool]:
    """(name -> subschema for properties and literal patterns, the other patterns, exclusive).

    Literal patterns (`^name$`) that name no declared property join the table (a name and the
    name plus one newline, as `$` allows); `exclusive` says no remaining pattern can match a
    table name, so a table hit settles a member.
    """
    table: dict[str, Node] = dict(props)
    regex_patterns: list[tuple[str, Node]] = []
    for pattern, child in patterns.children if patterns else []:
        literal = literal_pattern_name(pattern)
        names = [literal, literal + "\n"] if literal is not None else []
        if names and not any(n in table for n in names):
            table.update(dict.fromkeys(names, child))
        else:
            regex_patterns.append((pattern, child))
    exclusive = not any(re.search(p, n) for p, _ in regex_patterns for n in table)
    return table, regex_patterns, exclusive


class Inlining:
    """Which subschemas are checked inline and which get a function (by keyword weight)."""

    def __init__(self) -> None:
        self.weights: dict[int, int | None] = {}

    @staticmethod
    def trivial(node: Node) -> bool:
        return node.boolean is True or (node.boolean is None and not constraints(node))

    def weight(self, node: Node) -> int | None:
        """Keywords in `node` and the subschemas an expression would inline; None: not inlinable."""
        if node.index in self.weights:
            return self.weights[node.index]
        self.weights[node.index] = None  # a cycle back here means: recursive, never inline
        total: int | None = 1
        for kw in constraints(node):
            if not isinstance(kw, EXPRESSION_KEYWORDS):
                total = None
                break
            children = [c for c in ir.keyword_children(kw) if not self.trivial(c)]
            weights = [self.weight(c) for c in children]
            if any(w is None for w in weights):
                total = None
                break
            total = (total or 0) + 1 + sum(w or 0 for w in weights)
        self.weights[node.index] = total
        return total

    def cost(self, node: Node) -> int:
        """A rough price of checking `node` (functions count as expensive)."""
        weight = self.weight(node)
        return 1000 if weight is None else weight

    def inlinable(self, node: Node) -> bool:
        weight = self.weight(node)
        return weight is not None and weight <= INLINE_WEIGHT


def merge(nodes: list[Node], make: Callable[[str, list[ir.Keyword]], Node]) -> Node:
    """A node valid exactly when all of `nodes` are, with `properties` and `items` merged.

    allOf[{properties: {p: A}}, {properties: {p: B}}] is {properties: {p: allOf[A, B]}}, and
    likewise for `items`. `make(location, keywords)` creates the new nodes (the caller numbers
    them); they exist only for the fast path.
    """
    nodes = [node for node in nodes if not Inlining.trivial(node)]
    if len(nodes) == 1:
        return nodes[0]
    first = nodes[0].location if nodes else ""
    kinds = {type(kw) for node in nodes for kw in node.keywords}
    if nodes and all(node.boolean is None for node in nodes):
        if kinds == {ir.Properties}:
            members: dict[str, list[Node]] = {}
            for node in nodes:
                for keyword in node.keywords:
                    assert isinstance(keyword, ir.Properties)
                    for name, child in keyword.children.items():
                        members.setdefault(name, []).append(child)
            merged = {name: merge(group, make) for name, group in members.items()}
            return make(first, [ir.Properties(first, merged)])
        items = [kw for node in nodes for kw in node.keywords if isinstance(kw, ir.Items)]
        if kinds == {ir.Items} and len({kw.start for kw in items}) == 1:
            item = merge([kw.child for kw in items], make)
            return make(first, [ir.Items(first, item, items[0].start)])
    return make(first, [ir.AllOf(first, nodes)])


_UNSAFE = re.compile(r"[^0-9A-Za-z]+")
# Tokens that only say "a member name follows": left out of names, which stay readable.
_SILENT_TOKENS = frozenset({"properties", "$defs"})


def slug(location: str) -> str:
    """An identifier fragment for a schema location: `/properties/a-b/items/0` -> `a_b_items_0`."""
    if "#" in location:  # another document: `URI#/...`; the URI's last segment names it
        uri, _, location = location.partition("#")
        head = _UNSAFE.sub("_", uri.rstrip("/").rsplit("/", 1)[-1]).strip("_")
    else:
        head = ""
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in location.split("/")[1:]]
    parts = [head] if head else []
    for token in tokens:
        if token in _SILENT_TOKENS:
            continue
        part = _UNSAFE.sub("_", token).strip("_")
        parts.append(part or "_")
    text = "_".join(parts) or "root"
    return text if not text[0].isdigit() else "n" + text


class Names:
    """Identifiers handed out by key: one per key, distinct, derived from a stem."""

    def __init__(self, reserved: frozenset[str] = frozenset()) -> None:
        self.by_key: dict[object, str] = {}
        self.taken: set[str] = set(reserved)

    def claim(self, key: object, stem: str) -> str:
        if key in self.by_key:
            return self.by_key[key]
        name, suffix = stem, 1
        while name in self.taken:
            suffix += 1
            name = f"{stem}_{suffix}"
        self.taken.add(name)
        self.by_key[key] = name
        return name


def rule_places(schema_ir: ir.SchemaIR) -> dict[str, str]:
    """Location of every subschema carrying an `x-rule` -> that rule's id."""
    return {
        node.location: node.rule.id
        for node in schema_ir.nodes
        if node.rule is not None and isinstance(node.schema, dict) and RULE_KEYWORD in node.schema
    }


def place_stem(location: str, rules: dict[str, str]) -> str:
    """`slug(location)`, with the part up to an enclosing rule's place replaced by its id."""
    probe = location
    while probe:
        if probe in rules:
            head = "rule_" + _UNSAFE.sub("_", rules[probe]).strip("_")
            rest = slug(location[len(probe) :]) if location != probe else ""
            return f"{head}_{rest}" if rest else head
        # Up one pointer token; a location of another document (a URI) stops at its scheme.
        parent = probe.rsplit("/", 1)[0] if "/" in probe else ""
        probe = "" if parent == probe else parent
    return slug(location)
