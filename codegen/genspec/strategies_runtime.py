"""Hypothesis strategies that draw instances of a JSON Schema by construction.

The schema comes in as plain data, one entry per subschema keyed by its location (a JSON
Pointer): `True`/`False`, or a dict of its keywords with every subschema and `$ref` target
given by location. `genspec.strategies.describe` writes that data from the IR; `genspec
generate` copies this module verbatim into the generated package beside it, so it needs only
hypothesis and the standard library.

Each value is planned first (which branch of each anyOf/oneOf/if to take, which keyword a
subschema that must fail breaks, keeping only satisfiable choices), then drawn from the plan,
then checked against this module's own reading of the schema. No compiled validator is ever
consulted: the drawn instances are inputs for testing validators, never chosen by them.

- `valid_requests()`: instances meeting every constraint (advice is not a constraint: a draw
  may or may not trigger it).
- `violating(rule_id)`: for a rule in the constraints, a near miss that breaks that rule alone;
  for an advice rule, an instance meeting every constraint that triggers that advice.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st

__all__ = ["Strategies"]

_MAX_DEPTH = 4  # below this many levels, optional members and items are left out
_ATTEMPTS = 6  # fresh plans tried for one value before giving up on it
_STEPS = 3000  # plan steps before a (recursive) schema is declared too hard to construct

_KINDS = ("null", "boolean", "integer", "float", "string", "array", "object")
_TYPE_KINDS: dict[str, frozenset[str]] = {
    "null": frozenset({"null"}),
    "boolean": frozenset({"boolean"}),
    "integer": frozenset({"integer"}),
    "number": frozenset({"integer", "float"}),
    "string": frozenset({"string"}),
    "array": frozenset({"array"}),
    "object": frozenset({"object"}),
}
_NUMBER = frozenset({"integer", "float"})
# Keywords whose value holds subschemas, by shape: the only places a location is a reference.
_ONE_CHILD = frozenset(
    {
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
        "$ref",
    }
)
_CHILD_MAP = frozenset({"properties", "dependentSchemas"})
_CHILD_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})

Entry = bool | dict[str, Any]


@dataclass(eq=False)
class _Context:
    """What every planning and checking step reads: the entries (subschemas by number), the
    one entry whose verdict is inverted (`flip`, the rule a near miss breaks), and the kinds
    each keyword constrains."""

    nodes: tuple[Entry, ...]
    flip: int | None
    keyword_kinds: Mapping[str, frozenset[str]]
    possible: dict[tuple[tuple[int, ...], tuple[int, ...]], bool] = field(default_factory=dict)


class _Unsat(Exception):
    """The choices made so far cannot be completed into a value."""


# ---- JSON values ---------------------------------------------------------------------------------


def _kind(x: Any) -> str:
    if x is None:
        return "null"
    if x is True or x is False:
        return "boolean"
    if type(x) is int or (type(x) is float and x.is_integer()):
        return "integer"
    if type(x) is float:
        return "float"
    if isinstance(x, str):
        return "string"
    return "array" if isinstance(x, list) else "object"


def _same(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, true != 1, containers compare deeply."""
    kind_a, kind_b = _kind(a), _kind(b)
    if kind_a in _NUMBER and kind_b in _NUMBER:
        return bool(a == b)
    if kind_a != kind_b:
        return False
    if kind_a == "array":
        return len(a) == len(b) and all(_same(p, q) for p, q in zip(a, b, strict=True))
    if kind_a == "object":
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _decimal(number: int | float) -> Fraction:
    return Fraction(number) if type(number) is int else Fraction(repr(number))


def _multiple(x: int | float, divisor: int | float) -> bool:
    return _decimal(x) % _decimal(divisor) == 0


def _matches(pattern: str, text: str) -> bool:
    return re.search(pattern, text) is not None


# ---- checking: this module's own reading of the schema, which every draw must pass --------


def _holds(index: int, x: Any, ctx: _Context) -> bool:
    return _evaluate(index, x, ctx) is not None


def _evaluate(index: int, x: Any, ctx: _Context) -> set[Any] | None:
    """The properties/items `x` had evaluated by entry `index`, or None when it fails there.

    `flip` names the one entry whose verdict is inverted (the rule a near miss breaks).
    """
    seen = _evaluate_node(ctx.nodes[index], x, ctx)
    if index == ctx.flip:
        return set() if seen is None else None
    return seen


