"""Python boolean expressions as small typed values, rendered with only the parentheses needed.

Emitters build conditions from these instead of pasting strings, so negation is structural
(`x < 3` negates to `x >= 3`, `not f(x)` to `f(x)`) and `and`/`or` nest with correct precedence.
Leaves are `Atom`s: Python source the generator made (a name, a call, a literal from
`py_literal`), never schema text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from genspec.literals import py_literal

# Binding strength, weakest first (Python's grammar).
CONDITIONAL, OR, AND, NOT, COMPARE, ATOM = range(6)

INVERSE = {
    "is": "is not",
    "is not": "is",
    "in": "not in",
    "not in": "in",
    "==": "!=",
    "!=": "==",
    "<": ">=",
    "<=": ">",
    ">": "<=",
    ">=": "<",
}


class Expr:
    precedence: ClassVar[int]

    def render(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.render()

    def within(self, precedence: int) -> str:
        """This expression as an operand of something binding `precedence` tightly."""
        text = self.render()
        return f"({text})" if self.precedence < precedence else text

    def negate(self) -> Expr:
        return Not(self)


@dataclass(frozen=True)
class Atom(Expr):
    """A name, call, subscript or literal (binds tightest)."""

    text: str
    precedence: ClassVar[int] = ATOM

    def render(self) -> str:
        return self.text

    def negate(self) -> Expr:
        if self.text in ("True", "False"):
            return FALSE if self.text == "True" else TRUE
        return Not(self)


TRUE = Atom("True")
FALSE = Atom("False")


@dataclass(frozen=True)
class Compare(Expr):
    left: Expr
    op: str
    right: Expr
    precedence: ClassVar[int] = COMPARE

    def render(self) -> str:
        # Comparisons chain in Python, so an operand that is itself a comparison is wrapped.
        return f"{self.left.within(COMPARE + 1)} {self.op} {self.right.within(COMPARE + 1)}"

    def negate(self) -> Expr:
        return Compare(self.left, INVERSE[self.op], self.right)


@dataclass(frozen=True)
class Not(Expr):
    operand: Expr
    precedence: ClassVar[int] = NOT

    def render(self) -> str:
        return f"not {self.operand.within(NOT)}"

    def negate(self) -> Expr:
        return self.operand


@dataclass(frozen=True)
class BoolOp(Expr):
    operator: str  # "and" or "or"
    parts: tuple[Expr, ...]

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return AND if self.operator == "and" else OR

    def render(self) -> str:
        # `a and b` inside `or` is parenthesized although Python would not need it: readers
        # (and ruff's RUF021) want the precedence visible.
        inner = self.precedence if self.operator == "and" else AND + 1
        return f" {self.operator} ".join(part.within(inner) for part in self.parts)


@dataclass(frozen=True)
class IfElse(Expr):
    """`body if test else orelse`."""

    body: Expr
    test: Expr
    orelse: Expr
    precedence: ClassVar[int] = CONDITIONAL

    def render(self) -> str:
        return (
            f"{self.body.within(OR)} if {self.test.within(OR)} else "
            f"{self.orelse.within(CONDITIONAL)}"
        )


def _joined(operator: str, parts: Iterable[Expr], unit: Atom, zero: Atom) -> Expr:
    flat: list[Expr] = []
    for part in parts:
        if part == unit:
            continue
        if part == zero:
            return zero
        if isinstance(part, BoolOp) and part.operator == operator:
            flat.extend(part.parts)
        else:
            flat.append(part)
    if not flat:
        return unit
    return flat[0] if len(flat) == 1 else BoolOp(operator, tuple(flat))


def all_of(parts: Iterable[Expr]) -> Expr:
    """`a and b and ...`; True when empty, False as soon as one part is False."""
    return _joined("and", parts, TRUE, FALSE)


def any_of(parts: Iterable[Expr]) -> Expr:
    """`a or b or ...`; False when empty, True as soon as one part is True."""
    return _joined("or", parts, FALSE, TRUE)


def name(text: str) -> Atom:
    return Atom(text)


def lit(value: Any) -> Atom:
    return Atom(py_literal(value))


def call(function: str, *args: Expr | str) -> Atom:
    return Atom(f"{function}({', '.join(str(arg) for arg in args)})")


def compare(left: Expr | str, op: str, right: Expr | str) -> Compare:
    return Compare(_atom(left), op, _atom(right))


def _atom(value: Expr | str) -> Expr:
    return value if isinstance(value, Expr) else Atom(value)
