"""IR -> Python source for a standalone validator module.

Three kinds of generated function per subschema node, each made on demand:
  `_v<n>(x) -> bool`            the fast path: returns False at the first failure, no objects made;
  `_e<n>(x, path, out) -> None` the reporting path: appends every `Error`, runs only on failure;
  `_a<n>(x) -> set`             evaluated properties/items, only for nodes `unevaluated*` reads
                                (`_s<n>` is the same without the node's own unevaluated* keywords).
Each keyword has one emitter class (the table `EMITTERS` is data) with one method per mode.
Identifiers in the output are ours (`_v3`, `_K7`); schema values enter only as `py_literal`
constants, and schema paths in comments only through `py_comment`.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, ClassVar

from genspec import ir, keywords
from genspec.ir import Node
from genspec.jsonvalue import TYPE_KINDS, is_number
from genspec.literals import py_comment, py_literal
from genspec.rules import Rule

_INVERSE = {
    ast.Is: "is not",
    ast.IsNot: "is",
    ast.In: "not in",
    ast.NotIn: "in",
    ast.Eq: "!=",
    ast.NotEq: "==",
    ast.Lt: ">=",
    ast.LtE: ">",
    ast.Gt: "<=",
    ast.GtE: "<",
}


def negate(expression: str) -> str:
    """`not (expression)`, written the way a person would for a lone comparison or `not`."""
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:  # pragma: no cover - we only negate expressions we generated
        return f"not ({expression})"
    text = expression.strip()
    if isinstance(tree, (ast.Call, ast.Name, ast.Subscript, ast.Attribute)):
        return f"not {text}"
    if isinstance(tree, ast.UnaryOp) and isinstance(tree.op, ast.Not):
        operand = ast.get_source_segment(text, tree.operand)
        if operand is not None:
            return (
                operand
                if isinstance(tree.operand, (ast.Compare, ast.Call, ast.Name))
                else f"({operand})"
            )
    if isinstance(tree, ast.Compare) and len(tree.ops) == 1 and type(tree.ops[0]) in _INVERSE:
        left = ast.get_source_segment(text, tree.left)
        right = ast.get_source_segment(text, tree.comparators[0])
        if left is not None and right is not None:
            return f"{left} {_INVERSE[type(tree.ops[0])]} {right}"
    return f"not ({text})"


def show_json(value: Any) -> str:
    """The compile-time twin of the generated `_show`: compact JSON, cut at 80 characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = "<value>"
    return text if len(text) <= 80 else text[:77] + "..."


ALL_CATEGORIES = frozenset({"null", "boolean", "number", "string", "array", "object"})
# How many properties are checked one by one (`"a" in x`) before a dispatch table pays off.
SMALL_PROPERTIES = 6


class Code:
    """Lines of Python with an indentation cursor."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 0
        self.blocks = [0]  # ids of the open blocks; the last is where lines go now
        self.opened = 0

    def __call__(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self(header)
        self.depth += 1
        self.opened += 1
        self.blocks.append(self.opened)
        start = len(self.lines)
        yield
        if all(line.lstrip().startswith("#") for line in self.lines[start:]):
            self("pass")
        self.blocks.pop()
        self.depth -= 1

    def text(self) -> str:
        return "\n".join(self.lines)


def category_test(category: str, var: str) -> str:
    return {
        "null": f"{var} is None",
        "boolean": f"({var} is True or {var} is False)",
        "number": f"(type({var}) is int or type({var}) is float)",
        "string": f"isinstance({var}, str)",
        "array": f"isinstance({var}, list)",
        "object": f"isinstance({var}, dict)",
    }[category]


def type_test(name: str, var: str) -> str:
    if name == "integer":
        return f"(type({var}) is int or (type({var}) is float and {var}.is_integer()))"
    return category_test(TYPE_KINDS[name], var)


def guard(category: str, var: str, known: frozenset[str]) -> str | None:
    """Condition under which a `category` keyword applies; "" = always, None = never."""
    if category not in known:
        return None
    if known == {category}:
        return ""
    if known == {category, "null"}:
        return f"{var} is not None"
    return category_test(category, var)


@dataclass
class Context:
    """What the code being emitted for one node knows: its variable and the instance's type."""

    emitter: PythonEmitter
    node: Node
    var: str
    known: frozenset[str]
    path: str = "path"  # variable holding the instance path tuple (reporting mode)
    out: str = "out"
    present: set[str] = field(default_factory=set)  # member names already known to be present

    def fail(self, keyword: ir.Keyword, message: str, prop: str = "None") -> str:
        """Statement reporting `keyword`'s failure; inside a documented rule, the rule speaks."""
        location = self.emitter.const(keyword.location)
        rule = self.node.rule
        if rule is None:
            args = f"{message}, None, 'error', {prop}"
        else:
            args = f"{self.emitter.rule_const(rule)}, {prop}"
            return (
                f"{self.out}.append(_rule_error({self.path}, {location}, "
                f"{py_literal(keyword.name)}, {args}))"
            )
        return (
            f"{self.out}.append(Error(_pointer({self.path}), {location}, "
            f"{py_literal(keyword.name)}, {args}))"
        )


class KeywordEmitter:
    """How one keyword is checked (the instance kind it applies to is in `genspec.keywords`)."""

    def condition(self, kw: Any, ctx: Context) -> str | None:
        """A boolean expression that holds when the keyword passes, or None to use `statements`."""
        return None

    def failure(self, kw: Any, ctx: Context) -> str:
        """A boolean expression that holds when the keyword fails."""
        condition = self.condition(kw, ctx)
        assert condition is not None, type(kw).__name__
        return f"{negate(condition)}"

    def statements(self, kw: Any, ctx: Context, code: Code) -> None:
        with code.block(f"if {self.failure(kw, ctx)}:"):
            code("return False")

    def errors(self, kw: Any, ctx: Context, code: Code) -> None:
        with code.block(f"if {self.failure(kw, ctx)}:"):
            code(ctx.fail(kw, self.message(kw, ctx)))

    def message(self, kw: Any, ctx: Context) -> str:
        raise NotImplementedError

    def annotations(self, kw: Any, ctx: Context, code: Code, own_unevaluated: bool) -> None:
        """Add what this keyword evaluated to the set `ev` (the node is known to be valid)."""


# ---- assertions ---------------------------------------------------------------------------------


class TypeEmitter(KeywordEmitter):
    def failure(self, kw: ir.Type, ctx: Context) -> str:
        if kw.types in (("object",), ("array",), ("string",)):
            return f"not {self.condition(kw, ctx)}"
        return f"{negate(self.condition(kw, ctx))}"

    def condition(self, kw: ir.Type, ctx: Context) -> str:
        names = list(dict.fromkeys(kw.types))
        if "integer" in names and "number" in names:
            names.remove("integer")
        return " or ".join(type_test(name, ctx.var) for name in names) or "False"

    def message(self, kw: ir.Type, ctx: Context) -> str:
        expected = ctx.emitter.const(" or ".join(kw.types) or "nothing")
        return f"f'expected {{{expected}}}, got {{_kind({ctx.var})}} {{_show({ctx.var})}}'"