def _evaluate_node(node: Any, x: Any, ctx: _Context) -> set[Any] | None:
    if isinstance(node, bool):
        return set() if node else None
    kind = _kind(x)
    if "type" in node and not any(kind in _TYPE_KINDS[name] for name in node["type"]):
        return None
    if "const" in node and not _same(x, node["const"]):
        return None
    if "enum" in node and not any(_same(x, value) for value in node["enum"]):
        return None
    if (kind in _NUMBER and not _number_holds(node, x)) or (
        kind == "string" and not _string_holds(node, x)
    ):
        return None
    seen: set[Any] | None = set()
    if kind == "array":
        seen = _array_seen(node, x, ctx)
    elif kind == "object":
        seen = _object_seen(node, x, ctx)
    in_place = _in_place_seen(node, x, ctx)
    if seen is None or in_place is None:
        return None
    seen |= in_place
    return _unevaluated_seen(node, x, kind, seen, ctx)


def _number_holds(node: dict[str, Any], x: int | float) -> bool:
    return (
        ("minimum" not in node or x >= node["minimum"])
        and ("maximum" not in node or x <= node["maximum"])
        and ("exclusiveMinimum" not in node or x > node["exclusiveMinimum"])
        and ("exclusiveMaximum" not in node or x < node["exclusiveMaximum"])
        and ("multipleOf" not in node or _multiple(x, node["multipleOf"]))
    )


def _string_holds(node: dict[str, Any], x: str) -> bool:
    return (
        ("minLength" not in node or len(x) >= node["minLength"])
        and ("maxLength" not in node or len(x) <= node["maxLength"])
        and ("pattern" not in node or _matches(node["pattern"], x))
    )


def _array_seen(node: dict[str, Any], x: list[Any], ctx: _Context) -> set[Any] | None:
    if not node.get("minItems", 0) <= len(x) <= node.get("maxItems", len(x)):
        return None
    if node.get("uniqueItems") and any(_same(x[i], x[j]) for i in range(len(x)) for j in range(i)):
        return None
    seen: set[Any] = set()
    prefix = node.get("prefixItems", [])
    for position, child in enumerate(prefix[: len(x)]):
        if not _holds(child, x[position], ctx):
            return None
        seen.add(position)
    if "items" in node:
        if not all(_holds(node["items"], item, ctx) for item in x[len(prefix) :]):
            return None
        seen.update(range(len(x)))
    if "contains" in node:
        hits = {i for i, item in enumerate(x) if _holds(node["contains"], item, ctx)}
        if not node.get("minContains", 1) <= len(hits) <= node.get("maxContains", len(hits)):
            return None
        seen |= hits
    return seen


def _object_seen(node: dict[str, Any], x: dict[str, Any], ctx: _Context) -> set[Any] | None:
    if not node.get("minProperties", 0) <= len(x) <= node.get("maxProperties", len(x)):
        return None
    if any(name not in x for name in node.get("required", [])):
        return None
    for name, others in node.get("dependentRequired", {}).items():
        if name in x and any(other not in x for other in others):
            return None
    if "propertyNames" in node and not all(_holds(node["propertyNames"], k, ctx) for k in x):
        return None
    seen: set[Any] = set()
    for key, value in x.items():
        children = _member_children(node, key)
        if not all(_holds(child, value, ctx) for child in children):
            return None
        if children:
            seen.add(key)
    return seen


def _member_children(node: dict[str, Any], key: str) -> list[int]:
    """The entries a member named `key` must satisfy under `node`'s member keywords."""
    children = []
    if key in node.get("properties", {}):
        children.append(node["properties"][key])
    children += [
        child for pattern, child in node.get("patternProperties", []) if _matches(pattern, key)
    ]
    if "additionalProperties" in node and not children:
        children.append(node["additionalProperties"])
    return children


