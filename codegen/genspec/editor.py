"""What an editor asks about a request body, answered without any editor protocol: the findings
of a document (the lint engine of `genspec lint`, unchanged), what sits under the cursor, the
hover text for a member, the completions at a place. `genspec.server` only translates these to
LSP; positions here are code point offsets and the engine's 1-based line:col.

The cursor is located by a tolerant scan of the text, not by the JSON parser: a body being
typed is usually not valid JSON, and completion matters most exactly then.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from genspec.check import Engine, Selection
    from genspec.diagnostics import Diagnostic, LintModel


def is_jsonl(name: str) -> bool:
    return name.endswith(".jsonl")


def lint_document(text: str, name: str, engine: Engine, selection: Selection) -> list[Diagnostic]:
    """The findings `genspec lint` reports for a file holding `text` (same ids, severities,
    line:col); a body that does not parse yields an invalid-json finding, never an exception."""
    from genspec.check import check_bytes, check_stream

    data = text.encode("utf-8", "surrogatepass")
    if is_jsonl(name):
        result = check_stream(name, io.BytesIO(data), -1, engine, selection)
        return result.diagnostics
    found = check_bytes(name, data, engine, selection.wanted, lint=selection.lint)
    return sorted(found, key=lambda d: (d.line, d.col, d.rule_id))


# --- the cursor ---------------------------------------------------------------------------------

_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\\n]|\\.)*"?)|(?P<punct>[{}\[\]:,])|(?P<word>[^\s{}\[\]:,"]+)|(?P<space>\s+)'
)


@dataclass
class _Frame:
    path: list[str]
    is_object: bool
    state: str = "key"  # objects: key | colon | value | after; arrays: value | after
    key: str | None = None
    index: int = 0
    keys: set[str] = field(default_factory=set)

    def child_path(self) -> list[str]:
        return [*self.path, self.key or ""] if self.is_object else [*self.path, str(self.index)]


@dataclass(frozen=True)
class Cursor:
    """Where the cursor is: in the object at `path`, on a member name (`in_key`) or in the value
    of member `key`; `token` is the (start, end) of the word or string under it, if any."""

    path: list[str]
    in_key: bool
    key: str | None
    token: tuple[int, int] | None
    token_text: str
    siblings: frozenset[str]
    in_object: bool


def cursor_at(text: str, offset: int) -> Cursor | None:
    """The context at `offset` (code points), for any text, valid JSON or half typed."""
    stack: list[_Frame] = []
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        kind = match.lastgroup
        touches = start < offset <= end or (start == offset and kind in ("string", "word"))
        if kind != "space" and touches and kind != "punct":
            return _context(stack, (start, end), match.group())
        if start >= offset:
            break
        if kind == "space":
            continue
        _consume(stack, kind or "", match.group())
    return _context(stack, None, "")


def _consume(stack: list[_Frame], kind: str, value: str) -> None:
    top = stack[-1] if stack else None
    if kind == "punct":
        if value in "{[":
            path = top.child_path() if top is not None else []
            stack.append(_Frame(path, value == "{", "key" if value == "{" else "value"))
        elif value in "}]":
            if stack:
                stack.pop()
            if stack:
                stack[-1].state = "after"
        elif value == ":" and top is not None and top.is_object:
            top.state = "value"
        elif value == "," and top is not None:
            top.state = "key" if top.is_object else "value"
            top.index += 0 if top.is_object else 1
        return
    if top is None:
        return
    if top.is_object and top.state == "key" and kind == "string":
        top.key = _string_value(value)
        top.keys.add(top.key)
        top.state = "colon"
    elif top.state == "value":
        top.state = "after"


def _string_value(literal: str) -> str:
    try:
        value = json.loads(literal if literal.endswith('"') and len(literal) > 1 else literal + '"')
    except ValueError:
        return literal.strip('"')
    return value if isinstance(value, str) else literal.strip('"')


def _context(stack: list[_Frame], token: tuple[int, int] | None, token_text: str) -> Cursor | None:
    if not stack:
        return None
    top = stack[-1]
    if top.is_object:
        in_key = top.state in ("key", "colon") if token is not None else top.state == "key"
        key = top.key if not in_key else (_string_value(token_text) if token_text else None)
        return Cursor(top.path, in_key, key, token, token_text, frozenset(top.keys), in_object=True)
    return Cursor(top.path, False, None, token, token_text, frozenset(), in_object=False)


# --- what the schema says -----------------------------------------------------------------------

_BOUNDS = (
    ("minimum", ">="),
    ("exclusiveMinimum", ">"),
    ("maximum", "<="),
    ("exclusiveMaximum", "<"),
    ("minLength", "length >="),
    ("maxLength", "length <="),
    ("minItems", "items >="),
    ("maxItems", "items <="),
    ("multipleOf", "a multiple of"),
)


def member_schemas(model: LintModel, path: list[str], name: str) -> list[dict[str, Any]]:
    """The raw subschemas describing member `name` of the object at `path`."""
    from genspec.fixes import schema_node

    node = schema_node(model, path)
    if node is None:
        return []
    return [n.schema for n in model.property_nodes(node, name) if isinstance(n.schema, dict)]


def _first(schemas: list[dict[str, Any]], keyword: str) -> Any:
    return next((s[keyword] for s in schemas if keyword in s), None)


def enum_values(schemas: list[dict[str, Any]]) -> list[Any]:
    values: list[Any] = []
    for schema in schemas:
        for value in schema.get("enum", []) if isinstance(schema.get("enum"), list) else []:
            if value not in values:
                values.append(value)
        if "const" in schema and schema["const"] not in values:
            values.append(schema["const"])
    types = _first(schemas, "type")
    if not values and (types == "boolean" or (isinstance(types, list) and "boolean" in types)):
        values = [True, False]
    return values


def type_text(schemas: list[dict[str, Any]]) -> str:
    types = _first(schemas, "type")
    if isinstance(types, list):
        return " | ".join(str(t) for t in types)
    return str(types) if types is not None else "any"


def rules_reading(model: LintModel, name: str) -> list[dict[str, Any]]:
    """The x-rule annotations whose subschema talks about member `name`."""
    from genspec.diagnostics import names_mentioned, rule_schemas

    rules = []
    for schema in rule_schemas(model.ir, model.ir.root.schema):
        rule = schema.get("x-rule") if isinstance(schema, dict) else None
        if isinstance(rule, dict) and name in names_mentioned(schema):
            rules.append(rule)
    return rules


def hover_markdown(
    model: LintModel, path: list[str], name: str, rules_base: str | None = None
) -> str | None:
    """Markdown for member `name` of the object at `path`: description, type, default, range,
    allowed values, deprecation, and the rules that read it with their evidence (each linked
    to its entry of the rules reference at `rules_base`, when given)."""
    schemas = member_schemas(model, path, name)
    if not schemas:
        return None
    parts = [f"**{name}**: `{type_text(schemas)}`"]
    description = _first(schemas, "description")
    if description:
        parts.append(str(description))
    facts = []
    if any(s.get("deprecated") is True for s in schemas):
        facts.append("**deprecated**")
    default = _first(schemas, "default")
    if default is not None or any("default" in s for s in schemas):
        facts.append(f"default: `{json.dumps(default)}`")
    bounds = [f"{sign} {s[k]}" for k, sign in _BOUNDS for s in schemas if k in s]
    if bounds:
        facts.append("range: " + ", ".join(bounds))
    values = enum_values(schemas)
    if values and "enum" in "".join(json.dumps(s) for s in schemas):
        facts.append("one of: " + ", ".join(f"`{json.dumps(v)}`" for v in values))
    if facts:
        parts.append(" · ".join(facts))
    rules = rules_reading(model, name) if not path else []
    if rules:
        lines = ["Rules:"]
        for rule in rules:
            evidence = rule.get("evidence")
            tag = f"{rule.get('severity', 'error')}" + (f", {evidence}" if evidence else "")
            label = f"`{rule.get('id')}`"
            if rules_base is not None:
                from genspec.render import rules_url

                label = f"[{label}]({rules_url(str(rule.get('id')), rules_base)})"
            lines.append(f"- {label} ({tag}): {rule.get('message', '')}")
            if rule.get("source"):
                lines.append(f"  > {rule['source']}")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


@dataclass(frozen=True)
class Completion:
    label: str
    insert: str
    detail: str
    documentation: str
    is_key: bool


def completions(model: LintModel, cursor: Cursor) -> list[Completion]:
    """Member names of the object at the cursor (those not there yet), or the allowed values of
    the member whose value is being typed."""
    from genspec.fixes import schema_node

    if not cursor.in_object:
        return []
    if cursor.in_key:
        node = schema_node(model, cursor.path)
        names = model.property_names(node) if node is not None else None
        found = []
        for name in sorted(names or ()):
            if name in cursor.siblings and name != cursor.key:
                continue
            schemas = member_schemas(model, cursor.path, name)
            documentation = str(_first(schemas, "description") or "")
            insert = json.dumps(name) if cursor.token else f"{json.dumps(name)}: "
            found.append(Completion(name, insert, type_text(schemas), documentation, True))
        return found
    if cursor.key is None:
        return []
    schemas = member_schemas(model, cursor.path, cursor.key)
    return [
        Completion(json.dumps(v), json.dumps(v), type_text(schemas), "", False)
        for v in enum_values(schemas)
    ]