class ConstEmitter(KeywordEmitter):
    def condition(self, kw: ir.Const, ctx: Context) -> str:
        value = kw.value
        if value is None or isinstance(value, bool):
            return f"{ctx.var} is {value!r}"
        if isinstance(value, str):
            return f"{ctx.var} == {ctx.emitter.const(value)}"
        if is_number(value):
            return f"{category_test('number', ctx.var)} and {ctx.var} == {py_literal(value)}"
        return f"_equal({ctx.var}, {ctx.emitter.const(value)})"

    def message(self, kw: ir.Const, ctx: Context) -> str:
        return f"f'expected {{{ctx.emitter.shown(kw.value)}}}, got {{_show({ctx.var})}}'"


class EnumEmitter(KeywordEmitter):
    def condition(self, kw: ir.Enum, ctx: Context) -> str:
        # Split by JSON kind so each part is one `is` or one hashed set lookup.
        x = ctx.var
        singletons = [v for v in (None, True, False) if any(v is w for w in kw.values)]
        strings = [v for v in kw.values if isinstance(v, str)]
        numbers = [v for v in kw.values if is_number(v)]
        containers = [v for v in kw.values if isinstance(v, (list, dict))]
        parts = [f"{x} is {v!r}" for v in singletons]
        if strings:
            parts.append(f"(isinstance({x}, str) and {x} in {ctx.emitter.const_set(strings)})")
        if numbers:
            members = ctx.emitter.const(frozenset(numbers))
            parts.append(f"({category_test('number', x)} and {x} in {members})")
        if containers:
            parts.append(f"_member({x}, {ctx.emitter.const(containers)})")
        return " or ".join(parts) or "False"

    def message(self, kw: ir.Enum, ctx: Context) -> str:
        return f"f'{{_show({ctx.var})}} is not one of {{{ctx.emitter.shown(kw.values)}}}'"


class BoundEmitter(KeywordEmitter):
    OPERATORS: ClassVar[dict[str, tuple[str, str]]] = {
        "minimum": (">=", "less than the minimum"),
        "maximum": ("<=", "greater than the maximum"),
        "exclusiveMinimum": (">", "not greater than the exclusive minimum"),
        "exclusiveMaximum": ("<", "not less than the exclusive maximum"),
    }

    NEGATED: ClassVar[dict[str, str]] = {">=": "<", "<=": ">", ">": "<=", "<": ">="}

    def condition(self, kw: ir.Bound, ctx: Context) -> str:
        return f"{ctx.var} {self.OPERATORS[kw.name][0]} {py_literal(kw.limit)}"

    def failure(self, kw: ir.Bound, ctx: Context) -> str:
        operator = self.NEGATED[self.OPERATORS[kw.name][0]]
        return f"{ctx.var} {operator} {py_literal(kw.limit)}"

    def message(self, kw: ir.Bound, ctx: Context) -> str:
        words = self.OPERATORS[kw.name][1]
        return f"f'{{_show({ctx.var})}} is {words} {{{ctx.emitter.shown(kw.limit)}}}'"


class MultipleOfEmitter(KeywordEmitter):
    def condition(self, kw: ir.MultipleOf, ctx: Context) -> str:
        if isinstance(kw.divisor, int):
            return f"{ctx.var} % {py_literal(kw.divisor)} == 0"
        ctx.emitter.uses_fraction = True
        return f"_multiple_of({ctx.var}, {py_literal(kw.divisor)})"

    def failure(self, kw: ir.MultipleOf, ctx: Context) -> str:
        if isinstance(kw.divisor, int):
            return f"{ctx.var} % {py_literal(kw.divisor)} != 0"
        return f"not {self.condition(kw, ctx)}"

    def message(self, kw: ir.MultipleOf, ctx: Context) -> str:
        divisor = ctx.emitter.shown(kw.divisor)
        return f"f'{{_show({ctx.var})}} is not a multiple of {{{divisor}}}'"


class SizeEmitter(KeywordEmitter):
    NOUNS: ClassVar[dict[str, str]] = {
        "string": "characters",
        "array": "items",
        "object": "properties",
    }

    def condition(self, kw: ir.Size, ctx: Context) -> str:
        operator = ">=" if kw.name.startswith("min") else "<="
        return f"len({ctx.var}) {operator} {py_literal(kw.limit)}"

    def failure(self, kw: ir.Size, ctx: Context) -> str:
        operator = "<" if kw.name.startswith("min") else ">"
        return f"len({ctx.var}) {operator} {py_literal(kw.limit)}"

    def message(self, kw: ir.Size, ctx: Context) -> str:
        bound = "at least" if kw.name.startswith("min") else "at most"
        noun = self.NOUNS[keywords.applies_to(kw.name)]
        return f"f'{{_show({ctx.var})}} should have {bound} {kw.limit} {noun}'"


class PatternEmitter(KeywordEmitter):
    def condition(self, kw: ir.Pattern, ctx: Context) -> str:
        return ctx.emitter.pattern_test(kw.pattern, ctx.var)

    def message(self, kw: ir.Pattern, ctx: Context) -> str:
        pattern = ctx.emitter.const(kw.pattern)
        return f"f'{{_show({ctx.var})}} does not match the pattern {{{pattern}!r}}'"


class UniqueItemsEmitter(KeywordEmitter):
    def condition(self, kw: ir.UniqueItems, ctx: Context) -> str:
        return f"_unique({ctx.var})"

    def message(self, kw: ir.UniqueItems, ctx: Context) -> str:
        return "'array items must be unique'"


class RequiredEmitter(KeywordEmitter):
    def condition(self, kw: ir.Required, ctx: Context) -> str:
        return " and ".join(f"{py_literal(n)} in {ctx.var}" for n in kw.names) or "True"

    def statements(self, kw: ir.Required, ctx: Context, code: Code) -> None:
        super().statements(kw, ctx, code)
        ctx.present.update(kw.names)

    def failure(self, kw: ir.Required, ctx: Context) -> str:
        if len(kw.names) == 1:
            return f"{py_literal(kw.names[0])} not in {ctx.var}"
        return f"{negate(self.condition(kw, ctx))}"

    def errors(self, kw: ir.Required, ctx: Context, code: Code) -> None:
        with code.block(f"for _name in {ctx.emitter.const(kw.names)}:"):
            with code.block(f"if _name not in {ctx.var}:"):
                code(ctx.fail(kw, "f'missing required property {_name!r}'", "_name"))


class DependentRequiredEmitter(KeywordEmitter):
    def condition(self, kw: ir.DependentRequired, ctx: Context) -> str:
        parts = []
        for name, needed in kw.dependencies.items():
            if needed:
                all_present = " and ".join(f"{py_literal(n)} in {ctx.var}" for n in needed)
                parts.append(f"({py_literal(name)} not in {ctx.var} or ({all_present}))")
        return " and ".join(parts) or "True"

    def errors(self, kw: ir.DependentRequired, ctx: Context, code: Code) -> None:
        with code.block(f"for _name, _needed in {ctx.emitter.const(kw.dependencies)}.items():"):
            with code.block(f"if _name in {ctx.var}:"):
                with code.block("for _other in _needed:"):
                    with code.block(f"if _other not in {ctx.var}:"):
                        message = "f'{_other!r} is required when {_name!r} is present'"
                        code(ctx.fail(kw, message, "_other"))