def _in_place_seen(node: dict[str, Any], x: Any, ctx: _Context) -> set[Any] | None:
    """Subschemas applied to `x` itself: $ref, allOf, anyOf, oneOf, not, if, dependentSchemas."""
    seen: set[Any] = set()
    musts = list(node.get("allOf", []))
    if "$ref" in node:
        musts.append(node["$ref"])
    if isinstance(x, dict):
        musts += [child for name, child in node.get("dependentSchemas", {}).items() if name in x]
    for child in musts:
        part = _evaluate(child, x, ctx)
        if part is None:
            return None
        seen |= part
    for keyword, wanted in (("anyOf", range(1, 1 << 30)), ("oneOf", range(1, 2))):
        if keyword in node:
            parts = [_evaluate(child, x, ctx) for child in node[keyword]]
            passing = [part for part in parts if part is not None]
            if len(passing) not in wanted:
                return None
            for part in passing:
                seen |= part
    if "not" in node and _holds(node["not"], x, ctx):
        return None
    if "if" in node:
        condition = _evaluate(node["if"], x, ctx)
        branch = node.get("then" if condition is not None else "else")
        part = set() if branch is None else _evaluate(branch, x, ctx)
        if part is None:
            return None
        seen |= part | (condition or set())
    return seen


def _unevaluated_seen(
    node: dict[str, Any], x: Any, kind: str, seen: set[Any], ctx: _Context
) -> set[Any] | None:
    if kind == "object" and "unevaluatedProperties" in node:
        child = node["unevaluatedProperties"]
        if not all(_holds(child, x[k], ctx) for k in x if k not in seen):
            return None
        seen |= set(x)
    if kind == "array" and "unevaluatedItems" in node:
        child = node["unevaluatedItems"]
        if not all(_holds(child, item, ctx) for i, item in enumerate(x) if i not in seen):
            return None
        seen |= set(range(len(x)))
    return seen


# ---- planning: which keywords a value must meet, and which it must break ----------------------

# A move is one step of a plan:
#   ("node", entry, holds)   entry must hold (True) or fail (False) on the value
#   ("break", node, keyword) that keyword of that node must fail (the value is of its kind)
#   ("present", name) / ("absent", name)   object members
#   ("member", name, entry)  member `name` is present and fails entry
#   ("extra", pattern, entry)  a member outside the known names (matching pattern) fails entry
#   ("bad-name", entry)       some member's name fails entry (propertyNames)
#   ("item", position, entry) the item at position (or any item from -position-1 on) fails entry
Move = tuple[Any, ...]


