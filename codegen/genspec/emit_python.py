"""IR -> Python source for a standalone validator module.

Kinds of generated function per subschema node, each made on demand and named from the node's
schema location (`plan.slug`: `/properties/seed` -> `seed`, the root -> `root`):
  `_v_<place>(x) -> bool`            the fast path: False at the first failure, no objects made;
  `_e_<place>(x, path, out) -> None` the reporting path: appends every `Error`, run on failure;
  `_a_<place>(x) -> set`             evaluated properties/items, only where `unevaluated*` reads
                                     them (`_s_<place>`: the same without its own unevaluated*);
  `_advise(x, out)`                  the root's x-advice, reported after the errors.
What gets a function, the order of checks and the rule groups come from `plan`; conditions are
`pyexpr` expressions. Each keyword has one emitter class (the table `EMITTERS` is data) with one
method per path. Schema values enter the output only through `py_literal` (module constants
`_RE_`, `_NAMES_`, `_VALID_`, `_ERRORS_`... are named from the place that needs them), and
schema paths in comments only through `py_comment`.

Every name is stable under unrelated spec edits; none is a running number. Functions and module
constants are named from schema locations (above). Loop-local names in the fast path are a stem
and the block depth where they are bound (`fresh`): `for _key2, _value2 in x.items():` two
blocks into its function, `_check3`/`_hit3` in that loop's body, `_seen2`, `_item2`, `_count2`;
the reporting path uses fixed names (`_key`, `_value`, `_name`, `_index`), one loop deep.
Long statements are laid out afterwards by `genspec.pylayout`, as ruff would format them.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any, ClassVar

from genspec import ir, plan
from genspec.ir import Node
from genspec.jsonvalue import TYPE_KINDS, is_number
from genspec.literals import Expression, py_comment, py_fstring, py_literal
from genspec.pointer import escape_token
from genspec.pyexpr import (
    FALSE,
    OR,
    TRUE,
    Atom,
    Expr,
    IfElse,
    Not,
    all_of,
    any_of,
    call,
    compare,
    lit,
)
from genspec.pylayout import NestedCall


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

    def __call__(self, line: str) -> None:
        if isinstance(line, NestedCall):  # laid out here: there are thousands of these
            self.lines.extend(line.lines("    " * self.depth))
            return
        # A compound statement comes as lines joined by "\n" (never inside a literal: those
        # escape line breaks), its body already indented relative to its header.
        for part in line.split("\n"):
            self.lines.append("    " * self.depth + part)

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self(header)
        self.depth += 1
        start = len(self.lines)
        yield
        if all(line.lstrip().startswith("#") for line in self.lines[start:]):
            self("pass")
        self.depth -= 1

    def text(self) -> str:
        return "\n".join(self.lines)


def category_test(category: str, var: str) -> Expr:
    x = Atom(var)
    kind = call("type", x)
    match category:
        case "null":
            return compare(x, "is", "None")
        case "boolean":
            return any_of([compare(x, "is", "True"), compare(x, "is", "False")])
        case "number":
            return any_of([compare(kind, "is", "int"), compare(kind, "is", "float")])
    return call("isinstance", x, {"string": "str", "array": "list", "object": "dict"}[category])


def type_test(type_name: str, var: str) -> Expr:
    if type_name == "integer":
        kind = call("type", var)
        whole = all_of([compare(kind, "is", "float"), call(f"{var}.is_integer")])
        return any_of([compare(kind, "is", "int"), whole])
    return category_test(TYPE_KINDS[type_name], var)


def guard(category: str, var: str, known: frozenset[str]) -> Expr | None:
    """Condition under which a `category` keyword applies; True = always, None = never."""
    if category not in known:
        return None
    if known == {category}:
        return TRUE
    if known == {category, "null"}:
        return compare(var, "is not", "None")
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
        location = py_literal(keyword.location)
        rule = self.node.rule
        name = py_literal(keyword.name)
        if rule is not None:  # the message is the rule's, stored once in RULES
            by_rule = (self.path, location, name, py_literal(rule.id), prop)
            return NestedCall(f"{self.out}.append", "_rule_error", by_rule)
        args = (f"_pointer({self.path})", location, name, message, "None", '"error"', prop)
        return NestedCall(f"{self.out}.append", "Error", args)


class KeywordEmitter:
    """How one keyword is checked (the instance kind it applies to is `plan.keyword_kind`)."""

    def condition(self, kw: Any, ctx: Context) -> Expr | None:
        """A boolean expression that holds when the keyword passes, or None to use `statements`."""
        return None

    def failure(self, kw: Any, ctx: Context) -> Expr:
        """A boolean expression that holds when the keyword fails."""
        condition = self.condition(kw, ctx)
        assert condition is not None, type(kw).__name__
        return condition.negate()

    def statements(self, kw: Any, ctx: Context, code: Code) -> None:
        code(py_comment(kw.location))
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
    def condition(self, kw: ir.Type, ctx: Context) -> Expr:
        names = list(dict.fromkeys(kw.types))
        if "integer" in names and "number" in names:
            names.remove("integer")
        return any_of(type_test(type_name, ctx.var) for type_name in names)

    def message(self, kw: ir.Type, ctx: Context) -> str:
        expected = " or ".join(kw.types) or "nothing"
        x = ctx.var
        return py_fstring(
            f"expected {expected}, got ", Expression(f"_kind({x})"), " ", Expression(f"_show({x})")
        )


class ConstEmitter(KeywordEmitter):
    def condition(self, kw: ir.Const, ctx: Context) -> Expr:
        value, x = kw.value, ctx.var
        if value is None or isinstance(value, bool):
            return compare(x, "is", lit(value))
        if isinstance(value, str):
            return compare(x, "==", lit(value))
        if is_number(value):
            return all_of([category_test("number", x), compare(x, "==", lit(value))])
        return call("_equal", x, ctx.emitter.named(kw.location, "CONST", py_literal(value)))

    def message(self, kw: ir.Const, ctx: Context) -> str:
        return py_fstring(f"expected {show_json(kw.value)}, got ", Expression(f"_show({ctx.var})"))


class EnumEmitter(KeywordEmitter):
    def condition(self, kw: ir.Enum, ctx: Context) -> Expr:
        # Split by JSON kind so each part is one `is` or one hashed set lookup.
        x = ctx.var
        singletons = [v for v in (None, True, False) if any(v is w for w in kw.values)]
        strings = [v for v in kw.values if isinstance(v, str)]
        numbers = [v for v in kw.values if is_number(v)]
        containers = [v for v in kw.values if isinstance(v, (list, dict))]
        known = ctx.known  # a value of a kind the instance cannot have is left out
        kinds = {None: "null", True: "boolean", False: "boolean"}
        parts: list[Expr] = [compare(x, "is", lit(v)) for v in singletons if kinds[v] in known]
        for values, kind in ((strings, "string"), (numbers, "number")):
            if values and kind in known:
                member = compare(x, "in", set_display(values))
                parts.append(
                    member if known == {kind} else all_of([category_test(kind, x), member])
                )
        if containers and known & {"array", "object"}:
            options = ctx.emitter.named(kw.location, "ENUM", py_literal(containers))
            parts.append(call("_member", x, options))
        return any_of(parts)

    def message(self, kw: ir.Enum, ctx: Context) -> str:
        return py_fstring(Expression(f"_show({ctx.var})"), f" is not one of {show_json(kw.values)}")


class BoundEmitter(KeywordEmitter):
    OPERATORS: ClassVar[dict[str, tuple[str, str]]] = {  # the comparison that fails, and why
        "minimum": ("<", "less than the minimum"),
        "maximum": (">", "greater than the maximum"),
        "exclusiveMinimum": ("<=", "not greater than the exclusive minimum"),
        "exclusiveMaximum": (">=", "not less than the exclusive maximum"),
    }

    def failure(self, kw: ir.Bound, ctx: Context) -> Expr:
        return compare(ctx.var, self.OPERATORS[kw.name][0], lit(kw.limit))

    def condition(self, kw: ir.Bound, ctx: Context) -> Expr:
        # `not x < 1`, never `x >= 1`: NaN fails no comparison, so it passes every bound, as
        # in python-jsonschema (which tests `instance < minimum`).
        return Not(self.failure(kw, ctx))

    def message(self, kw: ir.Bound, ctx: Context) -> str:
        words = self.OPERATORS[kw.name][1]
        return py_fstring(Expression(f"_show({ctx.var})"), f" is {words} {show_json(kw.limit)}")


class MultipleOfEmitter(KeywordEmitter):
    """Exact arithmetic on the number as written: `1e23` is a multiple of `1000` and of `1000.0`.

    An int instance against a whole divisor is plain int modulo; anything else goes through
    `_multiple_of`, which reads a float as the decimal its JSON text wrote (repr round-trips).
    """

    def condition(self, kw: ir.MultipleOf, ctx: Context) -> Expr:
        ctx.emitter.uses_fraction = True
        x, divisor = ctx.var, kw.divisor
        if isinstance(divisor, float) and divisor.is_integer():
            divisor = int(divisor)  # 1000.0 and 1000 are the same JSON number
        exact = call("_multiple_of", x, lit(divisor))
        if isinstance(divisor, int):
            remainder = compare(f"{x} % {py_literal(divisor)}", "==", "0")
            return IfElse(remainder, compare(call("type", x), "is", "int"), exact)
        return exact

    def message(self, kw: ir.MultipleOf, ctx: Context) -> str:
        divisor = show_json(kw.divisor)
        return py_fstring(Expression(f"_show({ctx.var})"), f" is not a multiple of {divisor}")


class SizeEmitter(KeywordEmitter):
    NOUNS: ClassVar[dict[str, str]] = {
        "string": "characters",
        "array": "items",
        "object": "properties",
    }

    def condition(self, kw: ir.Size, ctx: Context) -> Expr:
        operator = ">=" if kw.name.startswith("min") else "<="
        return compare(call("len", ctx.var), operator, lit(kw.limit))

    def message(self, kw: ir.Size, ctx: Context) -> str:
        bound = "at least" if kw.name.startswith("min") else "at most"
        noun = self.NOUNS[plan.keyword_kind(kw) or ""]
        return py_fstring(
            Expression(f"_show({ctx.var})"), f" should have {bound} {kw.limit} {noun}"
        )


class PatternEmitter(KeywordEmitter):
    def condition(self, kw: ir.Pattern, ctx: Context) -> Expr:
        return ctx.emitter.pattern_test(kw.pattern, ctx.var, kw.location)

    def message(self, kw: ir.Pattern, ctx: Context) -> str:
        text = f" does not match the pattern {kw.pattern!r}"
        return py_fstring(Expression(f"_show({ctx.var})"), text)


class UniqueItemsEmitter(KeywordEmitter):
    def condition(self, kw: ir.UniqueItems, ctx: Context) -> Expr:
        return call("_unique", ctx.var)

    def message(self, kw: ir.UniqueItems, ctx: Context) -> str:
        return '"array items must be unique"'


class RequiredEmitter(KeywordEmitter):
    def condition(self, kw: ir.Required, ctx: Context) -> Expr:
        return all_of(compare(lit(n), "in", ctx.var) for n in kw.names)

    def statements(self, kw: ir.Required, ctx: Context, code: Code) -> None:
        super().statements(kw, ctx, code)
        ctx.present.update(kw.names)

    def errors(self, kw: ir.Required, ctx: Context, code: Code) -> None:
        with code.block(f"for _name in {py_tuple(kw.names)}:"):
            with code.block(f"if _name not in {ctx.var}:"):
                code(ctx.fail(kw, 'f"missing required property {_name!r}"', "_name"))


class DependentRequiredEmitter(KeywordEmitter):
    def condition(self, kw: ir.DependentRequired, ctx: Context) -> Expr:
        x = ctx.var
        return all_of(
            any_of(
                [compare(lit(name), "not in", x), all_of(compare(lit(n), "in", x) for n in needed)]
            )
            for name, needed in kw.dependencies.items()
            if needed
        )

    def errors(self, kw: ir.DependentRequired, ctx: Context, code: Code) -> None:
        dependencies = ctx.emitter.named(kw.location, "DEPENDENT", py_literal(kw.dependencies))
        with code.block(f"for _name, _needed in {dependencies}.items():"):
            with code.block(f"if _name in {ctx.var}:"):
                with code.block("for _other in _needed:"):
                    with code.block(f"if _other not in {ctx.var}:"):
                        message = 'f"{_other!r} is required when {_name!r} is present"'
                        code(ctx.fail(kw, message, "_other"))


# ---- applicators on object members --------------------------------------------------------------


class ObjectMembersEmitter(KeywordEmitter):
    """properties, patternProperties and additionalProperties, emitted together (one loop)."""

    def statements(self, kw: Any, ctx: Context, code: Code) -> None:
        node = ctx.node
        props, patterns, extra = _member_keywords(node)
        where = _members_location(props, patterns)
        if kw is not (props or patterns or extra):
            return  # the first of the three present emits for all of them
        emitter = ctx.emitter
        x = ctx.var
        props_map = props.children if props else {}
        if extra is None and not patterns and len(props_map) <= SMALL_PROPERTIES:
            _inline_member_checks(props_map, ctx, code)
            return
        table, regex_patterns, exclusive = plan.member_table(props_map, patterns)
        key, value = emitter.fresh("key", code), emitter.fresh("value", code)
        rejects_rest = extra is not None and extra.child.boolean is False
        if emitter.native and table:
            self._native_statements(ctx, code, table, regex_patterns, exclusive, extra, where)
            return
        if table and exclusive and rejects_rest and not regex_patterns:
            # A closed object: one set comparison finds an unknown member before any value
            # is checked, and then every member has a checker.
            known = emitter.named(where, "NAMES", py_frozenset(list(table)))
            with code.block(f"if not {x}.keys() <= {known}:"):
                code("return False")
            if len(table) <= SMALL_PROPERTIES:
                _inline_member_checks(table, ctx, code)
                return
            with code.block(f"for {key}, {value} in {x}.items():"):
                with code.block(f"if not {emitter.dispatch_table(table, where)}[{key}]({value}):"):
                    code("return False")
            return
        with code.block(f"for {key}, {value} in {x}.items():"):
            check = emitter.fresh("check", code)
            if table:
                code(f"{check} = {emitter.dispatch_table(table, where)}.get({key})")
                if exclusive:
                    with code.block(f"if {check} is not None:"):
                        with code.block(f"if not {check}({value}):"):
                            code("return False")
                        code("continue")
                else:
                    with code.block(f"if {check} is not None and not {check}({value}):"):
                        code("return False")
            hit = emitter.fresh("hit", code)
            if extra is not None:
                code(f"{hit} = {'False' if exclusive or not table else f'{check} is not None'}")
            self._rest(ctx, code, regex_patterns, extra, key, value, hit)

    @staticmethod
    def _rest(
        ctx: Context,
        code: Code,
        regex_patterns: list[tuple[str, Node]],
        extra: ir.AdditionalProperties | None,
        key: str,
        value: str,
        hit: str,
    ) -> None:
        """A member outside the table: the regex patterns, then additionalProperties."""
        emitter = ctx.emitter
        for pattern, child in regex_patterns:
            with code.block(f"if {emitter.pattern_test(pattern, key, child.location)}:"):
                if extra is not None:
                    code(f"{hit} = True")
                if not emitter.is_trivial(child):
                    test = emitter.valid_expr(child, value, ALL_CATEGORIES)
                    with code.block(f"if {test.negate()}:"):
                        code("return False")
        if extra is not None and not emitter.is_trivial(extra.child):
            unmatched: list[Expr] = [Not(Atom(hit))]
            if extra.child.boolean is not False:
                test = emitter.valid_expr(extra.child, value, ALL_CATEGORIES)
                unmatched.append(test.negate())
            with code.block(f"if {all_of(unmatched)}:"):
                code("return False")

    def _native_statements(
        self,
        ctx: Context,
        code: Code,
        table: dict[str, Node],
        regex_patterns: list[tuple[str, Node]],
        exclusive: bool,
        extra: ir.AdditionalProperties | None,
        where: str,
    ) -> None:
        """The members for mypyc: a table of member numbers (`_INDEX_`), then a binary tree of
        integer tests calling each member's check directly. A table of functions costs a Python
        call per value in compiled code; native calls and native int compares cost almost
        nothing, and an unknown member shows as -1, so a closed object needs no set test."""
        emitter, x = ctx.emitter, ctx.var
        key, value = emitter.fresh("key", code), emitter.fresh("value", code)
        index, members = emitter.index_table(table, where), list(table.values())
        rejects_rest = extra is not None and extra.child.boolean is False
        with code.block(f"for {key}, {value} in {x}.items():"):
            number = emitter.fresh("i", code)
            code(f"{number} = {index}.get({key}, -1)")
            if exclusive and rejects_rest and not regex_patterns:  # closed: -1 is the verdict
                with code.block(f"if {number} < 0:"):
                    code("return False")
                self._native_tree(ctx, code, members, number, value, 0)
                return
            with code.block(f"if {number} >= 0:"):
                self._native_tree(ctx, code, members, number, value, 0)
                if exclusive:
                    code("continue")
            hit = emitter.fresh("hit", code)
            if extra is not None:
                code(f"{hit} = {'False' if exclusive else f'{number} >= 0'}")
            self._rest(ctx, code, regex_patterns, extra, key, value, hit)

    def _native_tree(
        self,
        ctx: Context,
        code: Code,
        members: list[Node],
        number: str,
        value: str,
        first: int,
        report: bool = False,
    ) -> None:
        """Member `number` (known to be in first..first+len-1) checked: `return False` when it
        fails, or (`report`) its errors reported under `_key`."""
        if len(members) > 3:
            half = len(members) // 2
            with code.block(f"if {number} < {first + half}:"):
                self._native_tree(ctx, code, members[:half], number, value, first, report)
            with code.block("else:"):
                self._native_tree(ctx, code, members[half:], number, value, first + half, report)
            return
        for offset, child in enumerate(members):
            test = f"{number} == {first + offset}"
            last = offset == len(members) - 1
            header = "else:" if last else f"{'elif' if offset else 'if'} {test}:"
            with code.block(header) if len(members) > 1 else nullcontext():
                if ctx.emitter.is_trivial(child):
                    code("pass")
                elif report:  # a `false` member is placed at the object, as errors_call says
                    at = child.location.rsplit("/", 1)[0]
                    code(ctx.emitter.errors_call(child, value, key_var="_key", at=at))
                else:
                    fails = ctx.emitter.valid_expr(child, value, ALL_CATEGORIES).negate()
                    with code.block(f"if {fails}:"):
                        code("return False")

    def condition(self, kw: Any, ctx: Context) -> Expr | None:
        if not isinstance(kw, ir.Properties):
            return None
        parts: list[Expr] = []
        for member, child in kw.children.items():
            if ctx.emitter.is_trivial(child):
                continue
            check = ctx.emitter.valid_expr(
                child, f"{ctx.var}[{py_literal(member)}]", ALL_CATEGORIES
            )
            if member in ctx.present:
                parts.append(check)
            else:
                parts.append(any_of([compare(lit(member), "not in", ctx.var), check]))
        return all_of(parts)

    def errors(self, kw: Any, ctx: Context, code: Code) -> None:
        emitter = ctx.emitter
        x = ctx.var
        props, patterns, extra = _member_keywords(ctx.node)
        where = _members_location(props, patterns)
        table, regex_patterns, exclusive = plan.member_table(
            props.children if props else {}, patterns
        )
        if table and exclusive and (extra is not None or len(table) > SMALL_PROPERTIES):
            # One pass over the members reports all three keywords.
            if kw is props or (props is None and kw is patterns):
                self._fused_errors(ctx, code, table, regex_patterns, extra, where)
            return
        match kw:
            case ir.Properties(children=children) if len(children) > SMALL_PROPERTIES:
                with code.block(f"for _key, _value in {x}.items():"):
                    code(f"_check = {emitter.dispatch_table(children, kw.location)}.get(_key)")
                    with code.block("if _check is not None and not _check(_value):"):
                        reports = emitter.errors_table(children, kw.location)
                        code(f"{reports}[_key](_value, (*path, _key), out)")
            case ir.Properties(children=children):
                for name, child in children.items():
                    with code.block(f"if {py_literal(name)} in {x}:"):
                        report = emitter.errors_call(
                            child, f"{x}[{py_literal(name)}]", name, at=kw.location
                        )
                        code(report)
            case ir.PatternProperties(children=pairs):
                for pattern, child in pairs:
                    with code.block(f"for _key, _value in {x}.items():"):
                        test = emitter.pattern_test(pattern, "_key", child.location)
                        with code.block(f"if {test}:"):
                            code(
                                emitter.errors_call(child, "_value", key_var="_key", at=kw.location)
                            )
            case ir.AdditionalProperties(child=child, known=known, patterns=sibling_patterns):
                with code.block(f"for _key, _value in {x}.items():"):
                    skip: list[Expr] = [compare("_key", "in", set_display(known))] if known else []
                    sibling = kw.location.rsplit("/", 1)[0] + "/patternProperties/"
                    skip += [
                        emitter.pattern_test(p, "_key", sibling + escape_token(p))
                        for p in sibling_patterns
                    ]
                    if skip:
                        with code.block(f"if {any_of(skip)}:"):
                            code("continue")
                    if child.boolean is False:
                        code(ctx.fail(kw, 'f"unknown property {_key!r}"', "_key"))
                    else:
                        code(emitter.errors_call(child, "_value", key_var="_key"))

    def _fused_errors(
        self,
        ctx: Context,
        code: Code,
        table: dict[str, Node],
        regex_patterns: list[tuple[str, Node]],
        extra: ir.AdditionalProperties | None,
        where: str,
    ) -> None:
        emitter = ctx.emitter
        with code.block(f"for _key, _value in {ctx.var}.items():"):
            # The fast check first: the path tuple is only built for a member that fails.
            if emitter.native:
                code(f"_i = {emitter.index_table(table, where)}.get(_key, -1)")
                with code.block("if _i >= 0:"):
                    members = list(table.values())
                    self._native_tree(ctx, code, members, "_i", "_value", 0, report=True)
                    code("continue")
            else:
                code(f"_check = {emitter.dispatch_table(table, where)}.get(_key)")
                with code.block("if _check is not None:"):
                    with code.block("if not _check(_value):"):
                        reports = emitter.errors_table(table, where)
                        code(f"{reports}[_key](_value, (*path, _key), out)")
                    code("continue")
            if extra is not None and regex_patterns:
                code("_hit = False")
            for pattern, child in regex_patterns:
                with code.block(f"if {emitter.pattern_test(pattern, '_key', child.location)}:"):
                    if extra is not None:
                        code("_hit = True")
                    at = child.location.rsplit("/", 1)[0]
                    code(emitter.errors_call(child, "_value", key_var="_key", at=at))
            if extra is None:
                return
            with code.block("if not _hit:") if regex_patterns else nullcontext():
                if extra.child.boolean is False:
                    code(ctx.fail(extra, 'f"unknown property {_key!r}"', "_key"))
                else:
                    code(emitter.errors_call(extra.child, "_value", key_var="_key"))

    def annotations(self, kw: Any, ctx: Context, code: Code, own_unevaluated: bool) -> None:
        emitter = ctx.emitter
        match kw:
            case ir.Properties(children=children):
                names = emitter.named(kw.location, "NAMES", py_frozenset(list(children)))
                code(f"ev.update({ctx.var}.keys() & {names})")
            case ir.PatternProperties(children=pairs):
                tests = any_of(emitter.pattern_test(p, "_k", c.location) for p, c in pairs)
                code(f"ev.update(_k for _k in {ctx.var} if {tests.within(OR)})")
            case ir.AdditionalProperties(child=child):
                # As python-jsonschema: the members whose value the subschema accepts.
                check = emitter.valid_expr(child, "_v", ALL_CATEGORIES)
                code(f"ev.update(_k for _k, _v in {ctx.var}.items() if {check.within(OR)})")


def _inline_member_checks(members: Mapping[str, Node], ctx: Context, code: Code) -> None:
    """`return False` when a present member's value fails its subschema, one test per member:
    for few members a lookup per member beats a call per value (profile, guidance mix: the
    items of arrays of small closed objects)."""
    emitter, x = ctx.emitter, ctx.var
    for name, child in members.items():
        if emitter.is_trivial(child):
            continue
        value = f"{x}[{py_literal(name)}]"
        fails = emitter.valid_expr(child, value, ALL_CATEGORIES).negate()
        present = TRUE if name in ctx.present else compare(lit(name), "in", x)
        with code.block(f"if {all_of([present, fails])}:"):
            code("return False")


def _members_location(props: ir.Properties | None, patterns: ir.PatternProperties | None) -> str:
    """Where a node's member checks are named from: its properties (or patternProperties)."""
    keyword = props or patterns
    return keyword.location if keyword else ""


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
        key = ctx.emitter.fresh("key", code)
        check = ctx.emitter.valid_expr(kw.child, key, frozenset({"string"}))
        with code.block(f"for {key} in {ctx.var}:"), code.block(f"if {check.negate()}:"):
            code("return False")

    def errors(self, kw: ir.PropertyNames, ctx: Context, code: Code) -> None:
        # Like python-jsonschema, a bad name is reported at the object itself.
        with code.block(f"for _key in {ctx.var}:"):
            code(ctx.emitter.errors_call(kw.child, "_key", same_path=True, at=kw.location))