# ---- applicators on object members --------------------------------------------------------------


class ObjectMembersEmitter(KeywordEmitter):
    """properties, patternProperties and additionalProperties, emitted together (one loop)."""

    def statements(self, kw: Any, ctx: Context, code: Code) -> None:
        node = ctx.node
        props, patterns, extra = _member_keywords(node)
        if kw is not (props or patterns or extra):
            return  # the first of the three present emits for all of them
        emitter = ctx.emitter
        x = ctx.var
        props_map = props.children if props else {}
        if extra is None and not patterns and len(props_map) <= SMALL_PROPERTIES:
            for name, child in props_map.items():
                if emitter.is_trivial(child):
                    continue
                value = f"{x}[{py_literal(name)}]"
                check = emitter.valid_expr(child, value, ALL_CATEGORIES)
                presence = "" if name in ctx.present else f"{py_literal(name)} in {x} and "
                with code.block(f"if {presence}{negate(check)}:"):
                    code("return False")
            return
        table, regex_patterns, exclusive = _member_table(props_map, patterns)
        key, value = emitter.fresh("key"), emitter.fresh("value")
        rejects_rest = extra is not None and extra.child.boolean is False
        if table and exclusive and rejects_rest and not regex_patterns:
            # A closed object: one set comparison finds an unknown member before any value
            # is checked, and then every member has a checker.
            with code.block(f"if not {x}.keys() <= {emitter.const_set(list(table))}:"):
                code("return False")
            with code.block(f"for {key}, {value} in {x}.items():"):
                with code.block(f"if not {emitter.dispatch_table(table)}[{key}]({value}):"):
                    code("return False")
            return
        with code.block(f"for {key}, {value} in {x}.items():"):
            check = emitter.fresh("check")
            if table:
                code(f"{check} = {emitter.dispatch_table(table)}.get({key})")
                if exclusive:
                    with code.block(f"if {check} is not None:"):
                        with code.block(f"if not {check}({value}):"):
                            code("return False")
                        code("continue")
                else:
                    with code.block(f"if {check} is not None and not {check}({value}):"):
                        code("return False")
            hit = emitter.fresh("hit")
            if extra is not None:
                code(f"{hit} = {'False' if exclusive or not table else f'{check} is not None'}")
            for pattern, child in regex_patterns:
                with code.block(f"if {emitter.pattern_test(pattern, key)}:"):
                    if extra is not None:
                        code(f"{hit} = True")
                    if not emitter.is_trivial(child):
                        test = emitter.valid_expr(child, value, ALL_CATEGORIES)
                        with code.block(f"if {negate(test)}:"):
                            code("return False")
            if extra is not None and not emitter.is_trivial(extra.child):
                unmatched = [f"not {hit}"]
                if not rejects_rest:
                    test = emitter.valid_expr(extra.child, value, ALL_CATEGORIES)
                    unmatched.append(f"{negate(test)}")
                with code.block(f"if {' and '.join(unmatched)}:"):
                    code("return False")

    def condition(self, kw: Any, ctx: Context) -> str | None:
        if not isinstance(kw, ir.Properties):
            return None
        parts = []
        for name, child in kw.children.items():
            if ctx.emitter.is_trivial(child):
                continue
            check = ctx.emitter.valid_expr(child, f"{ctx.var}[{py_literal(name)}]", ALL_CATEGORIES)
            absent = "" if name in ctx.present else f"{py_literal(name)} not in {ctx.var} or "
            parts.append(f"({absent}({check}))")
        return " and ".join(parts) or "True"

    def errors(self, kw: Any, ctx: Context, code: Code) -> None:
        emitter = ctx.emitter
        x = ctx.var
        props, patterns, extra = _member_keywords(ctx.node)
        table, regex_patterns, exclusive = _member_table(props.children if props else {}, patterns)
        if table and exclusive and (extra is not None or len(table) > SMALL_PROPERTIES):
            # One pass over the members reports all three keywords.
            if kw is props or (props is None and kw is patterns):
                self._fused_errors(ctx, code, table, regex_patterns, extra)
            return
        match kw:
            case ir.Properties(children=children) if len(children) > SMALL_PROPERTIES:
                with code.block(f"for _key, _value in {x}.items():"):
                    code(f"_check = {emitter.dispatch_table(children)}.get(_key)")
                    with code.block("if _check is not None and not _check(_value):"):
                        code(f"{emitter.errors_table(children)}[_key](_value, (*path, _key), out)")
            case ir.Properties(children=children):
                for name, child in children.items():
                    with code.block(f"if {py_literal(name)} in {x}:"):
                        code(f"{emitter.errors_call(child, f'{x}[{py_literal(name)}]', name)}")
            case ir.PatternProperties(children=pairs):
                for pattern, child in pairs:
                    with code.block(f"for _key, _value in {x}.items():"):
                        with code.block(f"if {emitter.pattern_test(pattern, '_key')}:"):
                            code(emitter.errors_call(child, "_value", key_var="_key"))
            case ir.AdditionalProperties(child=child, known=known, patterns=sibling_patterns):
                with code.block(f"for _key, _value in {x}.items():"):
                    skip = [f"_key in {emitter.const_set(known)}"] if known else []
                    skip += [emitter.pattern_test(p, "_key") for p in sibling_patterns]
                    if skip:
                        with code.block(f"if {' or '.join(skip)}:"):
                            code("continue")
                    if child.boolean is False:
                        message = "f'unknown property {_key!r}'"
                        code(ctx.fail(kw, message, "_key"))
                    else:
                        code(emitter.errors_call(child, "_value", key_var="_key"))

    def _fused_errors(
        self,
        ctx: Context,
        code: Code,
        table: dict[str, Node],
        regex_patterns: list[tuple[str, Node]],
        extra: ir.AdditionalProperties | None,
    ) -> None:
        emitter = ctx.emitter
        with code.block(f"for _key, _value in {ctx.var}.items():"):
            # The fast check first: the path tuple is only built for a member that fails.
            code(f"_check = {emitter.dispatch_table(table)}.get(_key)")
            with code.block("if _check is not None:"):
                with code.block("if not _check(_value):"):
                    code(f"{emitter.errors_table(table)}[_key](_value, (*path, _key), out)")
                code("continue")
            if extra is not None and regex_patterns:
                code("_hit = False")
            for pattern, child in regex_patterns:
                with code.block(f"if {emitter.pattern_test(pattern, '_key')}:"):
                    if extra is not None:
                        code("_hit = True")
                    code(emitter.errors_call(child, "_value", key_var="_key"))
            if extra is None:
                return
            with code.block("if not _hit:") if regex_patterns else nullcontext():
                if extra.child.boolean is False:
                    code(ctx.fail(extra, "f'unknown property {_key!r}'", "_key"))
                else:
                    code(emitter.errors_call(extra.child, "_value", key_var="_key"))

    def annotations(self, kw: Any, ctx: Context, code: Code, own_unevaluated: bool) -> None:
        emitter = ctx.emitter
        match kw:
            case ir.Properties(children=children):
                code(f"ev.update({ctx.var}.keys() & {emitter.const_set(list(children))})")
            case ir.PatternProperties(children=pairs):
                tests = " or ".join(emitter.pattern_test(p, "_k") for p, _ in pairs)
                code(f"ev.update(_k for _k in {ctx.var} if {tests or 'False'})")
            case ir.AdditionalProperties():
                code(f"ev.update({ctx.var})")