@dataclass
class _Plan:
    ctx: _Context
    checks: list[tuple[int, bool]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    breaks: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    present: set[str] = field(default_factory=set)
    absent: set[str] = field(default_factory=set)
    member_fails: dict[str, list[int]] = field(default_factory=dict)
    extras: list[tuple[str | None, int]] = field(default_factory=list)
    bad_names: list[int] = field(default_factory=list)
    item_fails: list[tuple[int, int]] = field(default_factory=list)
    choices: list[list[list[Move]]] = field(default_factory=list)
    steps: int = 0
    members: dict[str, tuple[int, list[int]]] = field(
        default_factory=dict
    )  # name -> (facts read, entries)

    def copy(self) -> _Plan:
        return _Plan(
            self.ctx, list(self.checks), list(self.facts), list(self.breaks), set(self.present),
            set(self.absent), {k: list(v) for k, v in self.member_fails.items()},
            list(self.extras), list(self.bad_names), list(self.item_fails), list(self.choices),
            self.steps, dict(self.members),
        )  # fmt: skip

    # -- applying moves --
    def apply(self, move: Move) -> None:
        self.steps += 1
        if self.steps > _STEPS:
            raise _Unsat
        match move:
            case ("node", int(index), bool(holds)):
                self._node(index, holds)
            case ("break", node, str(keyword)):
                self.breaks.append((node, keyword))
            case ("present", str(name)):
                self.present.add(name)
            case ("absent", str(name)):
                self.absent.add(name)
            case ("member", str(name), int(index)):
                self.present.add(name)
                self.member_fails.setdefault(name, []).append(index)
            case ("extra", pattern, int(index)):
                self.extras.append((pattern, index))
            case ("bad-name", int(index)):
                self.bad_names.append(index)
            case ("item", int(position), int(index)):
                self.item_fails.append((position, index))

    def _node(self, index: int, holds: bool) -> None:
        self.checks.append((index, holds))
        node = self.ctx.nodes[index]
        if index == self.ctx.flip:
            holds = not holds
        if isinstance(node, bool):
            if node != holds:
                raise _Unsat
            return
        if holds:
            self.facts.append(node)
            always, *choices = _meet(node)
            for move in always[0]:
                self.apply(move)
            self.choices += choices
            return
        ways = _break(node)
        if not ways:
            raise _Unsat
        if len(ways) > 1:
            self.choices.append(ways)
            return
        for move in ways[0]:  # the only way to fail: take it now, so feasibility sees it
            self.apply(move)

    # -- what the plan says about the value itself --
    def kinds(self) -> frozenset[str]:
        kinds = frozenset(_KINDS)
        for node in self.facts:
            if "type" in node:
                kinds &= frozenset().union(*(_TYPE_KINDS[name] for name in node["type"]))
        for node, keyword in self.breaks:
            if keyword == "type":
                kinds -= frozenset().union(*(_TYPE_KINDS[name] for name in node["type"]))
            elif keyword in self.ctx.keyword_kinds:
                kinds &= self.ctx.keyword_kinds[keyword]
        if self.present or self.absent or self.member_fails or self.extras or self.bad_names:
            kinds &= {"object"}
        if self.item_fails:
            kinds &= {"array"}
        return kinds

    def candidates(self) -> list[Any] | None:
        """The values allowed by const/enum (or a finite kind), if any; None: not finite."""
        kinds = self.kinds()
        options: list[Any] | None = None
        for node in self.facts:
            if "const" in node:
                options = [node["const"]]
            elif "enum" in node and options is None:
                options = list(node["enum"])
        if options is None and kinds <= {"null", "boolean"}:
            options = [value for value in (None, False, True) if _kind(value) in kinds]
        if options is None:
            return None
        return [value for value in options if _kind(value) in kinds and self.accepts(value)]

    def accepts(self, value: Any) -> bool:
        return all(_holds(index, value, self.ctx) == holds for index, holds in self.checks)

    def feasible(self) -> bool:
        if not self.kinds() or self.present & self.absent:
            return False
        candidates = self.candidates()
        if candidates is not None and not candidates:
            return False
        required = {name for node in self.facts for name in node.get("required", [])}
        if required & self.absent:
            return False
        return all(self.member_possible(name) for name in required | self.present)

    def member_possible(self, name: str) -> bool:
        """Whether a value for member `name` may exist (a quick look at its const/enum/type)."""
        holds = tuple(self.member_entries(name))
        fails = tuple(self.member_fails.get(name, []))
        return _possible(holds, fails, self.ctx)

    def member_entries(self, name: str) -> list[int]:
        """The entries member `name` must satisfy (kept up to date as facts are added)."""
        read, entries = self.members.get(name, (0, []))
        if read < len(self.facts):
            fresh = [child for node in self.facts[read:] for child in _member_children(node, name)]
            entries = entries + fresh
            self.members[name] = (len(self.facts), entries)
        return entries


def _possible(holds: tuple[int, ...], fails: tuple[int, ...], ctx: _Context) -> bool:
    """Whether some value may hold on `holds` and fail `fails` (a quick look, no drawing)."""
    key = (holds, fails)
    if key not in ctx.possible:
        ctx.possible[key] = _possible_now(holds, fails, ctx)
    return ctx.possible[key]


def _possible_now(holds: tuple[int, ...], fails: tuple[int, ...], ctx: _Context) -> bool:
    if set(holds) & set(fails):
        return False
    plan = _Plan(ctx)
    try:
        for index in holds:
            plan.apply(("node", index, True))
        for index in fails:
            plan.apply(("node", index, False))
    except _Unsat:
        return False
    if not plan.kinds():
        return False
    candidates = plan.candidates()
    return candidates is None or bool(candidates)


def _meet(node: dict[str, Any]) -> list[list[list[Move]]]:
    """How `node` holds: first the moves always made, then one choice list per applicator."""
    always: list[Move] = [("node", child, True) for child in node.get("allOf", [])]
    if "$ref" in node:
        always.append(("node", node["$ref"], True))
    if "not" in node:
        always.append(("node", node["not"], False))
    choices: list[list[list[Move]]] = [[always]]
    if "anyOf" in node:
        choices.append([[("node", child, True)] for child in node["anyOf"]])
    if "oneOf" in node:
        children = node["oneOf"]
        choices.append([
            [("node", child, i == j) for j, child in enumerate(children)]
            for i in range(len(children))
        ])  # fmt: skip
    if "if" in node:
        then = [("node", node["then"], True)] if "then" in node else []
        otherwise = [("node", node["else"], True)] if "else" in node else []
        choices.append(
            [[("node", node["if"], True), *then], [("node", node["if"], False), *otherwise]]
        )
    for name, child in node.get("dependentSchemas", {}).items():
        choices.append([[("absent", name)], [("present", name), ("node", child, True)]])
    return choices


def _break(node: dict[str, Any]) -> list[list[Move]]:
    """The ways `node` can fail (any one is enough), each a list of moves."""
    ways: list[list[Move]] = []
    for keyword, value in node.items():
        ways += _break_keyword(node, keyword, value)
    return ways


def _break_keyword(node: dict[str, Any], keyword: str, value: Any) -> list[list[Move]]:
    match keyword:
        case "required":
            return [[("absent", name)] for name in value]
        case "dependentRequired":
            return [
                [("present", name), ("absent", other)]
                for name, others in value.items()
                for other in others
            ]
        case "properties":
            return [[("member", name, child)] for name, child in value.items()]
        case "patternProperties":
            return [[("extra", pattern, child)] for pattern, child in value]
        case "additionalProperties" | "unevaluatedProperties":
            return [[("extra", None, value)]]
        case "propertyNames":
            return [[("bad-name", value)]]
        case "dependentSchemas":
            return [[("present", name), ("node", child, False)] for name, child in value.items()]
        case "prefixItems":
            return [[("item", position, child)] for position, child in enumerate(value)]
        case "items" | "unevaluatedItems":
            return [[("item", -len(node.get("prefixItems", [])) - 1, value)]]
        case "allOf":
            return [[("node", child, False)] for child in value]
        case "anyOf":
            return [[("node", child, False) for child in value]]
        case "oneOf":
            pairs = [
                [("node", a, True), ("node", b, True)]
                for i, a in enumerate(value)
                for b in value[i + 1 :]
            ]
            return [[("node", child, False) for child in value], *pairs]
        case "not":
            return [[("node", value, True)]]
        case "$ref":
            return [[("node", value, False)]]
        case "if":
            ways = []
            if "then" in node:
                ways.append([("node", value, True), ("node", node["then"], False)])
            if "else" in node:
                ways.append([("node", value, False), ("node", node["else"], False)])
            return ways
        case "then" | "else" | "minContains" | "maxContains":
            return []
        case "uniqueItems" if not value:
            return []
    return [[("break", node, keyword)]]


def _plan(draw: st.DrawFn, holds: list[int], fails: list[int], ctx: _Context) -> _Plan:
    plan = _Plan(ctx)
    for index in holds:
        plan.apply(("node", index, True))
    for index in fails:
        plan.apply(("node", index, False))
    if not plan.feasible():
        raise _Unsat
    return _search(draw, plan)


def _search(draw: st.DrawFn, plan: _Plan) -> _Plan:
    """Resolve the plan's choices depth first, each in a drawn order, backtracking on dead ends."""
    if not plan.choices:
        return plan
    options, *later = plan.choices
    first = draw(st.integers(0, len(options) - 1)) if len(options) > 1 else 0
    for option in options[first:] + options[:first]:
        trial = plan.copy()
        trial.choices = []
        try:
            for move in option:
                trial.apply(move)
            # Choices this option opened are settled before later ones: a dead end shows early.
            trial.choices += later
            if trial.feasible():
                return _search(draw, trial)
        except _Unsat:
            if trial.steps > _STEPS:
                raise
        plan.steps = trial.steps
    raise _Unsat


# ---- drawing a value from a plan -----------------------------------------------------------------


def _value(draw: st.DrawFn, holds: list[int], fails: list[int], ctx: _Context, depth: int) -> Any:
    """A value satisfying every entry in `holds` and failing every entry in `fails`."""
    for _ in range(_ATTEMPTS):
        try:
            plan = _plan(draw, holds, fails, ctx)
            value = _realize(draw, plan, depth)
        except _Unsat:
            continue
        if plan.accepts(value):
            return value
    raise _Unsat


def _realize(draw: st.DrawFn, plan: _Plan, depth: int) -> Any:
    candidates = plan.candidates()
    if candidates is not None:
        if not candidates:
            raise _Unsat
        return draw(st.sampled_from(candidates))
    kinds = sorted(plan.kinds(), key=_KINDS.index)
    if not kinds:
        raise _Unsat
    kind = draw(st.sampled_from(kinds))
    if kind in _NUMBER:
        return _number(draw, plan, kind)
    if kind == "string":
        return _string(draw, plan)
    if kind == "array":
        return _array(draw, plan, depth)
    return _object(draw, plan, depth)


@dataclass
class _Range:
    low: Fraction | None = None
    high: Fraction | None = None
    low_open: bool = False
    high_open: bool = False

    def narrow(self, keyword: str, limit: int | float) -> None:
        bound = _decimal(limit)
        if keyword in ("minimum", "exclusiveMinimum"):
            opened = keyword == "exclusiveMinimum"
            if self.low is None or bound > self.low or (bound == self.low and opened):
                self.low, self.low_open = bound, opened
        else:
            opened = keyword == "exclusiveMaximum"
            if self.high is None or bound < self.high or (bound == self.high and opened):
                self.high, self.high_open = bound, opened

    def holds(self, number: float) -> bool:
        value = Fraction(number)
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return self.high is None or not (
            value > self.high or (self.high_open and value == self.high)
        )

    def whole(self, step: Fraction) -> tuple[int | None, int | None]:
        """The smallest and largest k with k * step inside the range."""
        low = high = None
        if self.low is not None:
            ratio = self.low / step
            low = (
                math.floor(ratio) + 1 if self.low_open or ratio != math.ceil(ratio) else int(ratio)
            )
        if self.high is not None:
            ratio = self.high / step
            high = (
                math.ceil(ratio) - 1 if self.high_open or ratio != math.floor(ratio) else int(ratio)
            )
        return low, high


_FLOAT_REACH = 1e12

_FLIPPED_BOUND = {
    "minimum": "exclusiveMaximum",
    "maximum": "exclusiveMinimum",
    "exclusiveMinimum": "maximum",
    "exclusiveMaximum": "minimum",
}


def _number(draw: st.DrawFn, plan: _Plan, kind: str) -> int | float:
    bounds = _Range()
    divisors: list[int | float] = []
    for node in plan.facts:
        for keyword in _FLIPPED_BOUND:
            if keyword in node:
                bounds.narrow(keyword, node[keyword])
        if "multipleOf" in node:
            divisors.append(node["multipleOf"])
    for node, keyword in plan.breaks:
        if keyword in _FLIPPED_BOUND:
            bounds.narrow(_FLIPPED_BOUND[keyword], node[keyword])
    step = _decimal(divisors[0]) if divisors else Fraction(1)
    if kind == "integer":
        step = Fraction(step.numerator)
    elif not divisors:
        return _float(draw, bounds)
    low, high = bounds.whole(step)
    if low is not None and high is not None and low > high:
        raise _Unsat
    k = draw(st.integers(min_value=low, max_value=high))
    number = step * k
    return int(number) if kind == "integer" else float(number)


def _float(draw: st.DrawFn, bounds: _Range) -> float:
    """A non-integral float inside `bounds`, built rather than filtered."""
    # Below 2**52 in magnitude a float and its half-step neighbours are all representable.
    low = -_FLOAT_REACH if bounds.low is None else max(float(bounds.low), -_FLOAT_REACH)
    high = _FLOAT_REACH if bounds.high is None else min(float(bounds.high), _FLOAT_REACH)
    if low > high:
        raise _Unsat
    number = draw(st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False))
    for candidate in (number, number + 0.5, number - 0.5, (low + high) / 2):
        if not candidate.is_integer() and bounds.holds(candidate):
            return candidate
    raise _Unsat