class DependentSchemasEmitter(KeywordEmitter):
    def condition(self, kw: ir.DependentSchemas, ctx: Context) -> Expr:
        return all_of(
            any_of(
                [
                    compare(lit(member), "not in", ctx.var),
                    ctx.emitter.valid_expr(child, ctx.var, frozenset({"object"})),
                ]
            )
            for member, child in kw.children.items()
        )

    def statements(self, kw: ir.DependentSchemas, ctx: Context, code: Code) -> None:
        for name, child in kw.children.items():
            with code.block(f"if {py_literal(name)} in {ctx.var}:"):
                ctx.emitter.valid_stmts(child, ctx.var, ctx.known & {"object"}, code)

    def errors(self, kw: ir.DependentSchemas, ctx: Context, code: Code) -> None:
        for name, child in kw.children.items():
            with code.block(f"if {py_literal(name)} in {ctx.var}:"):
                report = ctx.emitter.errors_call(
                    child, ctx.var, same_path=True, known=ctx.known, at=kw.location
                )
                code(report)

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
        seen = ctx.emitter.fresh("seen", code)
        code(f"{seen} = {ctx.emitter.siblings_call(ctx.node, ctx.var)}")
        key, value = ctx.emitter.fresh("key", code), ctx.emitter.fresh("value", code)
        check = ctx.emitter.valid_expr(kw.child, value, ALL_CATEGORIES)
        with code.block(self._loop(ctx.var, key, value)):
            with code.block(f"if {all_of([compare(key, 'not in', seen), check.negate()])}:"):
                code("return False")

    def errors(self, kw: Any, ctx: Context, code: Code) -> None:
        code(f"_seen = {ctx.emitter.siblings_call(ctx.node, ctx.var)}")
        check = ctx.emitter.valid_call(kw.child, "_value")
        with code.block(self._loop(ctx.var, "_key", "_value")):
            with code.block(f"if {all_of([compare('_key', 'not in', '_seen'), check.negate()])}:"):
                if self.members:
                    message = 'f"unevaluated property {_key!r} is not allowed"'
                    code(ctx.fail(kw, message, "_key"))
                else:
                    code(ctx.fail(kw, 'f"unevaluated item {_key} is not allowed"'))

    def annotations(self, kw: Any, ctx: Context, code: Code, own_unevaluated: bool) -> None:
        if own_unevaluated:  # the members its subschema accepts (python-jsonschema's reading)
            members = f"{ctx.var}.items()" if self.members else f"enumerate({ctx.var})"
            check = ctx.emitter.valid_expr(kw.child, "_v", ALL_CATEGORIES)
            code(f"ev.update(_k for _k, _v in {members} if {check.within(OR)})")


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
            long_enough = compare(call("len", ctx.var), ">", lit(position))
            with code.block(f"if {all_of([long_enough, check.negate()])}:"):
                code("return False")

    def errors(self, kw: ir.PrefixItems, ctx: Context, code: Code) -> None:
        for position, child in enumerate(kw.children):
            with code.block(f"if len({ctx.var}) > {position}:"):
                report = ctx.emitter.errors_call(
                    child, f"{ctx.var}[{position}]", position, at=kw.location
                )
                code(report)

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
        item = ctx.emitter.fresh("item", code)
        check = ctx.emitter.valid_expr(kw.child, item, ALL_CATEGORIES)
        with code.block(f"for {item} in {self._items(kw, ctx.var)}:"):
            with code.block(f"if {check.negate()}:"):
                code("return False")

    def errors(self, kw: ir.Items, ctx: Context, code: Code) -> None:
        if kw.child.boolean is False:  # one finding for the extra items, as python-jsonschema
            with code.block(f"if len({ctx.var}) > {kw.start}:"):
                message = f'f"expected at most {kw.start} items, got {{len({ctx.var})}}"'
                code(ctx.fail(kw, message))
            return
        with code.block(f"for _index in range({kw.start}, len({ctx.var})):"):
            report = ctx.emitter.errors_call(
                kw.child, f"{ctx.var}[_index]", key_var="_index", at=kw.location
            )
            code(report)

    def annotations(self, kw: ir.Items, ctx: Context, code: Code, own: bool) -> None:
        code(f"ev.update(range(len({ctx.var})))")