def literal_pattern_name(pattern: str) -> str | None:
    """The one name a pattern like `^styleUUID$` stands for (besides name + newline), or None."""
    literal = re.fullmatch(r"\^([A-Za-z0-9_-]+)\$", pattern)
    return literal.group(1) if literal else None


def _member_table(
    props: dict[str, Node], patterns: ir.PatternProperties | None
) -> tuple[dict[str, Node], list[tuple[str, Node]], bool]:
    """(name -> subschema for properties and literal patterns, the other patterns, exclusive).

    Literal patterns (`^name$`) that name no declared property join the table; `exclusive` says
    no remaining pattern can match a table name, so a table hit settles a member.
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


def _member_keywords(
    node: Node,
) -> tuple[ir.Properties | None, ir.PatternProperties | None, ir.AdditionalProperties | None]:
    return (
        node.find(ir.Properties),
        node.find(ir.PatternProperties),
        node.find(ir.AdditionalProperties),
    )


class PropertyNamesEmitter(KeywordEmitter):
    def statements(self, kw: ir.PropertyNames, ctx: Context, code: Code) -> None:
        key = ctx.emitter.fresh("key")
        check = ctx.emitter.valid_expr(kw.child, key, frozenset({"string"}))
        with code.block(f"for {key} in {ctx.var}:"), code.block(f"if {negate(check)}:"):
            code("return False")

    def errors(self, kw: ir.PropertyNames, ctx: Context, code: Code) -> None:
        # Like python-jsonschema, a bad name is reported at the object itself.
        with code.block(f"for _key in {ctx.var}:"):
            code(ctx.emitter.errors_call(kw.child, "_key", same_path=True))


class DependentSchemasEmitter(KeywordEmitter):
    def condition(self, kw: ir.DependentSchemas, ctx: Context) -> str:
        parts = [
            f"({py_literal(name)} not in {ctx.var} or "
            f"{ctx.emitter.valid_expr(child, ctx.var, frozenset({'object'}))})"
            for name, child in kw.children.items()
        ]
        return " and ".join(parts) or "True"

    def statements(self, kw: ir.DependentSchemas, ctx: Context, code: Code) -> None:
        for name, child in kw.children.items():
            with code.block(f"if {py_literal(name)} in {ctx.var}:"):
                ctx.emitter.valid_stmts(child, ctx.var, ctx.known & {"object"}, code)

    def errors(self, kw: ir.DependentSchemas, ctx: Context, code: Code) -> None:
        for name, child in kw.children.items():
            with code.block(f"if {py_literal(name)} in {ctx.var}:"):
                code(ctx.emitter.errors_call(child, ctx.var, same_path=True, known=ctx.known))

    def annotations(self, kw: ir.DependentSchemas, ctx: Context, code: Code, own: bool) -> None:
        for name, child in kw.children.items():
            with code.block(f"if {py_literal(name)} in {ctx.var}:"):
                code(f"ev |= {ctx.emitter.annotations_call(child, ctx.var)}")


class UnevaluatedEmitter(KeywordEmitter):
    """unevaluatedProperties and unevaluatedItems: members no sibling evaluated must pass."""

    members: ClassVar[bool]  # object members (True) or array items (False)

    def _loop(self, var: str, key: str, value: str) -> str:
        return (
            f"for {key}, {value} in {var}.items():"
            if self.members
            else (f"for {key}, {value} in enumerate({var}):")
        )

    def statements(self, kw: Any, ctx: Context, code: Code) -> None:
        seen = ctx.emitter.fresh("seen")
        code(f"{seen} = {ctx.emitter.siblings_call(ctx.node, ctx.var)}")
        key, value = ctx.emitter.fresh("key"), ctx.emitter.fresh("value")
        check = ctx.emitter.valid_expr(kw.child, value, ALL_CATEGORIES)
        with code.block(self._loop(ctx.var, key, value)):
            with code.block(f"if {key} not in {seen} and {negate(check)}:"):
                code("return False")

    def errors(self, kw: Any, ctx: Context, code: Code) -> None:
        code(f"_seen = {ctx.emitter.siblings_call(ctx.node, ctx.var)}")
        check = ctx.emitter.valid_call(kw.child, "_value")
        with code.block(self._loop(ctx.var, "_key", "_value")):
            with code.block(f"if _key not in _seen and not {check}:"):
                if self.members:
                    message = "f'unevaluated property {_key!r} is not allowed'"
                    code(ctx.fail(kw, message, "_key"))
                else:
                    code(ctx.fail(kw, "f'unevaluated item {_key} is not allowed'"))

    def annotations(self, kw: Any, ctx: Context, code: Code, own_unevaluated: bool) -> None:
        if own_unevaluated:
            everything = ctx.var if self.members else f"range(len({ctx.var}))"
            code(f"ev.update({everything})")


class UnevaluatedPropertiesEmitter(UnevaluatedEmitter):
    members = True


class UnevaluatedItemsEmitter(UnevaluatedEmitter):
    members = False


# ---- applicators on array items -----------------------------------------------------------------


class PrefixItemsEmitter(KeywordEmitter):
    def statements(self, kw: ir.PrefixItems, ctx: Context, code: Code) -> None:
        for position, child in enumerate(kw.children):
            if ctx.emitter.is_trivial(child):
                continue
            item = f"{ctx.var}[{position}]"
            check = ctx.emitter.valid_expr(child, item, ALL_CATEGORIES)
            with code.block(f"if len({ctx.var}) > {position} and {negate(check)}:"):
                code("return False")

    def errors(self, kw: ir.PrefixItems, ctx: Context, code: Code) -> None:
        for position, child in enumerate(kw.children):
            with code.block(f"if len({ctx.var}) > {position}:"):
                code(ctx.emitter.errors_call(child, f"{ctx.var}[{position}]", position))

    def annotations(self, kw: ir.PrefixItems, ctx: Context, code: Code, own: bool) -> None:
        code(f"ev.update(range(min(len({ctx.var}), {len(kw.children)})))")


class ItemsEmitter(KeywordEmitter):
    def _items(self, kw: ir.Items, var: str) -> str:
        return var if kw.start == 0 else f"{var}[{kw.start}:]"

    def statements(self, kw: ir.Items, ctx: Context, code: Code) -> None:
        if kw.child.boolean is False:
            with code.block(f"if len({ctx.var}) > {kw.start}:"):
                code("return False")
            return
        if ctx.emitter.is_trivial(kw.child):
            return
        item = ctx.emitter.fresh("item")
        check = ctx.emitter.valid_expr(kw.child, item, ALL_CATEGORIES)
        with code.block(f"for {item} in {self._items(kw, ctx.var)}:"):
            with code.block(f"if {negate(check)}:"):
                code("return False")

    def errors(self, kw: ir.Items, ctx: Context, code: Code) -> None:
        with code.block(f"for _index in range({kw.start}, len({ctx.var})):"):
            code(ctx.emitter.errors_call(kw.child, f"{ctx.var}[_index]", key_var="_index"))

    def annotations(self, kw: ir.Items, ctx: Context, code: Code, own: bool) -> None:
        code(f"ev.update(range(len({ctx.var})))")


class ContainsEmitter(KeywordEmitter):
    def _count(self, kw: ir.Contains, ctx: Context, code: Code) -> str:
        count, item = ctx.emitter.fresh("count"), ctx.emitter.fresh("item")
        check = ctx.emitter.valid_expr(kw.child, item, ALL_CATEGORIES)
        code(f"{count} = sum(1 for {item} in {ctx.var} if {check})")
        return count

    def _passes(self, kw: ir.Contains, count: str) -> str:
        parts = [f"{count} >= {kw.min_contains}"]
        if kw.max_contains is not None:
            parts.append(f"{count} <= {kw.max_contains}")
        return " and ".join(parts)

    def statements(self, kw: ir.Contains, ctx: Context, code: Code) -> None:
        if kw.min_contains == 0 and kw.max_contains is None:
            return
        if kw.min_contains == 1 and kw.max_contains is None:  # stop at the first match
            item = ctx.emitter.fresh("item")
            check = ctx.emitter.valid_expr(kw.child, item, ALL_CATEGORIES)
            with code.block(f"if not any({check} for {item} in {ctx.var}):"):
                code("return False")
            return
        count = self._count(kw, ctx, code)
        with code.block(f"if {negate(self._passes(kw, count))}:"):
            code("return False")

    def errors(self, kw: ir.Contains, ctx: Context, code: Code) -> None:
        if kw.min_contains == 0 and kw.max_contains is None:
            return
        count = self._count(kw, ctx, code)
        with code.block(f"if {negate(self._passes(kw, count))}:"):
            message = (
                f"f'{{_show({ctx.var})}} has {{{count}}} matching items; expected at least "
                f"{kw.min_contains}"
                + ("" if kw.max_contains is None else f" and at most {kw.max_contains}")
                + "'"
            )
            code(ctx.fail(kw, message))

    def annotations(self, kw: ir.Contains, ctx: Context, code: Code, own: bool) -> None:
        check = ctx.emitter.valid_expr(kw.child, "_item", ALL_CATEGORIES)
        code(f"ev.update(_i for _i, _item in enumerate({ctx.var}) if {check})")


# ---- in-place applicators -----------------------------------------------------------------------


class AllOfEmitter(KeywordEmitter):
    def condition(self, kw: ir.AllOf, ctx: Context) -> str:
        # The checks are pure, so the cheapest goes first and short-circuits the rest.
        children = sorted(kw.children, key=ctx.emitter.cost)
        parts = [ctx.emitter.valid_expr(c, ctx.var, ctx.known) for c in children]
        return " and ".join(f"({p})" for p in parts) or "True"

    def statements(self, kw: ir.AllOf, ctx: Context, code: Code) -> None:
        # Rules (`if`/`then` members) with the same condition are checked under one `if`, their
        # `then`s merged so that a member or array they all constrain is walked once.
        emitter = ctx.emitter
        rules: dict[str, list[Node]] = {}
        for child in kw.children:
            rule = _plain_rule(child)
            if rule is None or rule.then is None:
                emitter.valid_stmts(child, ctx.var, ctx.known, code)
            elif not emitter.is_trivial(child):
                condition = emitter.valid_expr(rule.condition, ctx.var, ctx.known)
                rules.setdefault(condition, []).append(rule.then)
        for condition, thens in rules.items():
            with code.block(f"if {emitter.shared(condition, code)}:"):
                emitter.valid_stmts(emitter.conjunction(thens), ctx.var, ctx.known, code)

    def errors(self, kw: ir.AllOf, ctx: Context, code: Code) -> None:
        # As on the fast path, rules sharing a condition are grouped: one merged check of their
        # `then`s first, and each rule reports on its own only when that check fails.
        emitter = ctx.emitter
        rules: dict[str, list[Node]] = {}
        for child in kw.children:
            rule = _plain_rule(child)
            if rule is None or rule.then is None:
                if len(child.keywords) == 1 and isinstance(child.keywords[0], ir.IfThenElse):
                    inline = Context(emitter, child, ctx.var, ctx.known)
                    EMITTERS[ir.IfThenElse].errors(child.keywords[0], inline, code)
                else:
                    code(emitter.errors_call(child, ctx.var, same_path=True, known=ctx.known))
            else:
                condition = emitter.valid_expr(rule.condition, ctx.var, ctx.known)
                rules.setdefault(condition, []).append(rule.then)
        for condition, thens in rules.items():
            with code.block(f"if {emitter.shared(condition, code)}:"):
                merged = emitter.valid_expr(emitter.conjunction(thens), ctx.var, ctx.known)
                with code.block(f"if {negate(merged)}:") if len(thens) > 1 else nullcontext():
                    for then in thens:
                        code(emitter.errors_call(then, ctx.var, same_path=True, known=ctx.known))

    def annotations(self, kw: ir.AllOf, ctx: Context, code: Code, own: bool) -> None:
        for child in kw.children:
            code(f"ev |= {ctx.emitter.annotations_call(child, ctx.var)}")


def _plain_rule(node: Node) -> ir.IfThenElse | None:
    """The `if`/`then` of a subschema that is nothing else (no `else`), or None."""
    if len(node.keywords) == 1 and isinstance(node.keywords[0], ir.IfThenElse):
        rule = node.keywords[0]
        return rule if rule.otherwise is None else None
    return None


class AnyOfEmitter(KeywordEmitter):
    def condition(self, kw: ir.AnyOf | ir.OneOf, ctx: Context) -> str:
        children = sorted(kw.children, key=ctx.emitter.cost)
        parts = [ctx.emitter.valid_expr(c, ctx.var, ctx.known) for c in children]
        return " or ".join(f"({p})" for p in parts) or "False"

    def message(self, kw: ir.AnyOf | ir.OneOf, ctx: Context) -> str:
        return f"f'{{_show({ctx.var})}} does not match any of the allowed alternatives'"

    def annotations(self, kw: ir.AnyOf | ir.OneOf, ctx: Context, code: Code, own: bool) -> None:
        for child in kw.children:
            with code.block(f"if {ctx.emitter.valid_call(child, ctx.var)}:"):
                code(f"ev |= {ctx.emitter.annotations_call(child, ctx.var)}")


class OneOfEmitter(AnyOfEmitter):
    def condition(self, kw: ir.AnyOf | ir.OneOf, ctx: Context) -> str:
        calls = [f"{ctx.emitter.valid_call(c, ctx.var)}" for c in kw.children]
        return f"_exactly_one({', '.join(calls)})" if calls else "False"

    def message(self, kw: ir.AnyOf | ir.OneOf, ctx: Context) -> str:
        return f"f'{{_show({ctx.var})}} must match exactly one of the alternatives'"


class NotEmitter(KeywordEmitter):
    def condition(self, kw: ir.Not, ctx: Context) -> str:
        return f"{negate(ctx.emitter.valid_expr(kw.child, ctx.var, ctx.known))}"

    def message(self, kw: ir.Not, ctx: Context) -> str:
        return f"f'{{_show({ctx.var})}} matches a schema it must not match'"


class IfThenElseEmitter(KeywordEmitter):
    def condition(self, kw: ir.IfThenElse, ctx: Context) -> str:
        emitter = ctx.emitter
        then = "True" if kw.then is None else emitter.valid_expr(kw.then, ctx.var, ctx.known)
        otherwise = (
            "True" if kw.otherwise is None else emitter.valid_expr(kw.otherwise, ctx.var, ctx.known)
        )
        if then == otherwise == "True":
            return "True"
        condition = emitter.valid_expr(kw.condition, ctx.var, ctx.known)
        return f"(({then}) if ({condition}) else ({otherwise}))"

    def statements(self, kw: ir.IfThenElse, ctx: Context, code: Code) -> None:
        if kw.then is None and kw.otherwise is None:
            return
        condition = ctx.emitter.shared(
            ctx.emitter.valid_expr(kw.condition, ctx.var, ctx.known), code
        )
        if kw.then is not None:
            with code.block(f"if {condition}:"):
                ctx.emitter.valid_stmts(kw.then, ctx.var, ctx.known, code)
            if kw.otherwise is not None:
                with code.block("else:"):
                    ctx.emitter.valid_stmts(kw.otherwise, ctx.var, ctx.known, code)
        elif kw.otherwise is not None:
            with code.block(f"if {negate(condition)}:"):
                ctx.emitter.valid_stmts(kw.otherwise, ctx.var, ctx.known, code)

    def errors(self, kw: ir.IfThenElse, ctx: Context, code: Code) -> None:
        if kw.then is None and kw.otherwise is None:
            return
        condition = ctx.emitter.valid_expr(kw.condition, ctx.var, ctx.known)
        with code.block(f"if {ctx.emitter.shared(condition, code)}:"):
            if kw.then is not None:
                code(ctx.emitter.errors_call(kw.then, ctx.var, same_path=True, known=ctx.known))
        if kw.otherwise is not None:
            with code.block("else:"):
                call = ctx.emitter.errors_call(
                    kw.otherwise, ctx.var, same_path=True, known=ctx.known
                )
                code(call)

    def annotations(self, kw: ir.IfThenElse, ctx: Context, code: Code, own: bool) -> None:
        emitter = ctx.emitter
        with code.block(f"if {emitter.valid_call(kw.condition, ctx.var)}:"):
            code(f"ev |= {emitter.annotations_call(kw.condition, ctx.var)}")
            if kw.then is not None:
                code(f"ev |= {emitter.annotations_call(kw.then, ctx.var)}")
        if kw.otherwise is not None:
            with code.block("else:"):
                code(f"ev |= {emitter.annotations_call(kw.otherwise, ctx.var)}")


class RefEmitter(KeywordEmitter):
    def condition(self, kw: ir.Ref, ctx: Context) -> str:
        return ctx.emitter.valid_expr(kw.target, ctx.var, ctx.known)

    def statements(self, kw: ir.Ref, ctx: Context, code: Code) -> None:
        if ctx.emitter.inlinable(kw.target):
            ctx.emitter.valid_stmts(kw.target, ctx.var, ctx.known, code)
        else:
            super().statements(kw, ctx, code)

    def errors(self, kw: ir.Ref, ctx: Context, code: Code) -> None:
        code(ctx.emitter.errors_call(kw.target, ctx.var, same_path=True, known=ctx.known))

    def annotations(self, kw: ir.Ref, ctx: Context, code: Code, own: bool) -> None:
        code(f"ev |= {ctx.emitter.annotations_call(kw.target, ctx.var)}")


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


def constraints(node: Node) -> list[ir.Keyword]:
    """The keywords that decide validity: all but the root's x-advice (reported apart)."""
    return [kw for kw in node.keywords if not isinstance(kw, ir.Advice)]