def _string(draw: st.DrawFn, plan: _Plan) -> str:
    shortest, longest = 0, None
    patterns: list[str] = []
    for node in plan.facts:
        shortest = max(shortest, node.get("minLength", 0))
        if "maxLength" in node:
            longest = node["maxLength"] if longest is None else min(longest, node["maxLength"])
        if "pattern" in node:
            patterns.append(node["pattern"])
    for node, keyword in plan.breaks:
        if keyword == "minLength":
            longest = node[keyword] - 1 if longest is None else min(longest, node[keyword] - 1)
        elif keyword == "maxLength":
            shortest = max(shortest, node[keyword] + 1)
    if longest is not None and shortest > longest:
        raise _Unsat
    if patterns:
        text = draw(st.from_regex(patterns[0]))
        if shortest <= len(text) <= (len(text) if longest is None else longest):
            return text
        raise _Unsat
    cap = shortest + 12 if longest is None else min(longest, shortest + 12)
    return draw(st.text(min_size=shortest, max_size=cap))


def _array(draw: st.DrawFn, plan: _Plan, depth: int) -> list[Any]:
    shortest = max([node.get("minItems", 0) for node in plan.facts] + [0])
    longest = min([node["maxItems"] for node in plan.facts if "maxItems" in node] + [1 << 30])
    for node, keyword in plan.breaks:
        if keyword == "minItems":
            longest = min(longest, node[keyword] - 1)
        elif keyword == "maxItems":
            shortest = max(shortest, node[keyword] + 1)
    for position, _ in plan.item_fails:
        shortest = max(shortest, position + 1 if position >= 0 else -position)
    duplicate = any(keyword == "uniqueItems" for _, keyword in plan.breaks)
    shortest = max(shortest, 2 if duplicate else 0)
    contains = _contains_rules(plan)
    shortest = max([shortest] + [matching for _, matching, _ in contains])
    if shortest > longest:
        raise _Unsat
    extra = 0 if depth >= _MAX_DEPTH else draw(st.integers(0, 3))
    length = min(longest, shortest + extra)
    items: list[Any] = []
    for position in range(length):
        holds, fails = _item_entries(plan, position, contains)
        if duplicate and position == length - 1:
            items.append(copy.deepcopy(items[0]))
            continue
        items.append(_value(draw, holds, fails, plan.ctx, depth + 1))
    return items