class ContainsEmitter(KeywordEmitter):
    def _count(self, kw: ir.Contains, ctx: Context, code: Code) -> str:
        count, item = ctx.emitter.fresh("count", code), ctx.emitter.fresh("item", code)
        check = ctx.emitter.valid_expr(kw.child, item, ALL_CATEGORIES)
        code(f"{count} = sum(1 for {item} in {ctx.var} if {check.within(OR)})")
        return count

    def _passes(self, kw: ir.Contains, count: str) -> Expr:
        parts = [compare(count, ">=", lit(kw.min_contains))]
        if kw.max_contains is not None:
            parts.append(compare(count, "<=", lit(kw.max_contains)))
        return all_of(parts)

    def statements(self, kw: ir.Contains, ctx: Context, code: Code) -> None:
        if kw.min_contains == 0 and kw.max_contains is None:
            return
        if kw.min_contains == 1 and kw.max_contains is None:  # stop at the first match
            item = ctx.emitter.fresh("item", code)
            check = ctx.emitter.valid_expr(kw.child, item, ALL_CATEGORIES)
            # A loop, not any(generator): no generator frame to resume per item (profile:
            # the guidance mix's rule conditions walk arrays of objects).
            with code.block(f"for {item} in {ctx.var}:"):
                with code.block(f"if {check}:"):
                    code("break")
            with code.block("else:"):
                code("return False")
            return
        count = self._count(kw, ctx, code)
        with code.block(f"if {self._passes(kw, count).negate()}:"):
            code("return False")

    def errors(self, kw: ir.Contains, ctx: Context, code: Code) -> None:
        if kw.min_contains == 0 and kw.max_contains is None:
            return
        count = self._count(kw, ctx, code)
        with code.block(f"if {self._passes(kw, count).negate()}:"):
            expected = f" matching items; expected at least {kw.min_contains}" + (
                "" if kw.max_contains is None else f" and at most {kw.max_contains}"
            )
            shown = Expression(f"_show({ctx.var})")
            message = py_fstring(shown, " has ", Expression(count), expected)
            code(ctx.fail(kw, message))

    def annotations(self, kw: ir.Contains, ctx: Context, code: Code, own: bool) -> None:
        check = ctx.emitter.valid_expr(kw.child, "_item", ALL_CATEGORIES)
        code(f"ev.update(_i for _i, _item in enumerate({ctx.var}) if {check.within(OR)})")