def keyword_category(kw: ir.Keyword) -> str | None:
    """The instance kind `kw` applies to, from the keyword table (None: every kind)."""
    kind = keywords.applies_to(kw.name)
    return None if kind == "any" else kind


# Keywords whose condition is a plain expression, so a node made only of them can be inlined.
_EXPRESSION_KEYWORDS = (
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


class PythonEmitter:
    """Turns a SchemaIR into the body of a validator module (functions and constants)."""

    def __init__(self, schema_ir: ir.SchemaIR) -> None:
        self.ir = schema_ir
        self.constants: dict[str, str] = {}  # literal source -> constant name
        self.constant_lines: list[str] = []
        self.table_lines: list[str] = []
        self.functions: dict[str, str] = {}  # function name -> source
        self.pending: list[tuple[str, Node]] = []
        self.valid_bodies: dict[str, str] = {}  # body text -> name, to share equal validators
        self.counter = 0
        self.uses_fraction = False
        self.synthetic_ids = itertools.count(len(schema_ir.nodes))
        self.weights: dict[int, int | None] = {}
        # (block, condition) -> the name it is bound to, within the function being emitted
        self.hoisted: dict[tuple[int, str], str] = {}

    # -- constants and names --
    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"_{stem}{self.counter}"

    def _constant(self, source: str, prefix: str = "_K") -> str:
        if source not in self.constants:
            name = f"{prefix}{len(self.constants)}"
            self.constants[source] = name
            # Dispatch tables name validator functions, so they are defined after them.
            lines = self.table_lines if prefix == "_TABLE" else self.constant_lines
            lines.append(f"{name} = {source}")
        return self.constants[source]

    def const(self, value: Any) -> str:
        """A named constant for `value` (names, never literals, go inside generated f-strings)."""
        return self._constant(py_literal(value))

    def shown(self, value: Any) -> str:
        """A named constant holding how messages display `value` (computed now, not per error)."""
        return self.const(show_json(value))

    def const_set(self, values: list[str]) -> str:
        items = ", ".join(py_literal(v) for v in sorted(set(values)))
        return self._constant(f"frozenset({{{items}}})" if items else "frozenset()")

    def regex(self, pattern: str) -> str:
        return self._constant(f"re.compile({py_literal(pattern)})", "_RE")

    def pattern_test(self, pattern: str, var: str) -> str:
        """`re.search(pattern, var)` as an expression; `^name$` becomes a set lookup."""
        name = literal_pattern_name(pattern)
        if name is not None:
            # Python's `$` also matches before one trailing newline (as python-jsonschema does).
            return f"{var} in {self.const_set([name, name + chr(10)])}"
        return f"{self.regex(pattern)}.search({var}) is not None"

    def rule_const(self, rule: Rule) -> str:
        return self._constant(
            f"({py_literal(rule.id)}, {py_literal(rule.severity)}, {py_literal(rule.message)})",
            "_RULE",
        )

    def dispatch_table(self, children: dict[str, Node]) -> str:
        entries = ", ".join(
            f"{py_literal(name)}: {self.valid_function(child)}" for name, child in children.items()
        )
        return self._constant("{" + entries + "}", "_TABLE")

    def conjunction(self, nodes: list[Node]) -> Node:
        """A node valid exactly when all of `nodes` are, with `properties` and `items` merged.

        allOf[{properties: {p: A}}, {properties: {p: B}}] is {properties: {p: allOf[A, B]}}, and
        likewise for `items`; the merged node exists only for the fast path (reports keep the
        real schema places).
        """
        nodes = [node for node in nodes if not self.is_trivial(node)]
        if len(nodes) == 1:
            return nodes[0]
        kinds = {type(kw) for node in nodes for kw in node.keywords}
        first = nodes[0].location if nodes else ""
        if nodes and all(node.boolean is None for node in nodes):
            if kinds == {ir.Properties}:
                members: dict[str, list[Node]] = {}
                for node in nodes:
                    for keyword in node.keywords:
                        for name, child in keyword.children.items():  # type: ignore[attr-defined]
                            members.setdefault(name, []).append(child)
                merged = {name: self.conjunction(group) for name, group in members.items()}
                return self._synthetic(first, [ir.Properties(f"{first}/properties", merged)])
            starts = {
                kw.start for node in nodes for kw in node.keywords if isinstance(kw, ir.Items)
            }
            if kinds == {ir.Items} and len(starts) == 1:
                children = [
                    kw.child for n in nodes for kw in n.keywords if isinstance(kw, ir.Items)
                ]
                item = self.conjunction(children)
                return self._synthetic(first, [ir.Items(f"{first}/items", item, starts.pop())])
        return self._synthetic(first, [ir.AllOf(f"{first}/allOf", nodes)])

    def _synthetic(self, location: str, keywords: list[ir.Keyword]) -> Node:
        return Node(next(self.synthetic_ids), location, keywords=keywords)

    def shared(self, condition: str, code: Code) -> str:
        """`condition`, computed once per block when sibling rules repeat it.

        Sibling rules often share a trigger (four controlnet rules test the same `if`); the first
        occurrence binds it with `:=` and later ones in the same block, which run after it,
        read the name.
        """
        if len(condition) < 20 and "(" not in condition:
            return condition
        key = (code.blocks[-1], condition)
        if key in self.hoisted:
            return self.hoisted[key]
        name = self.fresh("condition")
        self.hoisted[key] = name
        return f"({name} := {condition})"

    def errors_table(self, children: dict[str, Node]) -> str:
        """name -> reporting function (`_e<n>`), for members known to fail their fast check."""
        entries = ", ".join(
            f"{py_literal(name)}: {self._request('e', child)}" for name, child in children.items()
        )
        return self._constant("{" + entries + "}", "_TABLE")

    # -- calls (each makes sure the callee gets emitted) --
    def _request(self, kind: str, node: Node) -> str:
        name = f"_{kind}{node.index}"
        if name not in self.functions:  # every pending function is in there already
            self.pending.append((kind, node))
            self.functions[name] = ""
        return name

    def valid_function(self, node: Node) -> str:
        if self.is_trivial(node):
            return "_accept"
        if node.boolean is False:
            return "_reject"
        return self._request("v", node)

    def valid_call(self, node: Node, var: str) -> str:
        if self.is_trivial(node):
            return "True"
        if node.boolean is False:
            return "False"
        return f"{self.valid_function(node)}({var})"

    def errors_call(
        self,
        node: Node,
        var: str,
        key: str | int | None = None,
        *,
        key_var: str | None = None,
        same_path: bool = False,
        known: frozenset[str] = ALL_CATEGORIES,
    ) -> str:
        """A statement reporting `node`'s errors for `var`; the fast check runs first, since
        most subschemas pass and building paths for them would be wasted."""
        if same_path:
            path = "path"
        elif key_var is not None:
            path = f"(*path, {key_var})"
        else:
            path = f"(*path, {py_literal(key)})"
        if self.is_trivial(node):
            return "pass"
        call = f"{self._request('e', node)}({var}, {path}, out)"
        if node.boolean is False:
            return call
        return f"if {negate(self.valid_expr(node, var, known))}: {call}"

    def annotations_call(self, node: Node, var: str) -> str:
        if node.boolean is not None or not node.keywords:
            return "set()"
        return f"{self._request('a', node)}({var})"

    def siblings_call(self, node: Node, var: str) -> str:
        return f"{self._request('s', node)}({var})"

    def is_trivial(self, node: Node) -> bool:
        return node.boolean is True or (node.boolean is None and not constraints(node))

    # -- the fast path --
    def _weight(self, node: Node) -> int | None:
        """Keywords in `node` and the subschemas an expression would inline; None: not inlinable."""
        key = node.index
        if key in self.weights:
            return self.weights[key]
        self.weights[key] = None  # a cycle back here means: recursive, never inline
        total: int | None = 1
        for kw in constraints(node):
            if not isinstance(kw, _EXPRESSION_KEYWORDS):
                total = None
                break
            children = [c for c in ir.keyword_children(kw) if not self.is_trivial(c)]
            weights = [self._weight(c) for c in children]
            if any(w is None for w in weights):
                total = None
                break
            total = (total or 0) + 1 + sum(w or 0 for w in weights)
        self.weights[key] = total
        return total

    def cost(self, node: Node) -> int:
        """A rough price of checking `node` (functions count as expensive)."""
        weight = self._weight(node)
        return 1000 if weight is None else weight

    def inlinable(self, node: Node) -> bool:
        weight = self._weight(node)
        return weight is not None and weight <= INLINE_WEIGHT

    def valid_expr(self, node: Node, var: str, known: frozenset[str]) -> str:
        """An expression true iff `var` is valid against `node` (inline when the node is small)."""
        if self.is_trivial(node):
            return "True"
        if node.boolean is False:
            return "False"
        if len(node.keywords) == 1 and isinstance(node.keywords[0], ir.Ref):
            # A bare `$ref` is its target: sibling rules naming one $def then share one check.
            return self.valid_expr(node.keywords[0].target, var, known)
        if not self.inlinable(node):
            return self.valid_call(node, var)
        ctx = Context(self, node, var, known)
        parts: list[str] = []
        for kw in constraints(node):
            category = keyword_category(kw)
            condition = EMITTERS[type(kw)].condition(kw, ctx)
            assert condition is not None
            if category is None:
                parts.append(f"({condition})")
            else:
                applies = guard(category, var, ctx.known)
                if applies is None:
                    continue
                parts.append(
                    f"({condition})" if applies == "" else f"({negate(applies)} or ({condition}))"
                )
            if isinstance(kw, ir.Type):
                ctx.known = ctx.known & node.types  # type: ignore[operator]
            elif isinstance(kw, ir.Required) and ctx.known == {"object"}:
                ctx.present.update(kw.names)
        return " and ".join(parts) or "True"

    def valid_stmts(self, node: Node, var: str, known: frozenset[str], code: Code) -> None:
        """Statements that `return False` when `var` is invalid and fall through otherwise."""
        if self.is_trivial(node):
            return
        if node.boolean is False:
            code("return False")
            return
        if node.location:
            code(py_comment(node.location))
        ctx = Context(self, node, var, known)
        by_category: dict[str | None, list[ir.Keyword]] = {}
        for kw in constraints(node):
            by_category.setdefault(keyword_category(kw), []).append(kw)
        # Order: type first (it narrows what we know), then type-specific groups, then the rest.
        for kw in by_category.pop(None, []):
            if isinstance(kw, ir.Type):
                EMITTERS[ir.Type].statements(kw, ctx, code)
                ctx.known = ctx.known & node.types  # type: ignore[operator]
                break
        for category in ("number", "string", "array", "object"):
            keywords = by_category.get(category)
            if not keywords:
                continue
            applies = guard(category, var, ctx.known)
            if applies is None:
                continue
            inner = Context(self, node, var, frozenset({category}))
            if applies == "":
                self._statements(keywords, inner, code)
            else:
                with code.block(f"if {applies}:"):
                    self._statements(keywords, inner, code)
        rest = [
            kw
            for kw in constraints(node)
            if keyword_category(kw) is None and not isinstance(kw, ir.Type)
        ]
        self._statements(rest, ctx, code)

    def _statements(self, keywords: list[ir.Keyword], ctx: Context, code: Code) -> None:
        # unevaluated* read what every sibling evaluated, so they go last.
        ordered = sorted(
            keywords,
            key=lambda kw: isinstance(kw, (ir.UnevaluatedItems, ir.UnevaluatedProperties)),
        )
        for kw in ordered:
            EMITTERS[type(kw)].statements(kw, ctx, code)

    # -- function bodies --
    def _valid_function(self, name: str, node: Node) -> str:
        code = Code()
        code.depth = 1
        self.counter = 0
        self.hoisted = {}
        self.valid_stmts(node, "x", ALL_CATEGORIES, code)
        code("return True")
        body = code.text()
        # Equal checks at different places share one function; comments don't count.
        logic = "\n".join(line for line in code.lines if not line.lstrip().startswith("#"))
        shared = self.valid_bodies.get(logic)
        if shared is not None:
            return f"{name} = {shared}  {py_comment(node.location or '/')}"
        self.valid_bodies[logic] = name
        return f"def {name}(x: Any) -> bool:\n{body}"

    def _errors_function(self, name: str, node: Node) -> str:
        code = Code()
        code.depth = 1
        self.counter = 0
        self.hoisted = {}
        if node.boolean is False:
            code(f"out.append({self._false_error(node)})")
        type_keyword = node.find(ir.Type)
        if type_keyword is None:
            self._errors_body(node, Context(self, node, "x", ALL_CATEGORIES), code)
        else:
            # Split on the type check: in the common branch the instance's type is known, so
            # the fast pre-checks of subschemas drop their type guards.
            types = node.types
            assert types is not None
            ctx = Context(self, node, "x", ALL_CATEGORIES)
            with code.block(f"if {EMITTERS[ir.Type].condition(type_keyword, ctx)}:"):
                self._errors_body(node, Context(self, node, "x", types), code)
            with code.block("else:"):
                EMITTERS[ir.Type].errors(type_keyword, ctx, code)
                self._errors_body(node, Context(self, node, "x", ALL_CATEGORIES), code)
        header = f"def {name}(x: Any, path: tuple[str | int, ...], out: list[Error]) -> None:"
        comment = f"    {py_comment(node.location or '/')}\n"
        return f"{header}\n{comment}{code.text() if code.lines else '    return'}"

    def _errors_body(self, node: Node, ctx: Context, code: Code) -> None:
        """Reporting statements for every keyword but `type`, given what `ctx` knows."""
        for kw in constraints(node):
            category = keyword_category(kw)
            if isinstance(kw, ir.Type) or category is not None:
                continue
            EMITTERS[type(kw)].errors(kw, ctx, code)
        for category in ("number", "string", "array", "object"):
            keywords = [kw for kw in constraints(node) if keyword_category(kw) == category]
            applies = guard(category, "x", ctx.known)
            if not keywords or applies is None:
                continue
            inner = Context(self, node, "x", frozenset({category}))
            if applies == "":
                for kw in keywords:
                    EMITTERS[type(kw)].errors(kw, inner, code)
            else:
                with code.block(f"if {applies}:"):
                    for kw in keywords:
                        EMITTERS[type(kw)].errors(kw, inner, code)

    def _false_error(self, node: Node) -> str:
        location = self.const(node.location)
        if node.rule is not None:
            return f"_rule_error(path, {location}, 'false', {self.rule_const(node.rule)}, None)"
        message = "'no value is allowed here'"
        return f"Error(_pointer(path), {location}, 'false', {message}, None, 'error', None)"

    def _annotations_function(self, name: str, node: Node, own_unevaluated: bool) -> str:
        code = Code()
        code.depth = 1
        code("ev: set[Any] = set()")
        ctx = Context(self, node, "x", ALL_CATEGORIES)
        by_category: dict[str | None, list[ir.Keyword]] = {}
        for kw in constraints(node):
            by_category.setdefault(keyword_category(kw), []).append(kw)
        for kw in by_category.pop(None, []):
            EMITTERS[type(kw)].annotations(kw, ctx, code, own_unevaluated)
        for category in ("object", "array"):
            keywords = by_category.get(category, [])
            with code.block(f"if {category_test(category, 'x')}:"):
                for kw in keywords:
                    EMITTERS[type(kw)].annotations(kw, ctx, code, own_unevaluated)
        code("return ev")
        return f"def {name}(x: Any) -> set[Any]:\n{code.text()}"

    def _advice_function(self) -> str:
        """`_advise(x, out)`: each x-advice entry the instance fails adds its warnings."""
        code = Code()
        code.depth = 1
        self.counter = 0
        self.hoisted = {}
        advice = self.ir.root.find(ir.Advice)
        for child in advice.children if advice else []:
            if self.is_trivial(child):
                continue
            assert child.rule is not None  # the IR requires a warning x-rule on each entry
            code(py_comment(child.location))
            report = self._request("e", child)
            with code.block(f"if {negate(self.valid_expr(child, 'x', ALL_CATEGORIES))}:"):
                code(f"_warn(x, {report}, {self.rule_const(child.rule)}, out)")
        header = "def _advise(x: Any, out: list[Error]) -> None:"
        return f"{header}\n{code.text() if code.lines else '    return'}"

    def emit(self) -> None:
        root = self.ir.root
        self.valid_function(root)
        self._request("e", root)
        self.functions["_advise"] = ""
        self.functions["_advise"] = self._advice_function()
        while self.pending:
            kind, node = self.pending.pop(0)
            name = f"_{kind}{node.index}"
            if kind == "v":
                self.functions[name] = self._valid_function(name, node)
            elif kind == "e":
                self.functions[name] = self._errors_function(name, node)
            else:
                self.functions[name] = self._annotations_function(name, node, kind == "a")

    def root_valid(self) -> str:
        return self.valid_function(self.ir.root)
