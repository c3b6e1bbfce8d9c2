"""IR -> JavaScript (an ES module) for a standalone validator: the second target.

Per subschema node, functions made on demand (names are ours: a letter and the node index):
  `v<n>(x)`         the fast path: false at the first failure, nothing allocated;
  `w<n>(x)`         the same with warning rules passing (isValid = no error); only made where
                    a warning rule is reachable, elsewhere `v<n>` serves;
  `e<n>(x, p, out)` the reporting path, run only after `v<n>` said no; `p` is the instance's
                    JSON Pointer, findings are pushed to `out`;
  `a<n>(x)`/`s<n>(x)` the members/items a valid `x` had evaluated (a Set), for `unevaluated*`
                    (`s` leaves out the node's own unevaluated* keywords).
One emitter class per keyword (the table `EMITTERS` is data) with one method per mode. Schema
values reach the output only through `js_literal`, schema paths in comments only through
`js_comment`, patterns only after `js_patterns.check_patterns`.

JSON semantics: members are own properties only (`hop.call`, `Object.keys`, for-in filtered by
`hop.call`), so `__proto__`, `constructor` and `toString` are names like any other; numbers are
JSON numbers (an integer is any integral number, 1.0 included); string lengths count code
points; a decimal multipleOf is exact (BigInt over the shortest decimal of each number, the text
JSON carried).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any, ClassVar

from genspec import ir, plan, pointer
from genspec.emit_python import show_json
from genspec.ir import Node
from genspec.js_patterns import check_patterns
from genspec.jsonvalue import TYPE_KINDS
from genspec.literals import js_comment, js_identifier, js_literal
from genspec.rules import Rule

ALL = frozenset({"null", "boolean", "number", "string", "array", "object"})


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class JsCode:
    """Lines of JavaScript with an indentation cursor; `block` opens and closes braces."""

    def __init__(self, depth: int = 1) -> None:
        self.lines: list[str] = []
        self.depth = depth

    def __call__(self, line: str) -> None:
        self.lines.append("  " * self.depth + line)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self(header + " {")
        self.depth += 1
        yield
        self.depth -= 1
        self("}")

    def text(self) -> str:
        return "\n".join(self.lines)


def category_test(category: str, var: str) -> str:
    return {
        "null": f"{var} === null",
        "boolean": f'typeof {var} === "boolean"',
        "number": f'typeof {var} === "number"',
        "string": f'typeof {var} === "string"',
        "array": f"Array.isArray({var})",
        "object": f"isObject({var})",
    }[category]


def type_test(name: str, var: str) -> str:
    if name == "integer":
        return f"Number.isInteger({var})"
    return category_test(TYPE_KINDS[name], var)


def guard(category: str, var: str, known: frozenset[str]) -> str | None:
    """Condition under which a `category` keyword applies; "" = always, None = never."""
    if category not in known:
        return None
    if known == {category}:
        return ""
    if known == {category, "null"}:
        return f"{var} !== null"
    return category_test(category, var)


def pointer_suffix(key: str | int) -> str:
    """A constant JSON Pointer step, as a JS string literal."""
    return js_literal("/" + pointer.escape_token(str(key)))


@dataclass
class Ctx:
    """The node being emitted, the variable holding its instance, what its type is known to be."""

    emitter: JsEmitter
    node: Node
    var: str = "x"
    known: frozenset[str] = ALL
    path: str = "p"

    def fail(self, kw: ir.Keyword, message: str, prop: str = "null") -> str:
        """Statement reporting `kw`'s failure; inside a documented rule, the rule speaks."""
        where = f"{self.path}, {js_literal(kw.location)}, {js_literal(kw.name)}"
        rule = self.node.rule
        if rule is not None:
            return f"out.push(ruleFinding({where}, {self.emitter.rule_const(rule)}, {prop}));"
        return f"out.push(finding({where}, {message}, {prop}));"


class KeywordEmitter:
    """How one keyword is checked. `category` is the instance kind it applies to (None: all)."""

    category: ClassVar[str | None] = None

    def failure(self, kw: Any, ctx: Ctx) -> str:
        """A JS expression true when the keyword fails (simple keywords define only this)."""
        raise NotImplementedError

    def message(self, kw: Any, ctx: Ctx) -> str:
        raise NotImplementedError

    def statements(self, kw: Any, ctx: Ctx, code: JsCode) -> None:
        with code.block(f"if ({self.failure(kw, ctx)})"):
            code("return false;")

    def errors(self, kw: Any, ctx: Ctx, code: JsCode) -> None:
        with code.block(f"if ({self.failure(kw, ctx)})"):
            code(ctx.fail(kw, self.message(kw, ctx)))

    def annotations(self, kw: Any, ctx: Ctx, code: JsCode, own: bool) -> None:
        """Add what this keyword evaluated to the Set `ev` (the node is known to be valid)."""


def say(*parts: str) -> str:
    """A message expression: literal text parts (quoted here) and `{js}` expressions."""
    pieces = []
    for part in parts:
        if part.startswith("{") and part.endswith("}"):
            pieces.append(part[1:-1])
        elif part:
            pieces.append(js_literal(part))
    return " + ".join(pieces) or '""'


# ---- assertions ---------------------------------------------------------------------------------


class TypeEmitter(KeywordEmitter):
    def failure(self, kw: ir.Type, ctx: Ctx) -> str:
        names = list(dict.fromkeys(kw.types))
        if "integer" in names and "number" in names:
            names.remove("integer")
        if not names:
            return "true"
        return "!(" + " || ".join(type_test(n, ctx.var) for n in names) + ")"

    def message(self, kw: ir.Type, ctx: Ctx) -> str:
        expected = " or ".join(kw.types) or "nothing"
        return say(
            f"expected {expected}, got ", f"{{kind({ctx.var})}}", " ", f"{{show({ctx.var})}}"
        )