def _item_entries(
    plan: _Plan, position: int, contains: list[tuple[int, int, int | None]]
) -> tuple[list[int], list[int]]:
    holds: list[int] = []
    for node in plan.facts:
        prefix = node.get("prefixItems", [])
        if position < len(prefix):
            holds.append(prefix[position])
        elif "items" in node:
            holds.append(node["items"])
        elif "unevaluatedItems" in node:
            holds.append(node["unevaluatedItems"])
    fails = [
        child
        for start, child in plan.item_fails
        if start == position or (start < 0 and position == max(-start - 1, 0))
    ]
    for child, matching, limit in contains:
        if position < matching:
            holds.append(child)
        elif limit is not None and position >= limit:
            fails.append(child)
    return holds, fails


def _contains_rules(plan: _Plan) -> list[tuple[int, int, int | None]]:
    """(entry, first position that need not match, first position that must not match)."""
    rules: list[tuple[int, int, int | None]] = []
    for node in plan.facts:
        if "contains" in node:
            rules.append((node["contains"], node.get("minContains", 1), node.get("maxContains")))
    for node, keyword in plan.breaks:
        if keyword == "contains":
            low, high = node.get("minContains", 1), node.get("maxContains")
            rules.append(
                (node["contains"], 0, 0)
                if low > 0 or high is None
                else (node["contains"], high + 1, None)
            )
    return rules