# ---- in-place applicators -----------------------------------------------------------------------


class AllOfEmitter(KeywordEmitter):
    def condition(self, kw: ir.AllOf, ctx: Context) -> Expr:
        # The checks are pure, so the cheapest goes first and short-circuits the rest.
        children = sorted(kw.children, key=ctx.emitter.inlining.cost)
        return all_of(ctx.emitter.valid_expr(c, ctx.var, ctx.known) for c in children)

    def statements(self, kw: ir.AllOf, ctx: Context, code: Code) -> None:
        # Rules (`if`/`then` members) with the same condition are checked under one `if`, their
        # `then`s merged so that a member or array they all constrain is walked once.
        emitter = ctx.emitter
        others, groups = plan.rule_groups(kw)
        for child in others:
            emitter.valid_stmts(child, ctx.var, ctx.known, code)
        for group in groups:
            _rule_comments(group, code)
            condition = emitter.valid_expr(group.condition, ctx.var, ctx.known)
            merged = emitter.conjunction(group.thens)
            if _then_first(emitter, group.condition, merged):
                fails = emitter.valid_expr(merged, ctx.var, ctx.known).negate()
                with code.block(f"if {all_of([fails, condition])}:"):
                    code("return False")
                continue
            with code.block(f"if {condition}:"):
                emitter.valid_stmts(merged, ctx.var, ctx.known, code)

    def errors(self, kw: ir.AllOf, ctx: Context, code: Code) -> None:
        # As on the fast path, rules sharing a condition are grouped: one merged check of their
        # `then`s first, and each rule reports on its own only when that check fails.
        emitter = ctx.emitter
        others, groups = plan.rule_groups(kw)
        for child in others:
            if len(child.keywords) == 1 and isinstance(child.keywords[0], ir.IfThenElse):
                inline = Context(emitter, child, ctx.var, ctx.known)
                EMITTERS[ir.IfThenElse].errors(child.keywords[0], inline, code)
            else:
                report = emitter.errors_call(
                    child, ctx.var, same_path=True, known=ctx.known, at=kw.location
                )
                code(report)
        for group in groups:
            _rule_comments(group, code)
            condition = emitter.valid_expr(group.condition, ctx.var, ctx.known)
            thens = group.thens
            merged_node = emitter.conjunction(thens)
            merged = emitter.valid_expr(merged_node, ctx.var, ctx.known)
            if _then_first(emitter, group.condition, merged_node):
                test = all_of([merged.negate(), condition])
            else:
                test = condition
            with code.block(f"if {test}:"):
                fused = len(thens) > 1 and test is condition
                with code.block(f"if {merged.negate()}:") if fused else nullcontext():
                    for then in thens:
                        holder = then.location.rsplit("/", 1)[0]  # the rule's if/then schema
                        report = emitter.errors_call(
                            then, ctx.var, same_path=True, known=ctx.known, at=holder
                        )
                        code(report)

    def annotations(self, kw: ir.AllOf, ctx: Context, code: Code, own: bool) -> None:
        # Only members the instance passes count, even when a sibling fails (python-jsonschema
        # places the unevaluated* error by this reading).
        for child in kw.children:
            with code.block(f"if {ctx.emitter.valid_call(child, ctx.var)}:"):
                code(f"ev |= {ctx.emitter.annotations_call(child, ctx.var)}")