class ConstEmitter(KeywordEmitter):
    def failure(self, kw: ir.Const, ctx: Ctx) -> str:
        if isinstance(kw.value, (list, dict)):
            return f"!equal({ctx.var}, {ctx.emitter.const(kw.value)})"
        return f"{ctx.var} !== {js_literal(kw.value)}"

    def message(self, kw: ir.Const, ctx: Ctx) -> str:
        return say(f"expected {show_json(kw.value)}, got ", f"{{show({ctx.var})}}")


class EnumEmitter(KeywordEmitter):
    def failure(self, kw: ir.Enum, ctx: Ctx) -> str:
        # A Set tells JSON primitives apart exactly (1 and 1.0 are one number, true is not 1).
        primitives = [v for v in kw.values if not isinstance(v, (list, dict))]
        containers = [v for v in kw.values if isinstance(v, (list, dict))]
        parts = []
        if len(primitives) == 1:
            parts.append(f"{ctx.var} === {js_literal(primitives[0])}")
        elif primitives:
            members = ", ".join(js_literal(v) for v in dict.fromkeys(primitives))
            parts.append(f"{ctx.emitter.constant(f'new Set([{members}])')}.has({ctx.var})")
        if containers:
            parts.append(f"member({ctx.var}, {ctx.emitter.const(containers)})")
        return "!(" + (" || ".join(parts) or "false") + ")"

    def message(self, kw: ir.Enum, ctx: Ctx) -> str:
        return say(f"{{show({ctx.var})}}", f" is not one of {show_json(kw.values)}")


class BoundEmitter(KeywordEmitter):
    category = "number"
    FAILS: ClassVar[dict[str, tuple[str, str]]] = {
        "minimum": ("<", "less than the minimum"),
        "maximum": (">", "greater than the maximum"),
        "exclusiveMinimum": ("<=", "not greater than the exclusive minimum"),
        "exclusiveMaximum": (">=", "not less than the exclusive maximum"),
    }

    def failure(self, kw: ir.Bound, ctx: Ctx) -> str:
        return f"{ctx.var} {self.FAILS[kw.name][0]} {js_literal(kw.limit)}"

    def message(self, kw: ir.Bound, ctx: Ctx) -> str:
        words = self.FAILS[kw.name][1]
        return say(f"{{show({ctx.var})}}", f" is {words} {show_json(kw.limit)}")


class MultipleOfEmitter(KeywordEmitter):
    category = "number"

    def failure(self, kw: ir.MultipleOf, ctx: Ctx) -> str:
        if isinstance(kw.divisor, int):
            return f"{ctx.var} % {js_literal(kw.divisor)} !== 0"
        ctx.emitter.uses.add("decimal")
        mantissa, exponent = decimal_parts(kw.divisor)
        return f"!multipleOf({ctx.var}, {mantissa}n, {exponent})"

    def message(self, kw: ir.MultipleOf, ctx: Ctx) -> str:
        return say(f"{{show({ctx.var})}}", f" is not a multiple of {show_json(kw.divisor)}")


def decimal_parts(number: float) -> tuple[int, int]:
    """(mantissa, exponent) of the shortest decimal of `number` (the generated `decimal` twin)."""
    match = re.fullmatch(r"(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?", repr(float(number)))
    assert match is not None
    sign, whole, fraction, exponent = match.groups()
    fraction = fraction or ""
    mantissa = int(sign + whole + fraction)
    return mantissa, int(exponent or 0) - len(fraction)


class SizeEmitter(KeywordEmitter):
    NOUNS: ClassVar[dict[str, str]] = {
        "string": "characters",
        "array": "items",
        "object": "properties",
    }

    def failure(self, kw: ir.Size, ctx: Ctx) -> str:
        x, limit = ctx.var, kw.limit
        low = kw.name.startswith("min")
        match plan.keyword_kind(kw):
            case "string":  # UTF-16 units bound code points: count them only when in doubt
                ctx.emitter.uses.add("codePoints")
                if low:
                    counted = f"codePoints({x}) < {limit}"
                    return f"{x}.length < {limit} || ({x}.length < {2 * limit} && {counted})"
                return f"{x}.length > {limit} && codePoints({x}) > {limit}"
            case "array":
                return f"{x}.length {'<' if low else '>'} {limit}"
            case _:
                return f"Object.keys({x}).length {'<' if low else '>'} {limit}"

    def message(self, kw: ir.Size, ctx: Ctx) -> str:
        bound = "at least" if kw.name.startswith("min") else "at most"
        noun = self.NOUNS[str(plan.keyword_kind(kw))]
        return say(f"{{show({ctx.var})}}", f" should have {bound} {kw.limit} {noun}")


class PatternEmitter(KeywordEmitter):
    category = "string"

    def failure(self, kw: ir.Pattern, ctx: Ctx) -> str:
        return f"!{ctx.emitter.pattern_test(kw.pattern, ctx.var)}"

    def message(self, kw: ir.Pattern, ctx: Ctx) -> str:
        return say(f"{{show({ctx.var})}}", f" does not match the pattern {kw.pattern!r}")


class UniqueItemsEmitter(KeywordEmitter):
    category = "array"

    def failure(self, kw: ir.UniqueItems, ctx: Ctx) -> str:
        return f"!unique({ctx.var})"

    def message(self, kw: ir.UniqueItems, ctx: Ctx) -> str:
        return say("array items must be unique")


class RequiredEmitter(KeywordEmitter):
    category = "object"

    def failure(self, kw: ir.Required, ctx: Ctx) -> str:
        return " || ".join(f"!hop.call({ctx.var}, {js_literal(n)})" for n in kw.names) or "false"

    def errors(self, kw: ir.Required, ctx: Ctx, code: JsCode) -> None:
        for name in kw.names:
            with code.block(f"if (!hop.call({ctx.var}, {js_literal(name)}))"):
                message = say(f"missing required property {name!r}")  # Python's repr
                code(ctx.fail(kw, message, js_literal(name)))