def _object(draw: st.DrawFn, plan: _Plan, depth: int) -> dict[str, Any]:
    required = {name for node in plan.facts for name in node.get("required", [])} | plan.present
    known = list(dict.fromkeys(name for node in plan.facts for name in node.get("properties", {})))
    names = [name for name in dict.fromkeys([*sorted(required), *known]) if name not in plan.absent]
    chosen = [
        name
        for name in names
        if name in required
        or (depth < _MAX_DEPTH and plan.member_possible(name) and draw(st.booleans()))
    ]
    chosen = _with_dependencies(plan, chosen)
    value: dict[str, Any] = {}
    for name in chosen:
        value[name] = _value(
            draw, plan.member_entries(name), plan.member_fails.get(name, []), plan.ctx, depth + 1
        )
    for pattern, child in plan.extras:
        name = _extra_name(draw, plan, pattern, value)
        value[name] = _value(draw, plan.member_entries(name), [child], plan.ctx, depth + 1)
    for child in plan.bad_names:
        name = _value(draw, [], [child], plan.ctx, depth + 1)
        if not isinstance(name, str) or name in value:
            raise _Unsat
        value[name] = _value(draw, plan.member_entries(name), [], plan.ctx, depth + 1)
    return value


def _with_dependencies(plan: _Plan, chosen: list[str]) -> list[str]:
    """`chosen` plus every member dependentRequired asks for, in a stable order."""
    result = list(chosen)
    for name in result:
        for node in plan.facts:
            for other in node.get("dependentRequired", {}).get(name, []):
                if other in plan.absent:
                    raise _Unsat
                if other not in result:
                    result.append(other)
    return result