def _then_first(emitter: PythonEmitter, condition: Node, then: Node) -> bool:
    """Whether a rule is cheaper tested `then` first: both checks are pure, and a `then`
    that is a small inline test (a member's bound, say) passes on most instances, so testing
    it first skips a costlier condition (profile: the rules of the app and advice mixes)."""
    inlining = emitter.inlining
    return inlining.inlinable(then) and inlining.cost(then) < inlining.cost(condition)


def _rule_comments(group: plan.RuleGroup, code: Code) -> None:
    """One comment per rule of the group: its id and the schema place of its `then`."""
    for then in group.thens:
        rule = f"rule {then.rule.id}: " if then.rule is not None else ""
        code(py_comment(f"{rule}{then.location.rsplit('/', 1)[0] or '/'}"))


class AnyOfEmitter(KeywordEmitter):
    def condition(self, kw: ir.AnyOf | ir.OneOf, ctx: Context) -> Expr:
        children = sorted(kw.children, key=ctx.emitter.inlining.cost)
        return any_of(ctx.emitter.valid_expr(c, ctx.var, ctx.known) for c in children)

    def message(self, kw: ir.AnyOf | ir.OneOf, ctx: Context) -> str:
        text = " does not match any of the allowed alternatives"
        return py_fstring(Expression(f"_show({ctx.var})"), text)

    def annotations(self, kw: ir.AnyOf | ir.OneOf, ctx: Context, code: Code, own: bool) -> None:
        for child in kw.children:
            with code.block(f"if {ctx.emitter.valid_call(child, ctx.var)}:"):
                code(f"ev |= {ctx.emitter.annotations_call(child, ctx.var)}")


class OneOfEmitter(AnyOfEmitter):
    def condition(self, kw: ir.AnyOf | ir.OneOf, ctx: Context) -> Expr:
        calls = [ctx.emitter.valid_call(c, ctx.var) for c in kw.children]
        return call("_exactly_one", *calls) if calls else FALSE

    def message(self, kw: ir.AnyOf | ir.OneOf, ctx: Context) -> str:
        text = " must match exactly one of the alternatives"
        return py_fstring(Expression(f"_show({ctx.var})"), text)