class DependentRequiredEmitter(KeywordEmitter):
    category = "object"

    def failure(self, kw: ir.DependentRequired, ctx: Ctx) -> str:
        x = ctx.var
        parts = []
        for name, needed in kw.dependencies.items():
            if needed:
                missing = " || ".join(f"!hop.call({x}, {js_literal(n)})" for n in needed)
                parts.append(f"(hop.call({x}, {js_literal(name)}) && ({missing}))")
        return " || ".join(parts) or "false"

    def errors(self, kw: ir.DependentRequired, ctx: Ctx, code: JsCode) -> None:
        for name, needed in kw.dependencies.items():
            for other in needed:
                has, lacks = js_literal(name), js_literal(other)
                test = f"hop.call({ctx.var}, {has}) && !hop.call({ctx.var}, {lacks})"
                with code.block(f"if ({test})"):
                    message = say(f"{other!r} is required when {name!r} is present")
                    code(ctx.fail(kw, message, js_literal(other)))


# ---- applicators on object members --------------------------------------------------------------


class ObjectMembersEmitter(KeywordEmitter):
    """properties, patternProperties and additionalProperties, emitted together (one loop)."""

    category = "object"
    SMALL: ClassVar[int] = 6  # members checked one by one before a loop with a switch pays off

    def _parts(
        self, ctx: Ctx, kw: Any
    ) -> (
        tuple[dict[str, Node], list[tuple[str, Node]], bool, ir.AdditionalProperties | None] | None
    ):
        props = ctx.node.find(ir.Properties)
        patterns = ctx.node.find(ir.PatternProperties)
        extra = ctx.node.find(ir.AdditionalProperties)
        if kw is not (props or patterns or extra):
            return None  # the first of the three present emits for all of them
        table, regex_patterns, exclusive = plan.member_table(
            props.children if props else {}, patterns
        )
        return table, regex_patterns, exclusive, extra

    def statements(self, kw: Any, ctx: Ctx, code: JsCode) -> None:
        parts = self._parts(ctx, kw)
        if parts is None:
            return
        table, patterns, exclusive, extra = parts
        emitter, x = ctx.emitter, ctx.var
        if extra is None and not patterns and len(table) <= self.SMALL:
            for name, child in table.items():
                if not emitter.is_trivial(child):
                    member = f"{x}[{js_literal(name)}]"
                    test = (
                        f"hop.call({x}, {js_literal(name)}) && !{emitter.valid_call(child, member)}"
                    )
                    with code.block(f"if ({test})"):
                        code("return false;")
            return
        # `hit`: whether a name or pattern claimed the member, so additionalProperties skips it
        # (not needed when every claimed member has been settled by `continue`).
        tracked = extra is not None and (bool(patterns) or not exclusive)
        with own_members(code, x):
            code(f"const v = {x}[k];")
            if tracked:
                code("let hit = false;")
            # A table name no regex can match is settled by its case; else the patterns run too.
            settled = "continue;" if exclusive else "hit = true; break;" if extra else "break;"
            arms = {
                name: (
                    []
                    if emitter.is_trivial(child)
                    else [f"if (!{emitter.valid_call(child, 'v')}) return false;"]
                )
                for name, child in table.items()
            }
            name_switch(code, arms, settled)
            for pattern, child in patterns:
                with code.block(f"if ({emitter.pattern_test(pattern, 'k')})"):
                    if extra is not None:
                        code("hit = true;")
                    if not emitter.is_trivial(child):
                        code(f"if (!{emitter.valid_call(child, 'v')}) return false;")
            if extra is not None and not emitter.is_trivial(extra.child):
                fails = [f"!{emitter.valid_call(extra.child, 'v')}"]
                fails = [] if fails == ["!false"] else fails
                test = " && ".join((["!hit"] if tracked else []) + fails)
                code(f"if ({test}) return false;" if test else "return false;")

    def errors(self, kw: Any, ctx: Ctx, code: JsCode) -> None:
        # Findings come in the Python target's order: one pass over the members when the
        # table settles them, else each keyword on its own (small `properties` in schema order).
        props = ctx.node.find(ir.Properties)
        patterns = ctx.node.find(ir.PatternProperties)
        extra = ctx.node.find(ir.AdditionalProperties)
        table, regex_patterns, exclusive = plan.member_table(
            props.children if props else {}, patterns
        )
        if table and exclusive and (extra is not None or len(table) > self.SMALL):
            if kw is props or (props is None and kw is patterns):
                self._fused_errors(ctx, code, table, regex_patterns, extra)
            return
        emitter, x = ctx.emitter, ctx.var
        match kw:
            case ir.Properties(children=children) if len(children) > self.SMALL:
                with own_members(code, x):
                    code(f"const v = {x}[k];")
                    member_errors_switch(children, ctx, code)
            case ir.Properties(children=children):
                for name, child in children.items():
                    member, where = f"{x}[{js_literal(name)}]", f"p + {pointer_suffix(name)}"
                    call = emitter.errors_call(child, member, where, ctx, at=kw.location)
                    if call:
                        with code.block(f"if (hop.call({x}, {js_literal(name)}))"):
                            code(call)
            case ir.PatternProperties(children=pairs):
                for pattern, child in pairs:
                    call = emitter.errors_call(
                        child, f"{x}[k]", "p + '/' + esc(k)", ctx, at=kw.location
                    )
                    test = f"if ({emitter.pattern_test(pattern, 'k')})"
                    if call:
                        with own_members(code, x), code.block(test):
                            code(call)
            case ir.AdditionalProperties(child=child, known=known, patterns=siblings):
                with own_members(code, x):
                    name_switch(code, {name: [] for name in known}, "continue;")
                    for pattern in siblings:
                        code(f"if ({emitter.pattern_test(pattern, 'k')}) continue;")
                    self._unknown(kw, ctx, code)

    def _unknown(self, extra: ir.AdditionalProperties, ctx: Ctx, code: JsCode) -> None:
        """Report member `k` that no name or pattern claimed."""
        if extra.child.boolean is False:
            ctx.emitter.uses.add("repr")
            code(ctx.fail(extra, say("unknown property ", "{repr(k)}"), "k"))
        else:
            call = ctx.emitter.errors_call(extra.child, f"{ctx.var}[k]", "p + '/' + esc(k)", ctx)
            if call:
                code(call)

    def _fused_errors(
        self,
        ctx: Ctx,
        code: JsCode,
        table: dict[str, Node],
        patterns: list[tuple[str, Node]],
        extra: ir.AdditionalProperties | None,
    ) -> None:
        emitter, x = ctx.emitter, ctx.var
        with own_members(code, x):
            code(f"const v = {x}[k];")
            if extra is not None and patterns:
                code("let hit = false;")
            member_errors_switch(table, ctx, code)
            for pattern, child in patterns:
                with code.block(f"if ({emitter.pattern_test(pattern, 'k')})"):
                    if extra is not None:
                        code("hit = true;")
                    call = emitter.errors_call(
                        child, "v", "p + '/' + esc(k)", ctx, at=child.location.rsplit("/", 1)[0]
                    )
                    if call:
                        code(call)
            if extra is not None:
                with code.block("if (!hit)") if patterns else nullcontext():
                    self._unknown(extra, ctx, code)

    def annotations(self, kw: Any, ctx: Ctx, code: JsCode, own: bool) -> None:
        match kw:
            case ir.Properties(children=children):
                for name in children:
                    with code.block(f"if (hop.call(x, {js_literal(name)}))"):
                        code(f"ev.add({js_literal(name)});")
            case ir.PatternProperties(children=pairs):
                tests = " || ".join(ctx.emitter.pattern_test(p, "k") for p, _ in pairs)
                with code.block("for (const k of Object.keys(x))"):
                    code(f"if ({tests or 'false'}) ev.add(k);")
            case ir.AdditionalProperties():
                code("for (const k of Object.keys(x)) ev.add(k);")


