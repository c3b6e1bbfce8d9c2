"""The one way a schema value becomes Python source text.

Every string, number, name or pattern that comes from a schema reaches generated code only
through `py_literal`, so a hostile schema (quotes, triple quotes, backslashes, newlines, U+2028,
NULs, Python keywords) can only ever produce a literal, never code. Comments quoting schema
text use it too: `repr` escapes every line break Python's tokenizer knows.
"""

from __future__ import annotations

import json
import keyword
import math
import re
from typing import Any


def py_literal(value: Any) -> str:
    """Python source evaluating to `value`: JSON data (None, bool, int, float, str, list, dict),
    or a tuple or frozenset of such; strings quoted as the project's formatter quotes them."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, int):
        return repr(int(value))
    if isinstance(value, float):
        if math.isnan(value):
            return 'float("nan")'
        if math.isinf(value):
            return 'float("inf")' if value > 0 else '-float("inf")'
        return repr(float(value))
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, frozenset):  # of numbers or strings; sorted so output is stable
        ordered = sorted(value, key=lambda item: (type(item).__name__, item))
        return "frozenset({" + ", ".join(py_literal(item) for item in ordered) + "})"
    if isinstance(value, tuple):
        members = [py_literal(item) for item in value]
        return "(" + ", ".join(members) + ("," if len(members) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_string(str(k))}: {py_literal(v)}" for k, v in value.items())
        return "{" + items + "}"
    raise TypeError(f"not JSON data: {type(value).__name__}")


def _string(value: str) -> str:
    """A string literal in the formatter's style: double quotes, unless the text holds more
    double than single quotes (then single, as ruff chooses)."""
    text = str(value)
    quote = "'" if text.count('"') > text.count("'") else '"'
    return quote + _escape_text(text, quote) + quote


def py_comment(text: str) -> str:
    """A one-line comment quoting `text` (escaped, so it can never end the comment early)."""
    return ("# " + _repr_text(text)).rstrip()  # trailing blanks would not survive a formatter


def _repr_text(text: str) -> str:
    # repr leaves printable non-ASCII as is; these two are line breaks to JavaScript and to
    # some editors, and NEL/form feed are escaped by repr already.
    return repr(str(text))[1:-1].replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def py_identifier(name: str) -> str:
    """`name` if it is a usable Python identifier (we make these; this is the guard)."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{name!r} is not a Python identifier")
    return name


class Expression(str):
    """Python source of an expression the generator made (never schema text), for py_fstring."""


def _escape_text(text: str, quote: str = '"') -> str:
    """`text` escaped for the inside of a `quote`-quoted literal (what repr escapes, and more)."""
    plain = "\\" not in text and quote not in text and "\u2028" not in text
    if plain and "\u2029" not in text and text.isprintable():
        return text
    out = []
    for char in text:
        if char in ("\\", quote):
            out.append("\\" + char)
        elif char.isprintable() and char not in "\u2028\u2029":
            out.append(char)
        else:
            out.append(repr(char)[1:-1])  # \n, \x00, \x85, \u2028 ...
    return "".join(out)


def py_fstring(*parts: str) -> str:
    """A string expression joining text (any schema text, escaped) and `Expression`s we made.

    With no expression it is a plain literal; otherwise an f-string whose text has its braces
    doubled, so nothing from a schema can open a replacement field.
    """
    text = "".join(part for part in parts if not isinstance(part, Expression))
    quote = "'" if text.count('"') > text.count("'") else '"'  # as `_string` chooses
    if not any(isinstance(part, Expression) for part in parts):
        return quote + _escape_text(text, quote) + quote
    body = []
    for part in parts:
        if isinstance(part, Expression):
            if any(c in part for c in '"\\{}\n'):
                raise ValueError(f"{part!r} cannot go inside an f-string")
            body.append("{" + part + "}")
        else:
            body.append(_escape_text(part, quote).replace("{", "{{").replace("}", "}}"))
    return "f" + quote + "".join(body) + quote


# ---- JavaScript ---------------------------------------------------------------------------------
_JS_RESERVED = frozenset(
    {
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "import",
        "in",
        "instanceof",
        "new",
        "null",
        "return",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
        "let",
        "static",
        "implements",
        "interface",
        "package",
        "private",
        "protected",
        "public",
        "await",
        "arguments",
        "eval",
        "undefined",
        "NaN",
        "Infinity",
    }
)


def js_literal(value: Any) -> str:
    """JavaScript source evaluating to the JSON value `value` (JSON, with U+2028/U+2029 escaped:
    they end a line in older JavaScript and in editors, so a schema string could never close
    a comment or a string there)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def js_comment(text: str) -> str:
    """A one-line `//` comment quoting `text`; every line terminator in it is escaped."""
    return "// " + js_literal(str(text))[1:-1]


def js_identifier(name: str) -> str:
    """`name` if it is a plain JavaScript identifier (we make these; this is the guard)."""
    if not re.fullmatch(r"[A-Za-z_$][A-Za-z0-9_$]*", name) or name in _JS_RESERVED:
        raise ValueError(f"{name!r} is not a JavaScript identifier")
    return name
