"""JSON Pointer (RFC 6901): the one place that escapes, joins, splits and follows pointers.

Schema paths, instance paths and `$ref` fragments are all JSON Pointers; every module that
builds or reads one goes through here, so `~0`/`~1` are handled the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def escape_token(token: str) -> str:
    """One reference token as it appears in a pointer: `~` -> `~0`, then `/` -> `~1`."""
    return token.replace("~", "~0").replace("/", "~1")


def unescape_token(token: str) -> str:
    """The member name or index a reference token stands for (`~1` first, then `~0`)."""
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *tokens: str | int) -> str:
    """`pointer` extended by `tokens` (names or array indices), each escaped."""
    for token in tokens:
        text = str(token)
        pointer += "/" + (escape_token(text) if "~" in text or "/" in text else text)
    return pointer


def from_parts(parts: Iterable[str | int]) -> str:
    """The pointer of a path given as parts, e.g. python-jsonschema's `absolute_path`."""
    return join("", *parts)


def split(pointer: str) -> list[str]:
    """The unescaped reference tokens of `pointer` ("" is the whole document: no tokens)."""
    if not pointer:
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON Pointer starts with '/': {pointer!r}")
    return [unescape_token(token) for token in pointer[1:].split("/")]


def resolve(document: Any, pointer: str) -> Any:
    """The value `pointer` names in `document`; LookupError when there is none."""
    value = document
    for token in split(pointer):
        if isinstance(value, dict):
            if token not in value:
                raise LookupError(f"no member {token!r} at {pointer!r}")
            value = value[token]
        elif isinstance(value, list):
            if not (token.isascii() and token.isdigit()) or (token != "0" and token[0] == "0"):
                raise LookupError(f"{token!r} is not an array index at {pointer!r}")
            if int(token) >= len(value):
                raise LookupError(f"index {token} out of range at {pointer!r}")
            value = value[int(token)]
        else:
            raise LookupError(f"nothing inside a {type(value).__name__} at {pointer!r}")
    return value
