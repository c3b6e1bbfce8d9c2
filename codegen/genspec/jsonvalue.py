"""JSON values as JSON Schema sees them: their kind, and equality.

Python's `bool` is an `int` and `1 == 1.0`; JSON Schema says `true` is not `1` while `1` and
`1.0` are the same number. Every compile-time comparison of schema values asks this module
(the generated modules carry their own small runtime twin, since they import nothing of ours).
"""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal["null", "boolean", "number", "string", "array", "object"]
KINDS: tuple[Kind, ...] = ("null", "boolean", "number", "string", "array", "object")


def is_number(value: Any) -> bool:
    """A JSON number: int or float, never bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def kind_of(value: Any) -> Kind:
    """The JSON kind of a Python value decoded from JSON (integers are numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not JSON data: {type(value).__name__}")


TYPE_KINDS: dict[str, Kind] = {"integer": "number", **{kind: kind for kind in KINDS}}
"""The kind each `type` name admits: "integer" is a kind of number."""


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON means it: 1 == 1.0, true is not 1, "1" is not 1, containers deeply."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and bool(left == right)