class NotEmitter(KeywordEmitter):
    def condition(self, kw: ir.Not, ctx: Context) -> Expr:
        return ctx.emitter.valid_expr(kw.child, ctx.var, ctx.known).negate()

    def message(self, kw: ir.Not, ctx: Context) -> str:
        return py_fstring(Expression(f"_show({ctx.var})"), " matches a schema it must not match")


class IfThenElseEmitter(KeywordEmitter):
    def condition(self, kw: ir.IfThenElse, ctx: Context) -> Expr:
        emitter = ctx.emitter
        then = TRUE if kw.then is None else emitter.valid_expr(kw.then, ctx.var, ctx.known)
        otherwise = (
            TRUE if kw.otherwise is None else emitter.valid_expr(kw.otherwise, ctx.var, ctx.known)
        )
        if then == otherwise == TRUE:
            return TRUE
        return IfElse(then, emitter.valid_expr(kw.condition, ctx.var, ctx.known), otherwise)

    def statements(self, kw: ir.IfThenElse, ctx: Context, code: Code) -> None:
        if kw.then is None and kw.otherwise is None:
            return
        condition = ctx.emitter.valid_expr(kw.condition, ctx.var, ctx.known)
        if kw.then is not None:
            with code.block(f"if {condition}:"):
                ctx.emitter.valid_stmts(kw.then, ctx.var, ctx.known, code)
            if kw.otherwise is not None:
                with code.block("else:"):
                    ctx.emitter.valid_stmts(kw.otherwise, ctx.var, ctx.known, code)
        elif kw.otherwise is not None:
            with code.block(f"if {condition.negate()}:"):
                ctx.emitter.valid_stmts(kw.otherwise, ctx.var, ctx.known, code)

    def errors(self, kw: ir.IfThenElse, ctx: Context, code: Code) -> None:
        if kw.then is None and kw.otherwise is None:
            return
        condition = ctx.emitter.valid_expr(kw.condition, ctx.var, ctx.known)
        with code.block(f"if {condition}:"):
            if kw.then is not None:
                report = ctx.emitter.errors_call(
                    kw.then, ctx.var, same_path=True, known=ctx.known, at=ctx.node.location
                )
                code(report)
        if kw.otherwise is not None:
            with code.block("else:"):
                call = ctx.emitter.errors_call(
                    kw.otherwise, ctx.var, same_path=True, known=ctx.known, at=ctx.node.location
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
    def condition(self, kw: ir.Ref, ctx: Context) -> Expr:
        return ctx.emitter.valid_expr(kw.target, ctx.var, ctx.known)

    def statements(self, kw: ir.Ref, ctx: Context, code: Code) -> None:
        if ctx.emitter.inlining.inlinable(kw.target):
            ctx.emitter.valid_stmts(kw.target, ctx.var, ctx.known, code)
        else:
            super().statements(kw, ctx, code)

    def errors(self, kw: ir.Ref, ctx: Context, code: Code) -> None:
        report = ctx.emitter.errors_call(
            kw.target, ctx.var, same_path=True, known=ctx.known, at=ctx.node.location
        )
        code(report)

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


def _sorted(values: list[Any]) -> list[Any]:
    return sorted(set(values), key=lambda item: (type(item).__name__, item))


def set_display(values: list[Any]) -> str:
    """`{a, b}` for an `in` test (CPython folds it into one frozenset constant)."""
    items = _sorted(values)
    return "{" + ", ".join(py_literal(v) for v in items) + "}" if items else "()"


def py_tuple(values: list[Any]) -> str:
    items = [py_literal(v) for v in values]
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def py_frozenset(values: list[Any]) -> str:
    items = _sorted(values)
    return (
        "frozenset({" + ", ".join(py_literal(v) for v in items) + "})" if items else "frozenset()"
    )


# Blocks nested deeper than this continue in a function of their own (Python's limit is 100).
MAX_BLOCK_DEPTH = 40


def _past_bare_refs(node: Node) -> Node:
    """The first node along a chain of bare `$ref`s (nodes holding nothing else) that is not
    one: a 3,000-link chain is then one call, not 3,000 nested ones, when reporting."""
    seen = {node.index}
    while len(node.keywords) == 1 and isinstance(node.keywords[0], ir.Ref):
        target = node.keywords[0].target
        if target.index in seen:  # a loop (the IR refuses those; never spin here)
            break
        seen.add(target.index)
        node = target
    return node


# Non-bare `$ref` links one in-place chain may have: each is a nested call in the generated
# module, and Python stops at about 1,000 (bare links cost nothing: `_past_bare_refs`).
MAX_REF_CHAIN = 400


def refuse_long_ref_chains(nodes: list[Node]) -> None:
    """SchemaError when a chain of in-place `$ref`s (each beside other keywords) is longer than
    MAX_REF_CHAIN: its module would raise RecursionError at run time. Schema nesting itself is
    bounded by the loader's depth limit; only `$ref` can chain further."""
    links: dict[int, tuple[int, str]] = {}  # node -> (longest chain below, where it starts)
    for start in nodes:
        stack: list[tuple[Node, bool]] = [(start, False)]
        while stack:
            node, expanded = stack.pop()
            if node.index in links:
                continue
            edges = list(ir.in_place_edges(node))
            if not expanded:
                stack.append((node, True))
                stack.extend((child, False) for _, child in edges if child.index not in links)
                continue
            bare = len(node.keywords) == 1 and isinstance(node.keywords[0], ir.Ref)
            best = (0, "")
            for location, child in edges:
                below = links.get(child.index, (0, ""))[0]
                counted = below + (isinstance(ir_keyword(node, location), ir.Ref) and not bare)
                best = max(best, (counted, location))
            links[node.index] = best
            if best[0] > MAX_REF_CHAIN:
                raise ir.SchemaError(
                    best[1],
                    f"a chain of more than {MAX_REF_CHAIN} $refs that never moves into the "
                    "instance starts here (the generated module would exceed Python's call "
                    "depth); a $ref that is a subschema's only keyword does not count",
                    "$ref",
                )


def ir_keyword(node: Node, location: str) -> ir.Keyword | None:
    return next((kw for kw in node.keywords if kw.location == location), None)


# Names the template defines; generated names never take them.
TEMPLATE_NAMES = frozenset(
    {"_accept", "_reject", "_pointer", "_rule_error", "_warn", "_advise", "_kind", "_show"}
    | {"_equal", "_member", "_canonical", "_unique", "_exactly_one", "_decimal", "_multiple_of"}
)
# Prefix per kind of generated function.
FUNCTION_KINDS = {"v": "valid", "e": "errors", "a": "evaluated", "s": "siblings"}


class PythonEmitter:
    """Turns a SchemaIR into the body of a validator module (functions and constants).

    Which functions exist, their order of checks and their names come from `plan`; this class
    only writes Python. Function and constant names derive from schema locations, so an edit
    of the spec renames nothing elsewhere.
    """

    def __init__(self, schema_ir: ir.SchemaIR, *, native: bool = False) -> None:
        self.ir = schema_ir
        self.native = native  # laid out for mypyc: see ObjectMembersEmitter._native_statements
        self.inlining = plan.Inlining()
        self.names = plan.Names(TEMPLATE_NAMES)
        self.constants: dict[tuple[str, str], str] = {}  # (role, source) -> constant name
        self.constant_lines: list[str] = []
        self.table_lines: list[str] = []
        self.functions: dict[str, str] = {}  # function name -> source
        self.pending: list[tuple[str, str, Node]] = []
        self.valid_bodies: dict[str, str] = {}  # body text -> name, to share equal validators
        self.uses_fraction = False
        self.synthetic_ids = itertools.count(len(schema_ir.nodes))
        self.rule_places = plan.rule_places(schema_ir)

    # -- constants and names --
    def fresh(self, stem: str, code: Code) -> str:
        """A local variable named from its nesting: `_key2` is bound two blocks deep.

        No counter: a check elsewhere in the function cannot rename it, and two bindings with
        one name never overlap (an inner block is deeper, a sibling one's binding is dead).
        """
        return f"_{stem}{code.depth}"

    def named(self, location: str, role: str, source: str, annotation: str = "") -> str:
        """A module constant holding `source`, named from the schema place that needs it."""
        key = (role, source)
        if key not in self.constants:
            name = self.names.claim(key, f"_{role}_{plan.place_stem(location, self.rule_places)}")
            self.constants[key] = name
            # Dispatch tables name validator functions, so they are defined after them.
            lines = self.table_lines if role in ("VALID", "ERRORS") else self.constant_lines
            lines.append(f"{name}{': ' + annotation if annotation else ''} = {source}")
        return self.constants[key]

    def regex(self, pattern: str, location: str) -> str:
        return self.named(location, "RE", f"re.compile({py_literal(pattern)})")

    def pattern_test(self, pattern: str, var: str, location: str) -> Expr:
        """`re.search(pattern, var)` as an expression; `^name$` becomes a set lookup."""
        literal = plan.literal_pattern_name(pattern)
        if literal is not None:
            # Python's `$` also matches before one trailing newline (as python-jsonschema does).
            return compare(var, "in", set_display([literal, literal + chr(10)]))
        return compare(call(f"{self.regex(pattern, location)}.search", var), "is not", "None")

    def dispatch_table(self, children: dict[str, Node], location: str) -> str:
        """name -> fast check, for the members of an object."""
        entries = ", ".join(
            f"{py_literal(name)}: {self.valid_function(child)}" for name, child in children.items()
        )
        return self.named(location, "VALID", "{" + entries + "}")

    def index_table(self, children: dict[str, Node], location: str) -> str:
        """name -> member number, for the native layout's dispatch (see `_native_statements`)."""
        entries = ", ".join(f"{py_literal(name)}: {i}" for i, name in enumerate(children))
        # Keys typed Any: a non-str key (not JSON, but a dict may hold one) is looked up, not cast.
        return self.named(location, "INDEX", "{" + entries + "}", "Final[dict[Any, int]]")

    def errors_table(self, children: dict[str, Node], location: str) -> str:
        """name -> reporting function, for members known to fail their fast check (a `false`
        member reports at the object, as `errors_call` explains)."""
        entries = ", ".join(
            f"{py_literal(name)}: {self._member_report(child)}" for name, child in children.items()
        )
        return self.named(location, "ERRORS", "{" + entries + "}")

    def _member_report(self, child: Node) -> str:
        """The reporting function of one member in a table (called with the member's path)."""
        if child.boolean is False:
            at = child.location.rsplit("/", 1)[0]
            return f"lambda x, path, out: out.append({self._false_error(child, at, 'path[:-1]')})"
        if _past_bare_refs(child).boolean is False:  # placed at the $ref, as errors_call says
            target = _past_bare_refs(child)
            return f"lambda x, path, out: out.append({self._false_error(target, child.location)})"
        return self._request("e", child)

    def conjunction(self, nodes: list[Node]) -> Node:
        """A node valid exactly when all of `nodes` are (see `plan.merge`)."""
        return plan.merge(nodes, self._synthetic)

    def _synthetic(self, location: str, keywords: list[ir.Keyword]) -> Node:
        return Node(next(self.synthetic_ids), location, keywords=keywords)

    # -- calls (each makes sure the callee gets emitted) --
    def _request(self, kind: str, node: Node) -> str:
        if kind in ("e", "a"):  # a bare `$ref` reports and evaluates as its target does
            node = _past_bare_refs(node)
        stem = f"_{kind}_{plan.place_stem(node.location, self.rule_places)}"
        if node.index >= len(self.ir.nodes):  # merged for the fast path: not a schema place
            stem += "_merged"
        key = (kind, node.index)
        known = key in self.names.by_key
        name = self.names.claim(key, stem)
        if not known:
            self.pending.append((kind, name, node))
            self.functions[name] = ""
        return name

    def valid_function(self, node: Node) -> str:
        if self.is_trivial(node):
            return "_accept"
        if node.boolean is False:
            return "_reject"
        return self._request("v", node)

    def valid_call(self, node: Node, var: str) -> Expr:
        if self.is_trivial(node):
            return TRUE
        if node.boolean is False:
            return FALSE
        return call(self.valid_function(node), var)

    def errors_call(
        self,
        node: Node,
        var: str,
        key: str | int | None = None,
        *,
        key_var: str | None = None,
        same_path: bool = False,
        known: frozenset[str] = ALL_CATEGORIES,
        at: str | None = None,
    ) -> str:
        """A statement reporting `node`'s errors for `var`; the fast check runs first, since
        most subschemas pass and building paths for them would be wasted.

        A `false` child is reported where python-jsonschema reports it: at the parent's
        instance path, with the schema path `at` of the keyword applying it (for then/else
        and `$ref`, of the schema holding them), not at the child's own places."""
        if node.boolean is False and at is not None:
            return f"out.append({self._false_error(node, at)})"
        if same_path:
            path = "path"
        elif key_var is not None:
            path = f"(*path, {key_var})"
        else:
            path = f"(*path, {py_literal(key)})"
        if self.is_trivial(node):
            return "pass"
        target = _past_bare_refs(node)
        if target is not node and target.boolean is False:
            # python-jsonschema reports a `$ref` to false at the `$ref`'s place (and instance)
            return f"out.append({self._false_error(target, node.location, path)})"
        report = f"{self._request('e', node)}({var}, {path}, out)"
        if node.boolean is False:
            return report
        return f"if {self.valid_expr(node, var, known).negate()}:\n    {report}"

    def annotations_call(self, node: Node, var: str) -> str:
        if node.boolean is not None or not node.keywords:
            return "set()"
        return f"{self._request('a', node)}({var})"

    def siblings_call(self, node: Node, var: str) -> str:
        return f"{self._request('s', node)}({var})"

    def is_trivial(self, node: Node) -> bool:
        return plan.Inlining.trivial(node)

    # -- the fast path --
    def valid_expr(self, node: Node, var: str, known: frozenset[str]) -> Expr:
        """An expression true iff `var` is valid against `node` (inline when the node is small)."""
        if self.is_trivial(node):
            return TRUE
        if node.boolean is False:
            return FALSE
        if len(node.keywords) == 1 and isinstance(node.keywords[0], ir.Ref):
            # A bare `$ref` is its target: sibling rules naming one $def then share one check.
            return self.valid_expr(node.keywords[0].target, var, known)
        if not self.inlining.inlinable(node):
            required = node.find(ir.Required)
            if required is None or known != {"object"}:
                return self.valid_call(node, var)
            # An object lacking a required member fails without the call (profile: a rule's
            # condition function called for every body, though most lack the member it needs).
            present = [compare(lit(member), "in", var) for member in required.names]
            return all_of([*present, self.valid_call(node, var)])
        ctx = Context(self, node, var, known)
        parts: list[Expr] = []
        order = plan.check_order(node)
        keywords: list[ir.Keyword] = [order.type] if order.type else []
        keywords += [kw for _, group in order.by_kind for kw in group] + order.in_place
        for kw in keywords:
            category = plan.keyword_kind(kw)
            condition = EMITTERS[type(kw)].condition(kw, ctx)
            assert condition is not None
            if category is None:
                parts.append(condition)
            else:
                applies = guard(category, var, ctx.known)
                if applies is None:
                    continue
                parts.append(any_of([applies.negate(), condition]))
            if isinstance(kw, ir.Type):
                ctx.known = ctx.known & node.types  # type: ignore[operator]
            elif isinstance(kw, ir.Required) and ctx.known == {"object"}:
                ctx.present.update(kw.names)
        return all_of(parts)

    def valid_stmts(self, node: Node, var: str, known: frozenset[str], code: Code) -> None:
        """Statements that `return False` when `var` is invalid and fall through otherwise."""
        if self.is_trivial(node):
            return
        if node.boolean is False:
            code("return False")
            return
        if code.depth > MAX_BLOCK_DEPTH:  # Python refuses 100 nested blocks: a function of its own
            with code.block(f"if {self.valid_call(node, var).negate()}:"):
                code("return False")
            return
        if node.location:
            code(py_comment(node.location))
        ctx = Context(self, node, var, known)
        order = plan.check_order(node)
        if order.type is not None:  # first: it narrows what the other checks can assume
            EMITTERS[ir.Type].statements(order.type, ctx, code)
            ctx.known = ctx.known & node.types  # type: ignore[operator]
        for category, keywords in order.by_kind:
            applies = guard(category, var, ctx.known)
            if applies is None:
                continue
            inner = Context(self, node, var, frozenset({category}))
            with code.block(f"if {applies}:") if applies != TRUE else nullcontext():
                for kw in keywords:
                    EMITTERS[type(kw)].statements(kw, inner, code)
        for kw in order.in_place:
            EMITTERS[type(kw)].statements(kw, ctx, code)

    # -- function bodies --
    def _valid_function(self, name: str, node: Node) -> str:
        code = Code()
        code.depth = 1
        self.valid_stmts(node, "x", ALL_CATEGORIES, code)
        code("return True")
        body = code.text()
        # Equal checks at different places share one function; comments don't count.
        logic = "\n".join(line for line in code.lines if not line.lstrip().startswith("#"))
        shared = self.valid_bodies.get(logic)
        if shared is not None and self.native:  # a def: mypyc calls a def directly, not a name
            comment = py_comment(node.location or "/")
            return f"def {name}(x: Any) -> bool:\n    {comment}\n    return {shared}(x)"
        if shared is not None:
            return f"{name} = {shared}  {py_comment(node.location or '/')}"
        self.valid_bodies[logic] = name
        return f"def {name}(x: Any) -> bool:\n{body}"

    def _errors_function(self, name: str, node: Node) -> str:
        code = Code()
        code.depth = 1
        if node.boolean is False:
            code(f"out.append({self._false_error(node)})")
        order = plan.check_order(node)
        if order.type is None:
            self._errors_body(order, node, Context(self, node, "x", ALL_CATEGORIES), code)
        else:
            # Split on the type check: in the common branch the instance's type is known, so
            # the fast pre-checks of subschemas drop their type guards.
            types = node.types
            assert types is not None
            ctx = Context(self, node, "x", ALL_CATEGORIES)
            with code.block(f"if {EMITTERS[ir.Type].condition(order.type, ctx)}:"):
                self._errors_body(order, node, Context(self, node, "x", types), code)
            with code.block("else:"):
                EMITTERS[ir.Type].errors(order.type, ctx, code)
                self._errors_body(order, node, Context(self, node, "x", ALL_CATEGORIES), code)
        header = f"def {name}(x: Any, path: tuple[str | int, ...], out: list[Error]) -> None:"
        comment = f"    {py_comment(node.location or '/')}\n"
        return f"{header}\n{comment}{code.text() if code.lines else '    return'}"

    def _errors_body(self, order: plan.Order, node: Node, ctx: Context, code: Code) -> None:
        """Reporting statements for every keyword but `type`, in the fast path's order."""
        for category, keywords in order.by_kind:
            applies = guard(category, "x", ctx.known)
            if applies is None:
                continue
            inner = Context(self, node, "x", frozenset({category}))
            with code.block(f"if {applies}:") if applies != TRUE else nullcontext():
                for kw in keywords:
                    EMITTERS[type(kw)].errors(kw, inner, code)
        for kw in order.in_place:
            EMITTERS[type(kw)].errors(kw, ctx, code)

    def _false_error(self, node: Node, at: str | None = None, path: str = "path") -> str:
        location = py_literal(node.location if at is None else at)
        if node.rule is not None:
            return f'_rule_error({path}, {location}, "false", {py_literal(node.rule.id)}, None)'
        message = '"no value is allowed here"'
        return f'Error(_pointer({path}), {location}, "false", {message}, None, "error", None)'

    def _annotations_function(self, name: str, node: Node, own_unevaluated: bool) -> str:
        code = Code()
        code.depth = 1
        code("ev: set[Any] = set()")
        ctx = Context(self, node, "x", ALL_CATEGORIES)
        order = plan.check_order(node)
        for kw in order.in_place:
            EMITTERS[type(kw)].annotations(kw, ctx, code, own_unevaluated)
        kinds = dict(order.by_kind)
        for category in ("object", "array"):
            with code.block(f"if {category_test(category, 'x')}:"):
                for kw in kinds.get(category, []):
                    EMITTERS[type(kw)].annotations(kw, ctx, code, own_unevaluated)
        code("return ev")
        return f"def {name}(x: Any) -> set[Any]:\n{code.text()}"

    def _advice_function(self) -> str:
        """`_advise(x, out)`: each x-advice entry the instance fails adds its warnings."""
        code = Code()
        code.depth = 1
        advice = self.ir.root.find(ir.Advice)
        if advice is not None and advice.children:
            # Most instances follow all the advice: one check, rules sharing a condition grouped
            # as in any allOf, settles that before any entry is looked at on its own.
            everything = self._synthetic(
                advice.location, [ir.AllOf(advice.location, advice.children)]
            )
            with code.block(f"if {self.valid_call(everything, 'x')}:"):
                code("return")
        for child in advice.children if advice else []:
            if self.is_trivial(child):
                continue
            assert child.rule is not None  # the IR requires a warning x-rule on each entry
            code(py_comment(f"rule {child.rule.id}: {child.location}"))
            report = self._request("e", child)
            with code.block(f"if {self.valid_expr(child, 'x', ALL_CATEGORIES).negate()}:"):
                code(f"_warn(x, {report}, {py_literal(child.rule.id)}, out)")
        header = "def _advise(x: Any, out: list[Error]) -> None:"
        return f"{header}\n{code.text() if code.lines else '    return'}"

    def emit(self) -> None:
        refuse_long_ref_chains(self.ir.nodes)
        root = self.ir.root
        self.valid_function(root)
        self._request("e", root)
        self.functions["_advise"] = self._advice_function()
        while self.pending:
            kind, name, node = self.pending.pop(0)
            if kind == "v":
                self.functions[name] = self._valid_function(name, node)
            elif kind == "e":
                self.functions[name] = self._errors_function(name, node)
            else:
                self.functions[name] = self._annotations_function(name, node, kind == "a")
        self._drop_unread_constants()

    def _drop_unread_constants(self) -> None:
        """Constants only a shared (hence dropped) function body named are left out."""
        body = "\n".join(self.functions.values())

        def read(line: str) -> bool:
            name = line.split(" = ", 1)[0].split(":", 1)[0]
            return re.search(rf"\b{re.escape(name)}\b", body) is not None

        self.constant_lines = [line for line in self.constant_lines if read(line)]
        self.table_lines = [line for line in self.table_lines if read(line)]

    def root_valid(self) -> str:
        return self.valid_function(self.ir.root)

    def root_errors(self) -> str:
        return self._request("e", self.ir.root)
