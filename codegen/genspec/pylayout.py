"""Long generated statements broken over lines the way the project's formatter (ruff) would.

The emitters write one statement per line. A line that fits in `WIDTH` columns is final; a
longer one is parsed (it is code we made, never schema text) and laid out here, so generated
modules are `ruff format`-clean without running ruff. Only the shapes the emitters and the
templates produce are handled, with ruff's rules for them:
- brackets (calls, subscripts, displays) break after the opener: a call keeps its arguments on
  one indented line if they fit there, a display puts one element per line with a trailing
  comma (which makes the layout final: ruff keeps a "magic" trailing comma);
- an `and`/`or`/comparison chain breaks before its lowest-precedence operators, all of them,
  inside parentheses; a statement whose condition has one such operator and ends in a bracket
  keeps the head on the first line and breaks that bracket instead (`if a and f(` ... `):`).
tests/quality checks the result with ruff itself, on generated/ and on hostile schemas.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

WIDTH = 100
INDENT = "    "
_LONG_LINE = re.compile(rf"^.{{{WIDTH + 1},}}$", re.MULTILINE)


def text_width(text: str) -> int:
    """Columns `text` takes as ruff counts them (Unicode widths: East Asian wide and fullwidth
    characters take two, combining marks and format characters none)."""
    if text.isascii():
        return len(text)
    return sum(_char_width(char) for char in text)


@cache
def _char_width(char: str) -> int:
    if unicodedata.category(char) in ("Mn", "Me", "Cf", "Cc"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


# A document: text, or one of the nodes below (a Prettier-style layout algebra).
Doc = "str | Group | Nest | Line | IfBreak | list[Doc]"


@dataclass(frozen=True)
class Group:
    """Printed flat when it fits on the rest of the line, else with its lines broken."""

    content: list[object]


@dataclass(frozen=True)
class Nest:
    """Content indented one level when its lines break."""

    content: list[object]


@dataclass(frozen=True)
class Line:
    """A line break, or `flat` (a space or nothing) in a group printed flat."""

    flat: str


@dataclass(frozen=True)
class IfBreak:
    """Text only present when the enclosing group breaks (a trailing comma)."""

    text: str


SOFT, SPACE = Line(""), Line(" ")

# Binding strength (weakest first) of the operators a chain breaks at.
_OR, _AND, _COMPARE, _BITOR, _BITXOR, _BITAND, _SHIFT, _ADD, _MUL, _POW = range(10)
_BINARY = {
    ast.BitOr: ("|", _BITOR),
    ast.BitXor: ("^", _BITXOR),
    ast.BitAnd: ("&", _BITAND),
    ast.LShift: ("<<", _SHIFT),
    ast.RShift: (">>", _SHIFT),
    ast.Add: ("+", _ADD),
    ast.Sub: ("-", _ADD),
    ast.Mult: ("*", _MUL),
    ast.Div: ("/", _MUL),
    ast.FloorDiv: ("//", _MUL),
    ast.Mod: ("%", _MUL),
    ast.MatMult: ("@", _MUL),
    ast.Pow: ("**", _POW),
}
_COMPARATORS = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}


def bracketed(open_: str, items: list[object], close: str, *, explode: bool) -> Group:
    """`open_ items close`; broken: one item per line and a trailing comma (`explode`), or
    all items on one indented line if they fit there (a call's arguments)."""
    if not items:
        return Group([open_, close])
    joined: list[object] = []
    for position, item in enumerate(items):
        if position:
            joined += [",", SPACE]
        joined.append(item)
    if explode:
        body: list[object] = [*joined, IfBreak(",")]
    elif len(items) == 1:
        body = joined
    else:
        body = [Group([*joined, IfBreak(",")])]
    return Group([open_, Nest([SOFT, *body]), SOFT, close])


class _Layout:
    """Turns one parsed statement (source `text`) into a document."""

    def __init__(self, text: str) -> None:
        self.text = text
        # ast's column offsets count UTF-8 bytes.
        self.lines = [line.encode("utf-8") for line in text.split("\n")]

    def source(self, node: ast.expr | ast.arg) -> str:
        """The source text of `node` (ast.get_source_segment re-splits the text every call)."""
        end_line = node.end_lineno or node.lineno
        if end_line == node.lineno:
            return self.lines[node.lineno - 1][node.col_offset : node.end_col_offset].decode()
        segment = ast.get_source_segment(self.text, node)
        assert segment is not None
        return segment

    def parenthesized(self, node: ast.expr) -> bool:
        """Whether `node`, an operand of an operator, is wrapped in parentheses in the source."""
        line = self.lines[node.lineno - 1]
        before = line[: node.col_offset].rstrip()
        end_line = self.lines[(node.end_lineno or node.lineno) - 1]
        after = end_line[node.end_col_offset :].lstrip()
        return before.endswith(b"(") and after.startswith(b")")

    def before(self, node: ast.expr) -> str:
        """The text of the (first) line before `node`."""
        return self.lines[node.lineno - 1][: node.col_offset].decode("utf-8")

    def after(self, node: ast.expr) -> str:
        """The text of the (last) line after `node`."""
        return self.lines[(node.end_lineno or node.lineno) - 1][node.end_col_offset :].decode()

    # -- expressions --
    def operand(self, node: ast.expr) -> object:
        if self.parenthesized(node):
            return Group(["(", Nest([SOFT, self.expr(node)]), SOFT, ")"])
        return self.expr(node)

    def flatten(self, node: ast.expr, parts: list[object]) -> None:
        """Operands and (operator, strength) pairs of an unparenthesized chain, in order."""
        if isinstance(node, ast.BoolOp):
            strength = _OR if isinstance(node.op, ast.Or) else _AND
            word = "or" if strength == _OR else "and"
            for position, value in enumerate(node.values):
                if position:
                    parts.append((word, strength))
                self._chain_operand(value, parts)
        elif isinstance(node, ast.Compare):
            self._chain_operand(node.left, parts)
            for op, right in zip(node.ops, node.comparators, strict=True):
                parts.append((_COMPARATORS[type(op)], _COMPARE))
                self._chain_operand(right, parts)
        elif isinstance(node, ast.BinOp):
            self._chain_operand(node.left, parts)
            parts.append(_BINARY[type(node.op)])
            self._chain_operand(node.right, parts)
        else:
            parts.append(self.operand(node))

    def _chain_operand(self, node: ast.expr, parts: list[object]) -> None:
        if isinstance(node, (ast.BoolOp, ast.Compare, ast.BinOp)) and not self.parenthesized(node):
            self.flatten(node, parts)
        else:
            parts.append(self.operand(node))

    def chain(self, parts: list[object], *, breakable: bool = True) -> list[object]:
        """A flattened chain split before its weakest operators (each side grouped)."""
        if len(parts) == 1:
            return [parts[0]]
        weakest = min(part[1] for part in parts[1::2])  # type: ignore[index]
        out: list[object] = []
        start = 0
        for index in range(1, len(parts), 2):
            operator = parts[index]
            assert isinstance(operator, tuple)
            word, strength = operator
            if strength != weakest:
                continue
            out += self._side(parts[start:index], breakable)
            out += [SPACE if breakable else " ", f"{word} "]
            start = index + 1
        out += self._side(parts[start:], breakable)
        return out

    def _side(self, parts: list[object], breakable: bool) -> list[object]:
        inner = self.chain(parts, breakable=breakable)
        return inner if len(parts) == 1 or not breakable else [Group(inner)]

    def expr(self, node: ast.expr) -> object:
        match node:
            case ast.BoolOp() | ast.Compare() | ast.BinOp():
                parts: list[object] = []
                self.flatten(node, parts)
                return Group(self.chain(parts))
            case ast.UnaryOp(op=op, operand=operand):
                word = {ast.Not: "not ", ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}
                return [word[type(op)], self.operand(operand)]
            case ast.Call(func=func, args=args, keywords=keywords):
                items: list[object] = []
                if len(args) == 1 and not keywords and isinstance(args[0], ast.GeneratorExp):
                    items.append(self.generator(args[0]))
                else:
                    items += [self.expr(arg) for arg in args]
                    for keyword in keywords:
                        value = self.expr(keyword.value)
                        items.append([f"{keyword.arg}=", value] if keyword.arg else ["**", value])
                return [self.expr(func), bracketed("(", items, ")", explode=False)]
            case ast.Attribute(value=value, attr=attr):
                return [self.expr(value), f".{attr}"]
            case ast.Subscript(value=value, slice=ast.Tuple(elts=elts) as index) if not (
                self.source(index).startswith("(")
            ):
                return [
                    self.expr(value),
                    bracketed("[", [self.expr(e) for e in elts], "]", explode=True),
                ]
            case ast.Subscript(value=value, slice=index):
                return [self.expr(value), bracketed("[", [self.expr(index)], "]", explode=False)]
            case ast.Starred(value=value):
                return ["*", self.expr(value)]
            case ast.List(elts=elts):
                return bracketed("[", [self.expr(e) for e in elts], "]", explode=True)
            case ast.Set(elts=elts):
                return bracketed("{", [self.expr(e) for e in elts], "}", explode=True)
            case ast.Tuple(elts=elts) if self.source(node).startswith("("):
                if len(elts) == 1:
                    return Group(["(", Nest([SOFT, self.expr(elts[0]), ","]), SOFT, ")"])
                return bracketed("(", [self.expr(e) for e in elts], ")", explode=True)
            case ast.Dict(keys=keys, values=values):
                entries: list[object] = [
                    [self.expr(k), ": ", self.expr(v)] if k is not None else ["**", self.expr(v)]
                    for k, v in zip(keys, values, strict=True)
                ]
                return bracketed("{", entries, "}", explode=True)
            case ast.IfExp():
                # `a if b else c if d else e`: one chain, broken before every `if`/`else`.
                arms: list[object] = []
                while True:
                    arms += [self.operand(node.body), SPACE, "if ", self.operand(node.test)]
                    arms += [SPACE, "else "]
                    node = node.orelse
                    if not isinstance(node, ast.IfExp) or self.parenthesized(node):
                        break
                return Group([*arms, self.operand(node)])
            case ast.GeneratorExp():
                return Group(["(", Nest([SOFT, self.generator(node)]), SOFT, ")"])
        return self.source(node)

    def generator(self, node: ast.GeneratorExp) -> Group:
        parts: list[object] = [self.expr(node.elt)]
        for comprehension in node.generators:
            parts += [SPACE, "for ", self.expr(comprehension.target), " in "]
            parts.append(self.expr(comprehension.iter))
            for condition in comprehension.ifs:
                parts += [SPACE, "if ", self.operand(condition)]  # keeps needed parentheses
        return Group(parts)

    # -- statements --
    def statement(self, prefix: str, node: ast.expr, suffix: str, depth: int) -> list[str]:
        """`prefix node suffix` (one logical line) broken as ruff breaks it."""
        indent = INDENT * depth
        if isinstance(node, (ast.Call, ast.List, ast.Set, ast.Dict, ast.GeneratorExp)) or (
            isinstance(node, ast.Tuple) and self.source(node).startswith("(")
        ):
            return render([indent, prefix, self.expr(node), suffix])
        if self._can_omit_parentheses(node):
            parts: list[object] = []
            self.flatten(node, parts)
            lines = render([indent, prefix, *self.chain(parts, breakable=False), suffix])
            if text_width(lines[0]) <= WIDTH:
                return lines
        return render(
            [indent, prefix, Group(["(", Nest([SOFT, self.expr(node)]), SOFT, ")"]), suffix],
            broken=True,
        )

    def _can_omit_parentheses(self, node: ast.expr) -> bool:
        # ruff's rule: at most one operator of the weakest kind, and the last operand has
        # (non-empty) brackets of its own that can take the break ...
        parts: list[object] = []
        if isinstance(node, (ast.BoolOp, ast.Compare, ast.BinOp)):
            self.flatten(node, parts)
        else:
            return isinstance(node, ast.UnaryOp) and self._has_brackets(node)
        operators = [part[1] for part in parts[1::2]]  # type: ignore[index]
        if operators.count(min(operators)) > 1:
            return False
        # ... or the first operand starts with a bracket (a call starts with its name).
        first = self._first_operand(node)
        opens = self.parenthesized(first) or isinstance(first, (ast.List, ast.Set, ast.Dict))
        return opens or self._has_brackets(self._last_operand(node))

    def _first_operand(self, node: ast.expr) -> ast.expr:
        while not self.parenthesized(node):
            match node:
                case ast.BoolOp(values=values):
                    node = values[0]
                case ast.Compare(left=left) | ast.BinOp(left=left):
                    node = left
                case _:
                    return node
        return node

    def _last_operand(self, node: ast.expr) -> ast.expr:
        while True:
            if self.parenthesized(node) and node is not None:
                return node
            match node:
                case ast.BoolOp(values=values):
                    node = values[-1]
                case ast.Compare(comparators=comparators):
                    node = comparators[-1]
                case ast.BinOp(right=right):
                    node = right
                case _:
                    return node

    def _has_brackets(self, node: ast.expr) -> bool:
        if self.parenthesized(node):
            return True
        match node:
            case ast.UnaryOp(operand=operand):
                return self._has_brackets(operand)
            case ast.Call() | ast.List(elts=[_, *_]) | ast.Set() | ast.Dict(keys=[_, *_]):
                return True
        return False


def layout_line(line: str) -> list[str]:
    """`line` (one emitted statement, indented) as ruff would print it: itself if it fits."""
    if text_width(line) <= WIDTH:
        return [line]
    stripped = line.lstrip(" ")
    depth = (len(line) - len(stripped)) // len(INDENT)
    header = stripped.endswith(":")
    try:
        tree = ast.parse(stripped + "\n    pass" if header else stripped)
    except SyntaxError:  # a continuation of something laid out already; not ours to change
        return [line]
    if not tree.body:  # a comment: ruff leaves it as it is
        return [line]
    statement = tree.body[0]
    layout = _Layout(stripped)
    match statement:
        case ast.If(test=test) if stripped.startswith(("if ", "elif ")):
            return layout.statement(stripped.split(" ", 1)[0] + " ", test, ":", depth)
        case ast.While(test=test):
            return layout.statement("while ", test, ":", depth)
        case ast.For(iter=iterable):
            head = layout.before(iterable)
            return layout.statement(head, iterable, ":", depth)
        case ast.Return(value=value) if value is not None:
            return layout.statement("return ", value, "", depth)
        case ast.Assign(value=value):
            head, rest = layout.before(value), layout.after(value)
            if rest.lstrip().startswith("#"):  # `a = b  # comment`: the comment goes inside
                indent = INDENT * depth
                inner = f"{indent}{INDENT}{layout.source(value)}{rest}"
                return [f"{indent}{head}(", inner, f"{indent})"]
            return layout.statement(head, value, "", depth)
        case ast.FunctionDef(args=args) if stripped.startswith("def "):
            return _def_header(stripped, args, depth, layout)
        case ast.AnnAssign(value=value) if value is not None:
            head = layout.before(value)
            return layout.statement(head, value, "", depth)
        case ast.Expr(value=value):
            return layout.statement("", value, "", depth)
    return [line]


def _def_header(stripped: str, args: ast.arguments, depth: int, layout: _Layout) -> list[str]:
    """`def name(params) -> R:` broken inside its parentheses (positional parameters only)."""
    indent = INDENT * depth
    params = [layout.source(arg) for arg in args.args]
    opening = stripped.index("(")
    closing = stripped.rindex(")", 0, stripped.rindex(":"))
    head, tail = stripped[: opening + 1], stripped[closing:]
    body = f"{indent}{INDENT}{', '.join(params)}"
    if len(params) == 1:  # ruff (as black) gives a lone parameter a trailing comma
        body += ","
    if text_width(body) <= WIDTH:
        return [f"{indent}{head}", body, f"{indent}{tail}"]
    return [f"{indent}{head}", *(f"{indent}{INDENT}{p}," for p in params), f"{indent}{tail}"]


class NestedCall(str):
    """`outer(inner(args))` (the emitters' `out.append(Error(...))`), whose arguments never
    break themselves: laid out directly, without parsing, by `lines`."""

    outer: str
    inner: str
    args: tuple[str, ...]

    def __new__(cls, outer: str, inner: str, args: tuple[str, ...]) -> NestedCall:
        made = super().__new__(cls, f"{outer}({inner}({', '.join(args)}))")
        made.outer, made.inner, made.args = outer, inner, args
        return made

    def lines(self, indent: str) -> list[str]:
        if text_width(indent) + text_width(self) <= WIDTH:
            return [indent + self]
        inner = f"{indent}{INDENT}{self.inner}({', '.join(self.args)})"
        if text_width(inner) <= WIDTH:
            return [f"{indent}{self.outer}(", inner, f"{indent})"]
        body = f"{indent}{INDENT * 2}{', '.join(self.args)}"
        if text_width(body) <= WIDTH:  # a call keeps its arguments on one line if they fit there
            args = [body]
        else:
            args = [f"{indent}{INDENT * 2}{arg}," for arg in self.args]
        head = [f"{indent}{self.outer}(", f"{indent}{INDENT}{self.inner}("]
        return [*head, *args, f"{indent}{INDENT})", f"{indent})"]


def layout(source: str) -> str:
    """Every over-long line of `source` laid out; each such line must be a whole statement
    (what the emitters write) or continue a bracket opened on the line before (then it was
    laid out already). For code with statements of several lines, `layout_module`."""
    if _LONG_LINE.search(source) is None and source.isascii():  # the common case, at C speed
        return source
    out: list[str] = []
    previous = ""
    for line in source.split("\n"):
        if text_width(line) > WIDTH and not previous.endswith(("(", "[", "{", ",")):
            out.extend(layout_line(line))
        else:
            out.append(line)
        previous = line.rstrip()
    return "\n".join(out)


def layout_module(source: str) -> str:
    """Every over-long line of `source` that is a whole statement on its own laid out; lines
    inside brackets or strings spanning several lines are left as they are."""
    import io
    import tokenize

    whole: set[int] = set()  # numbers of the lines holding exactly one logical line
    start: int | None = None  # where the logical line being read began
    skipped = (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NEWLINE:
            if start == token.start[0]:
                whole.add(start)
            start = None
        elif start is None and token.type not in skipped:
            start = token.start[0]
    out: list[str] = []
    for number, line in enumerate(source.split("\n"), start=1):
        if text_width(line) <= WIDTH:
            out.append(line)
        elif number in whole:
            out.extend(layout_line(line))
        elif line.rstrip().endswith(","):
            out.extend(_layout_element(line))
        else:
            out.append(line)
    return "\n".join(out)


def _layout_element(line: str) -> list[str]:
    """An over-long `item,` line inside brackets, laid out as an element of them."""
    stripped = line.lstrip(" ")
    try:
        tree = ast.parse(stripped[:-1], mode="eval")
    except SyntaxError:
        return [line]
    element = _Layout(stripped[:-1]).expr(tree.body)
    return render([line[: len(line) - len(stripped)], element, ","])


# ---- the printer --------------------------------------------------------------------------------


def render(doc: object, *, broken: bool = False) -> list[str]:
    """Lines of `doc` printed in WIDTH columns; the outermost groups break when `broken`."""
    out: list[str] = []
    current: list[str] = []
    column = 0
    base = 0
    if isinstance(doc, list) and doc and isinstance(doc[0], str) and not doc[0].strip():
        base = len(doc[0])
    widths: dict[int, int] = {}  # id of a Group or list -> its width printed flat
    # Stack of (indent, flat, doc), processed last in, first out.
    stack: list[tuple[int, bool, object]] = [(base, False, doc)]
    force = broken
    while stack:
        indent, flat, item = stack.pop()
        kind = type(item)
        if kind is str:
            current.append(item)  # type: ignore[arg-type]
            column += text_width(item)  # type: ignore[arg-type]
        elif kind is list:
            stack.extend((indent, flat, part) for part in reversed(item))  # type: ignore[call-overload]
        elif kind is Group:
            content = item.content  # type: ignore[attr-defined]
            if flat:
                stack.append((indent, True, content))
                continue
            fits = not force and _fits(content, stack, WIDTH - column, widths)
            force = False
            stack.append((indent, fits, content))
        elif kind is Nest:
            stack.append((indent + len(INDENT), flat, item.content))  # type: ignore[attr-defined]
        elif kind is Line:
            if flat:
                current.append(item.flat)  # type: ignore[attr-defined]
                column += text_width(item.flat)  # type: ignore[attr-defined]
            else:
                out.append("".join(current).rstrip(" "))
                current = [" " * indent]
                column = indent
        elif kind is IfBreak and not flat:
            current.append(item.text)  # type: ignore[attr-defined]
            column += text_width(item.text)  # type: ignore[attr-defined]
    out.append("".join(current))
    return out


def _flat_width(item: object, widths: dict[int, int]) -> int:
    kind = type(item)
    if kind is str:
        return text_width(item)  # type: ignore[arg-type]
    if kind is Line:
        return text_width(item.flat)  # type: ignore[attr-defined]
    if kind is IfBreak:
        return 0
    key = id(item)
    known = widths.get(key)
    if known is None:
        parts: list[object] = item if kind is list else item.content  # type: ignore[assignment,attr-defined]
        known = widths[key] = sum(_flat_width(part, widths) for part in parts)
    return known


def _fits(
    content: object, rest: list[tuple[int, bool, object]], width: int, widths: dict[int, int]
) -> bool:
    """Whether `content` printed flat, then the rest up to its first line break, fits."""
    width -= _flat_width(content, widths)
    pending: list[tuple[bool, object]] = []
    rest_index = len(rest)
    while width >= 0:
        if not pending:
            if rest_index == 0:
                return True
            rest_index -= 1
            _, flat, item = rest[rest_index]
            pending.append((flat, item))
            continue
        flat, item = pending.pop()
        if flat:
            width -= _flat_width(item, widths)
            continue
        kind = type(item)
        if kind is str:
            width -= len(item)  # type: ignore[arg-type]
        elif kind is list:
            pending.extend((False, part) for part in reversed(item))  # type: ignore[call-overload]
        elif kind is Group or kind is Nest:
            pending.append((False, item.content))  # type: ignore[attr-defined]
        elif kind is Line:
            return True
        elif kind is IfBreak:
            width -= len(item.text)  # type: ignore[attr-defined]
    return False