@contextmanager
def own_members(code: JsCode, var: str) -> Iterator[None]:
    """A loop over the own member names `k` of object `var`: for-in (V8 reads `var[k]` in it
    straight from the enumeration cache) filtered by hasOwnProperty, so that members inherited
    from a polluted prototype never count."""
    with code.block(f"for (const k in {var})"):
        code(f"if (!hop.call({var}, k)) continue;")
        yield


def member_errors_switch(members: Mapping[str, Node], ctx: Ctx, code: JsCode) -> None:
    """Inside a loop over the own members `k` (value `v`): each named member's errors, by a
    switch on the name; a member with nothing to report continues the loop."""
    arms = {}
    for name, child in members.items():
        call = ctx.emitter.errors_call(
            child,
            "v",
            f"p + {pointer_suffix(name)}",
            ctx,
            at=child.location.rsplit("/", 1)[0],
        )
        arms[name] = [call] if call else []
    name_switch(code, arms, "continue;")


def name_switch(code: JsCode, arms: dict[str, list[str]], settled: str) -> None:
    """Dispatch on the member name `k`: a switch on its length (a jump table), then a few
    comparisons, never a chain of one comparison per name; each arm ends with `settled`."""
    if not arms:
        return
    by_length: dict[int, list[str]] = {}
    for name in arms:
        by_length.setdefault(len(name.encode("utf-16-le")) // 2, []).append(name)
    with code.block("switch (k.length)"):
        for length in sorted(by_length):
            code(f"case {length}:")
            code.depth += 1
            for name in by_length[length]:
                with code.block(f"if (k === {js_literal(name)})"):
                    for line in arms[name]:
                        code(line)
                    code(settled)
            code("break;")
            code.depth -= 1


class PropertyNamesEmitter(KeywordEmitter):
    category = "object"

    def statements(self, kw: ir.PropertyNames, ctx: Ctx, code: JsCode) -> None:
        if ctx.emitter.is_trivial(kw.child):
            return
        with own_members(code, ctx.var):
            code(f"if (!{ctx.emitter.valid_call(kw.child, 'k')}) return false;")

    def errors(self, kw: ir.PropertyNames, ctx: Ctx, code: JsCode) -> None:
        # Like python-jsonschema, a bad name is reported at the object itself.
        call = ctx.emitter.errors_call(kw.child, "k", ctx.path, ctx, at=kw.location)
        if call:
            with own_members(code, ctx.var):
                code(call)


class DependentSchemasEmitter(KeywordEmitter):
    category = "object"

    def statements(self, kw: ir.DependentSchemas, ctx: Ctx, code: JsCode) -> None:
        for name, child in kw.children.items():
            if not ctx.emitter.is_trivial(child):
                check = ctx.emitter.valid_call(child, ctx.var)
                test = f"hop.call({ctx.var}, {js_literal(name)}) && !{check}"
                with code.block(f"if ({test})"):
                    code("return false;")

    def errors(self, kw: ir.DependentSchemas, ctx: Ctx, code: JsCode) -> None:
        for name, child in kw.children.items():
            call = ctx.emitter.errors_call(child, ctx.var, ctx.path, ctx, at=kw.location)
            if call:
                with code.block(f"if (hop.call({ctx.var}, {js_literal(name)}))"):
                    code(call)

    def annotations(self, kw: ir.DependentSchemas, ctx: Ctx, code: JsCode, own: bool) -> None:
        for name, child in kw.children.items():
            with code.block(f"if (hop.call(x, {js_literal(name)}))"):
                code(ctx.emitter.annotations_add(child, "x"))


class UnevaluatedEmitter(KeywordEmitter):
    """unevaluatedProperties and unevaluatedItems: what no sibling evaluated must pass."""

    members: ClassVar[bool]

    def _loop(self, var: str) -> str:
        if self.members:
            return f"for (const k of Object.keys({var}))"
        return f"for (let k = 0; k < {var}.length; k++)"

    def statements(self, kw: Any, ctx: Ctx, code: JsCode) -> None:
        code(f"const seen = {ctx.emitter.request('s', ctx.node)}({ctx.var});")
        with code.block(self._loop(ctx.var)):
            check = ctx.emitter.valid_call(kw.child, f"{ctx.var}[k]")
            code(f"if (!seen.has(k) && !{check}) return false;")

    def errors(self, kw: Any, ctx: Ctx, code: JsCode) -> None:
        code(f"const seen = {ctx.emitter.request('s', ctx.node)}({ctx.var});")
        with code.block(self._loop(ctx.var)):
            check = ctx.emitter.valid_call(kw.child, f"{ctx.var}[k]")
            with code.block(f"if (!seen.has(k) && !{check})"):
                if self.members:
                    ctx.emitter.uses.add("repr")
                    message = say("unevaluated property ", "{repr(k)}", " is not allowed")
                    code(ctx.fail(kw, message, "k"))
                else:
                    code(ctx.fail(kw, say("unevaluated item ", "{k}", " is not allowed")))

    def annotations(self, kw: Any, ctx: Ctx, code: JsCode, own: bool) -> None:
        if own:
            if self.members:
                code("for (const k of Object.keys(x)) ev.add(k);")
            else:
                code("for (let i = 0; i < x.length; i++) ev.add(i);")


class UnevaluatedPropertiesEmitter(UnevaluatedEmitter):
    category = "object"
    members = True


class UnevaluatedItemsEmitter(UnevaluatedEmitter):
    category = "array"
    members = False


# ---- applicators on array items -----------------------------------------------------------------


class PrefixItemsEmitter(KeywordEmitter):
    category = "array"

    def statements(self, kw: ir.PrefixItems, ctx: Ctx, code: JsCode) -> None:
        for position, child in enumerate(kw.children):
            if not ctx.emitter.is_trivial(child):
                check = ctx.emitter.valid_call(child, f"{ctx.var}[{position}]")
                with code.block(f"if ({ctx.var}.length > {position} && !{check})"):
                    code("return false;")

    def errors(self, kw: ir.PrefixItems, ctx: Ctx, code: JsCode) -> None:
        for position, child in enumerate(kw.children):
            item = f"{ctx.var}[{position}]"
            call = ctx.emitter.errors_call(
                child, item, f"p + {pointer_suffix(position)}", ctx, at=kw.location
            )
            if call:
                with code.block(f"if ({ctx.var}.length > {position})"):
                    code(call)

    def annotations(self, kw: ir.PrefixItems, ctx: Ctx, code: JsCode, own: bool) -> None:
        code(f"for (let i = 0; i < x.length && i < {len(kw.children)}; i++) ev.add(i);")


class ItemsEmitter(KeywordEmitter):
    category = "array"

    def statements(self, kw: ir.Items, ctx: Ctx, code: JsCode) -> None:
        if kw.child.boolean is False:
            code(f"if ({ctx.var}.length > {kw.start}) return false;")
        elif not ctx.emitter.is_trivial(kw.child):
            with code.block(f"for (let i = {kw.start}; i < {ctx.var}.length; i++)"):
                code(f"if (!{ctx.emitter.valid_call(kw.child, f'{ctx.var}[i]')}) return false;")

    def errors(self, kw: ir.Items, ctx: Ctx, code: JsCode) -> None:
        if kw.child.boolean is False:  # python-jsonschema: one error at the array
            with code.block(f"if ({ctx.var}.length > {kw.start})"):
                code(
                    ctx.fail(
                        kw, say(f"expected at most {kw.start} items, got ", f"{{{ctx.var}.length}}")
                    )
                )
            return
        call = ctx.emitter.errors_call(
            kw.child, f"{ctx.var}[i]", "p + '/' + i", ctx, at=kw.location
        )
        if call:
            with code.block(f"for (let i = {kw.start}; i < {ctx.var}.length; i++)"):
                code(call)

    def annotations(self, kw: ir.Items, ctx: Ctx, code: JsCode, own: bool) -> None:
        code("for (let i = 0; i < x.length; i++) ev.add(i);")


class ContainsEmitter(KeywordEmitter):
    category = "array"

    def _count(self, kw: ir.Contains, ctx: Ctx, code: JsCode) -> None:
        code("let count = 0;")
        check = ctx.emitter.valid_call(kw.child, f"{ctx.var}[i]", condition=True)
        with code.block(f"for (let i = 0; i < {ctx.var}.length; i++)"):
            code(f"if ({check}) count++;")

    def _fails(self, kw: ir.Contains) -> str:
        parts = [f"count < {kw.min_contains}"]
        if kw.max_contains is not None:
            parts.append(f"count > {kw.max_contains}")
        return " || ".join(parts)

    def statements(self, kw: ir.Contains, ctx: Ctx, code: JsCode) -> None:
        if kw.min_contains == 0 and kw.max_contains is None:
            return
        with code.block(""):  # a scope of its own: `count` may appear twice in a function
            self._count(kw, ctx, code)
            code(f"if ({self._fails(kw)}) return false;")

    def errors(self, kw: ir.Contains, ctx: Ctx, code: JsCode) -> None:
        if kw.min_contains == 0 and kw.max_contains is None:
            return
        with code.block(""):
            self._count(kw, ctx, code)
            with code.block(f"if ({self._fails(kw)})"):
                most = "" if kw.max_contains is None else f" and at most {kw.max_contains}"
                message = say(
                    f"{{show({ctx.var})}}",
                    " has ",
                    "{count}",
                    f" matching items; expected at least {kw.min_contains}{most}",
                )
                code(ctx.fail(kw, message))

    def annotations(self, kw: ir.Contains, ctx: Ctx, code: JsCode, own: bool) -> None:
        check = ctx.emitter.valid_call(kw.child, "x[i]", condition=True)
        code(f"for (let i = 0; i < x.length; i++) if ({check}) ev.add(i);")


# ---- in-place applicators -----------------------------------------------------------------------


class AllOfEmitter(KeywordEmitter):
    def statements(self, kw: ir.AllOf, ctx: Ctx, code: JsCode) -> None:
        for child in kw.children:
            if not ctx.emitter.is_trivial(child):
                code(f"if (!{ctx.emitter.valid_call(child, ctx.var)}) return false;")

    def errors(self, kw: ir.AllOf, ctx: Ctx, code: JsCode) -> None:
        for child in kw.children:
            call = ctx.emitter.errors_call(child, ctx.var, ctx.path, ctx, at=kw.location)
            if call:
                code(call)

    def annotations(self, kw: ir.AllOf, ctx: Ctx, code: JsCode, own: bool) -> None:
        # Only members the instance passes count, even when a sibling fails (python-jsonschema
        # places the unevaluated* errors by this reading).
        for child in kw.children:
            add = ctx.emitter.annotations_add(child, "x")
            if add:
                with code.block(f"if ({ctx.emitter.valid_call(child, 'x', condition=True)})"):
                    code(add)


class AnyOfEmitter(KeywordEmitter):
    def failure(self, kw: ir.AnyOf, ctx: Ctx) -> str:
        if any(ctx.emitter.is_trivial(c, condition=True) for c in kw.children):
            return "false"
        calls = [ctx.emitter.valid_call(c, ctx.var, condition=True) for c in kw.children]
        return "!(" + (" || ".join(calls) or "false") + ")"

    def message(self, kw: ir.AnyOf, ctx: Ctx) -> str:
        return say(f"{{show({ctx.var})}}", " does not match any of the allowed alternatives")

    def annotations(self, kw: ir.AnyOf, ctx: Ctx, code: JsCode, own: bool) -> None:
        for child in kw.children:
            with code.block(f"if ({ctx.emitter.valid_call(child, 'x', condition=True)})"):
                code(ctx.emitter.annotations_add(child, "x"))


class OneOfEmitter(AnyOfEmitter):
    def failure(self, kw: ir.OneOf, ctx: Ctx) -> str:  # type: ignore[override]
        calls = [ctx.emitter.valid_call(c, ctx.var, condition=True) for c in kw.children]
        return f"({' + '.join(f'({c} ? 1 : 0)' for c in calls) or '0'}) !== 1"

    def message(self, kw: ir.OneOf, ctx: Ctx) -> str:  # type: ignore[override]
        return say(f"{{show({ctx.var})}}", " must match exactly one of the alternatives")


class NotEmitter(KeywordEmitter):
    def failure(self, kw: ir.Not, ctx: Ctx) -> str:
        return ctx.emitter.valid_call(kw.child, ctx.var, condition=True)

    def message(self, kw: ir.Not, ctx: Ctx) -> str:
        return say(f"{{show({ctx.var})}}", " matches a schema it must not match")


class IfThenElseEmitter(KeywordEmitter):
    def statements(self, kw: ir.IfThenElse, ctx: Ctx, code: JsCode) -> None:
        emitter = ctx.emitter
        then = kw.then is not None and not emitter.is_trivial(kw.then)
        otherwise = kw.otherwise is not None and not emitter.is_trivial(kw.otherwise)
        if not then and not otherwise:
            return
        condition = emitter.valid_call(kw.condition, ctx.var, condition=True)
        fails = {
            node: f"!{emitter.valid_call(node, ctx.var)}"
            for node, wanted in ((kw.then, then), (kw.otherwise, otherwise))
            if node is not None and wanted
        }
        if then and otherwise:
            assert kw.then is not None and kw.otherwise is not None
            test = f"{condition} ? {fails[kw.then]} : {fails[kw.otherwise]}"
        elif then:
            assert kw.then is not None
            test = f"{condition} && {fails[kw.then]}"
        else:
            assert kw.otherwise is not None
            test = f"!{condition} && {fails[kw.otherwise]}"
        code(f"if ({test}) return false;")

    def errors(self, kw: ir.IfThenElse, ctx: Ctx, code: JsCode) -> None:
        emitter = ctx.emitter
        then = (
            ""
            if kw.then is None
            else emitter.errors_call(kw.then, ctx.var, ctx.path, ctx, at=ctx.node.location)
        )
        otherwise = (
            ""
            if kw.otherwise is None
            else emitter.errors_call(kw.otherwise, ctx.var, ctx.path, ctx, at=ctx.node.location)
        )
        if not then and not otherwise:
            return
        condition = emitter.valid_call(kw.condition, ctx.var, condition=True)
        if then:
            with code.block(f"if ({condition})"):
                code(then)
            if otherwise:
                with code.block("else"):
                    code(otherwise)
        else:
            with code.block(f"if (!{condition})"):
                code(otherwise)

    def annotations(self, kw: ir.IfThenElse, ctx: Ctx, code: JsCode, own: bool) -> None:
        emitter = ctx.emitter
        with code.block(f"if ({emitter.valid_call(kw.condition, 'x', condition=True)})"):
            code(emitter.annotations_add(kw.condition, "x"))
            if kw.then is not None:
                code(emitter.annotations_add(kw.then, "x"))
        if kw.otherwise is not None:
            with code.block("else"):
                code(emitter.annotations_add(kw.otherwise, "x"))


class RefEmitter(KeywordEmitter):
    def statements(self, kw: ir.Ref, ctx: Ctx, code: JsCode) -> None:
        if not ctx.emitter.is_trivial(kw.target):
            code(f"if (!{ctx.emitter.valid_call(kw.target, ctx.var)}) return false;")

    def errors(self, kw: ir.Ref, ctx: Ctx, code: JsCode) -> None:
        # A `$ref` to false reports at the schema holding the `$ref` (python-jsonschema's
        # place); at the root the Python target names the target itself, and so do we.
        at = None if ctx.node is ctx.emitter.ir.root else ctx.node.location
        call = ctx.emitter.errors_call(kw.target, ctx.var, ctx.path, ctx, at=at)
        if call:
            code(call)

    def annotations(self, kw: ir.Ref, ctx: Ctx, code: JsCode, own: bool) -> None:
        code(ctx.emitter.annotations_add(kw.target, "x"))


_members = ObjectMembersEmitter()
EMITTERS: dict[type[ir.Keyword], KeywordEmitter] = {
    ir.Type: TypeEmitter(),
    ir.Const: ConstEmitter(),
    ir.Enum: EnumEmitter(),
    ir.Bound: BoundEmitter(),
    ir.MultipleOf: MultipleOfEmitter(),
    ir.Size: SizeEmitter(),
    ir.Pattern: PatternEmitter(),
    ir.UniqueItems: UniqueItemsEmitter(),
    ir.Required: RequiredEmitter(),
    ir.DependentRequired: DependentRequiredEmitter(),
    ir.Properties: _members,
    ir.PatternProperties: _members,
    ir.AdditionalProperties: _members,
    ir.PropertyNames: PropertyNamesEmitter(),
    ir.DependentSchemas: DependentSchemasEmitter(),
    ir.UnevaluatedProperties: UnevaluatedPropertiesEmitter(),
    ir.PrefixItems: PrefixItemsEmitter(),
    ir.Items: ItemsEmitter(),
    ir.Contains: ContainsEmitter(),
    ir.UnevaluatedItems: UnevaluatedItemsEmitter(),
    ir.AllOf: AllOfEmitter(),
    ir.AnyOf: AnyOfEmitter(),
    ir.OneOf: OneOfEmitter(),
    ir.Not: NotEmitter(),
    ir.IfThenElse: IfThenElseEmitter(),
    ir.Ref: RefEmitter(),
}


class JsEmitter:
    """Turns a SchemaIR (and its advice nodes) into the functions and constants of a module."""

    def __init__(self, schema_ir: ir.SchemaIR, advice: list[Node] | None = None) -> None:
        self.ir = schema_ir
        self.advice = advice or []
        self.constants: dict[str, str] = {}  # source -> name
        self.functions: dict[str, str] = {}
        self.pending: list[tuple[str, Node]] = []
        self.bodies: dict[str, str] = {}  # fast-path body -> the first function with it
        self.accepting = False
        self.warning_reach: dict[int, bool] = {}
        self.uses: set[str] = set()
        self.regexes = check_patterns(_patterns(schema_ir.nodes))

    # -- constants and names --
    def constant(self, source: str) -> str:
        if source not in self.constants:
            self.constants[source] = js_identifier(f"K{len(self.constants)}")
        return self.constants[source]

    def const(self, value: Any) -> str:
        return self.constant(js_literal(value))

    def rule_const(self, rule: Rule) -> str:
        return self.constant(js_literal([rule.id, rule.severity, rule.message]))

    def pattern_test(self, pattern: str, var: str) -> str:
        """`RegExp.test` as an expression; `^name$` becomes a comparison."""
        name = plan.literal_pattern_name(pattern)
        if name is not None:  # Python's $ also matches before one final newline
            return f"({var} === {js_literal(name)} || {var} === {js_literal(name + chr(10))})"
        regex = self.constant(f"new RegExp({js_literal(self.regexes[pattern])}, 'u')")
        return f"{regex}.test({var})"

    # -- calls (each makes sure the callee gets emitted) --
    def request(self, kind: str, node: Node) -> str:
        name = js_identifier(f"{kind}{node.index}")
        if name not in self.functions:
            self.functions[name] = ""
            self.pending.append((kind, node))
        return name

    def is_trivial(self, node: Node, *, condition: bool = False) -> bool:
        if self.accepting and not condition and node.rule and node.rule.severity == "warning":
            return True  # the errors-only fast path lets warning rules pass
        return node.boolean is True or (node.boolean is None and not node.keywords)

    def warns(self, node: Node) -> bool:
        """Whether a warning-severity rule can be reached from `node` (not counting x-advice,
        which validate() reports on its own after the constraints)."""
        if node.index not in self.warning_reach:
            self.warning_reach[node.index] = False  # cycles: decided by the other paths
            own = node.rule is not None and node.rule.severity == "warning"
            children = (
                child
                for kw in node.keywords
                if not isinstance(kw, ir.Advice)
                for child in ir.keyword_children(kw)
            )
            self.warning_reach[node.index] = own or any(self.warns(c) for c in children)
        return self.warning_reach[node.index]

    def valid_call(self, node: Node, var: str, *, condition: bool = False) -> str:
        """A JS expression true iff `var` is valid against `node`. `condition`: the subschema's
        truth decides another keyword (if, not, anyOf, contains), so every rule counts."""
        if self.is_trivial(node, condition=condition):
            return "true"
        if node.boolean is False:
            return "false"
        kind = "w" if self.accepting and not condition and self.warns(node) else "v"
        return f"{self.request(kind, node)}({var})"

    def errors_call(self, node: Node, var: str, path: str, ctx: Ctx, at: str | None = None) -> str:
        """A statement reporting `node`'s findings for `var` at `path` (after a fast check).

        A `false` subschema reports where python-jsonschema (and the Python target) report
        it: at the parent's instance path, with the schema path `at` of the keyword applying
        it (for then/else, of the schema holding them).
        """
        if node.boolean is True or (node.boolean is None and not node.keywords):
            return ""
        if node.boolean is False:
            return self._false_error(node, ctx.path, at) + ";"
        return (
            f"if (!{self.request('v', node)}({var})) {self.request('e', node)}({var}, {path}, out);"
        )

    def _advice_call(self, node: Node) -> str:
        """Reports an advice subschema's findings, each spoken by the advice's own (warning)
        rule, also those from subschemas it reaches through `$ref`."""
        if node.boolean is not None or not node.keywords or node.rule is None:
            return self.errors_call(node, "x", '""', Ctx(self, node, path='""'))
        self.uses.add("advise")
        rule = self.rule_const(node.rule)
        return (
            f"if (!{self.request('v', node)}(x)) advise({self.request('e', node)}, x, {rule}, out);"
        )

    def annotations_add(self, node: Node, var: str) -> str:
        if node.boolean is not None or not node.keywords:
            return ""
        return f"for (const k of {self.request('a', node)}({var})) ev.add(k);"

    def _false_error(self, node: Node, path: str, at: str | None = None) -> str:
        where = js_literal(node.location if at is None else at)
        if node.rule is not None:
            rule = self.rule_const(node.rule)
            return f"out.push(ruleFinding({path}, {where}, 'false', {rule}, null))"
        message = js_literal("no value is allowed here")
        return f"out.push(finding({path}, {where}, 'false', {message}, null))"

    # -- function bodies --
    def _grouped(
        self, node: Node
    ) -> tuple[list[ir.Keyword], dict[str, list[ir.Keyword]], list[ir.Keyword]]:
        """(type, keywords by the kind they apply to, in-place applicators): the shared plan's
        check order (x-advice left out: validate() reports it after the constraints)."""
        order = plan.check_order(node)
        types: list[ir.Keyword] = [order.type] if order.type is not None else []
        return types, dict(order.by_kind), order.in_place

    def _valid_function(self, name: str, node: Node) -> str:
        code = JsCode()
        if node.boolean is False:
            code("return false;")
        else:
            ctx = Ctx(self, node)
            types, by_category, rest = self._grouped(node)
            for kw in types:
                EMITTERS[ir.Type].statements(kw, ctx, code)
                ctx.known = ctx.known & (node.types or ALL)
            for category in plan.KIND_ORDER:
                self._guarded(by_category.get(category, []), category, ctx, code, "statements")
            for kw in rest:
                EMITTERS[type(kw)].statements(kw, ctx, code)
            code("return true;")
        body = code.text()
        logic = "\n".join(line for line in code.lines if not line.lstrip().startswith("//"))
        shared = self.bodies.get(logic)
        comment = js_comment(node.location or "/")
        if shared is not None:
            return f"const {name} = {shared}; {comment}"
        self.bodies[logic] = name
        return f"function {name}(x) {{ {comment}\n{body}\n}}"

    def _guarded(
        self, keywords: list[ir.Keyword], category: str, ctx: Ctx, code: JsCode, mode: str
    ) -> None:
        applies = guard(category, ctx.var, ctx.known)
        if not keywords or applies is None:
            return
        inner = Ctx(self, ctx.node, ctx.var, frozenset({category}))
        if applies == "":
            for kw in keywords:
                getattr(EMITTERS[type(kw)], mode)(kw, inner, code)
        else:
            with code.block(f"if ({applies})"):
                for kw in keywords:
                    getattr(EMITTERS[type(kw)], mode)(kw, inner, code)

    def _errors_function(self, name: str, node: Node) -> str:
        code = JsCode()
        if node.boolean is False:
            code(self._false_error(node, "p") + ";")
        else:
            ctx = Ctx(self, node)
            types, by_category, rest = self._grouped(node)
            for kw in types:
                EMITTERS[ir.Type].errors(kw, ctx, code)
            for category in plan.KIND_ORDER:
                self._guarded(by_category.get(category, []), category, ctx, code, "errors")
            for kw in rest:
                EMITTERS[type(kw)].errors(kw, ctx, code)
        comment = js_comment(node.location or "/")
        return f"function {name}(x, p, out) {{ {comment}\n{code.text()}\n}}"

    def _annotations_function(self, name: str, node: Node, own: bool) -> str:
        code = JsCode()
        code("const ev = new Set();")
        ctx = Ctx(self, node)
        _, by_category, rest = self._grouped(node)
        for kw in rest:
            EMITTERS[type(kw)].annotations(kw, ctx, code, own)
        for category in ("object", "array"):
            keywords = by_category.get(category, [])
            if keywords:
                with code.block(f"if ({category_test(category, 'x')})"):
                    for kw in keywords:
                        EMITTERS[type(kw)].annotations(kw, ctx, code, own)
        code("return ev;")
        lines = [line for line in code.lines if line.strip()]
        return (
            f"function {name}(x) {{ {js_comment(node.location or '/')}\n" + "\n".join(lines) + "\n}"
        )

    def emit(self) -> None:
        root = self.ir.root
        self.root_full = self.valid_call(root, "x")
        self.accepting = True
        self.root_accept = self.valid_call(root, "x")
        self.accepting = False
        self.root_errors = self.errors_call(root, "x", '""', Ctx(self, root, path='""'))
        self.advice_errors = [self._advice_call(node) for node in self.advice]
        while self.pending:
            kind, node = self.pending.pop(0)
            name = f"{kind}{node.index}"
            self.accepting = kind == "w"
            if kind in ("v", "w"):
                self.functions[name] = self._valid_function(name, node)
            elif kind == "e":
                self.functions[name] = self._errors_function(name, node)
            else:
                self.functions[name] = self._annotations_function(name, node, kind == "a")
        self.accepting = False

    @property
    def has_warnings(self) -> bool:
        """Whether the constraints themselves hold warning rules (then findings are sorted)."""
        return self.warns(self.ir.root)


def _patterns(nodes: list[Node]) -> dict[str, tuple[str, str]]:
    """Every regex pattern in the IR (literal `^name$` ones need none), with where it is."""
    found: dict[str, tuple[str, str]] = {}
    for node in nodes:
        for kw in node.keywords:
            if isinstance(kw, ir.Pattern):
                found.setdefault(kw.pattern, (kw.location, "pattern"))
            elif isinstance(kw, ir.PatternProperties):
                for pattern, _ in kw.children:
                    where = f"{kw.location}/{pointer.escape_token(pattern)}"
                    found.setdefault(pattern, (where, "patternProperties"))
            elif isinstance(kw, ir.AdditionalProperties):
                for pattern in kw.patterns:
                    found.setdefault(pattern, (kw.location, "patternProperties"))
    return found