def _extra_name(draw: st.DrawFn, plan: _Plan, pattern: str | None, taken: dict[str, Any]) -> str:
    """A member name no `properties` lists (matching `pattern` when given, else no pattern)."""
    known = {name for node in plan.facts for name in node.get("properties", {})} | set(taken)
    patterns = [p for node in plan.facts for p, _ in node.get("patternProperties", [])]
    name = draw(st.from_regex(pattern) if pattern is not None else st.text(max_size=8))
    if (
        name in known
        or name in plan.absent
        or (pattern is None and any(_matches(p, name) for p in patterns))
    ):
        raise _Unsat
    return name


# ---- public strategies ---------------------------------------------------------------------------


def _numbered(nodes: Mapping[str, Entry]) -> tuple[Entry, ...]:
    """The entries with every subschema reference turned from a location into a number."""
    number = {location: index for index, location in enumerate(nodes)}

    def ref(location: Any) -> int:
        if not isinstance(location, str) or location not in number:
            raise ValueError(f"no entry for subschema location {location!r}")
        return number[location]

    def entry(node: Entry) -> Entry:
        if isinstance(node, bool):
            return node
        result: dict[str, Any] = {}
        for keyword, value in node.items():
            if keyword in _ONE_CHILD:
                result[keyword] = ref(value)
            elif keyword in _CHILD_MAP:
                result[keyword] = {name: ref(child) for name, child in value.items()}
            elif keyword in _CHILD_LIST:
                result[keyword] = [ref(child) for child in value]
            elif keyword == "patternProperties":
                result[keyword] = [[pattern, ref(child)] for pattern, child in value]
            else:
                result[keyword] = value
        return result

    return tuple(entry(node) for node in nodes.values())


class Strategies:
    """The strategies of one described schema.

    `nodes`: every subschema by location (see the module docstring), `root` the location of the
    schema itself. `rules`: rule id -> location of the subschema carrying it in the constraints
    (a near miss inverts that subschema's verdict). `advice`: rule id -> location of an advice
    subschema, applied to the root instance and never a constraint. `keyword_kinds`: the JSON
    type ("number", "string", "array" or "object") each type-specific keyword constrains.
    """

    def __init__(
        self,
        nodes: Mapping[str, Entry],
        *,
        keyword_kinds: Mapping[str, str],
        root: str = "",
        rules: Mapping[str, str] | None = None,
        advice: Mapping[str, str] | None = None,
    ) -> None:
        number = {location: index for index, location in enumerate(nodes)}
        rules, advice = dict(rules or {}), dict(advice or {})
        for location in [root, *rules.values(), *advice.values()]:
            if location not in number:
                raise ValueError(f"no entry for subschema location {location!r}")
        if set(rules) & set(advice):
            raise ValueError(
                f"rules both in constraints and advice: {sorted(set(rules) & set(advice))}"
            )
        self._nodes = _numbered(nodes)
        self._root = number[root]
        self._rules = {rule_id: number[location] for rule_id, location in rules.items()}
        self._advice = {rule_id: number[location] for rule_id, location in advice.items()}
        self._keyword_kinds = {name: _TYPE_KINDS[kind] for name, kind in keyword_kinds.items()}
        self._contexts: dict[int | None, _Context] = {}

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule `violating` knows: those in the constraints, then the advice."""
        return (*self._rules, *self._advice)

    @property
    def advice_ids(self) -> tuple[str, ...]:
        return tuple(self._advice)

    def valid_requests(self) -> st.SearchStrategy[Any]:
        """Instances meeting every constraint; advice may or may not be triggered."""
        return _instances(self._context(None), [self._root], [])

    def violating(self, rule_id: str) -> st.SearchStrategy[Any]:
        """Near misses for a constraint rule; for an advice rule, valid instances triggering it."""
        if rule_id in self._advice:
            return _instances(self._context(None), [self._root], [self._advice[rule_id]])
        if rule_id not in self._rules:
            raise ValueError(f"unknown rule id {rule_id!r}; known: {', '.join(self.rule_ids)}")
        return _instances(self._context(self._rules[rule_id]), [self._root], [])

    def _context(self, flip: int | None) -> _Context:
        if flip not in self._contexts:
            self._contexts[flip] = _Context(self._nodes, flip, self._keyword_kinds)
        return self._contexts[flip]


@st.composite
def _instances(draw: st.DrawFn, ctx: _Context, holds: list[int], fails: list[int]) -> Any:
    for _ in range(_ATTEMPTS):
        try:
            return _value(draw, holds, fails, ctx, 0)
        except _Unsat:
            continue
    reject()
