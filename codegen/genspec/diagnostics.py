"""Diagnostics as data, and the lint-only checks that produce them.

A `Diagnostic` is what every part of `genspec validate`/`lint` agrees on: the validator's errors,
the JSON reader's complaints and the lint checks below all become one, and the renderers in
`genspec.render` only ever read them. The lint checks read the schema itself (its `default`,
`deprecated` and property names), so they follow the spec without a list of their own, except
for `FEATURE_SWITCHES`, which records what the documentation says in prose only.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from genspec.jsonvalue import json_equal
from genspec.pointer import escape_token
from genspec.refs import RefError, SchemaIndex
from genspec.rules import ADVICE_KEYWORD, RULE_KEYWORD, Rule, Severity

ERROR = Severity.ERROR
WARNING = Severity.WARNING


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding in one request body, located for a human and for machines."""

    path: str  # the file as the user named it ("<stdin>" or --stdin-filename for standard input)
    line: int  # 1-based; 0 when the file could not be read at all
    col: int  # 1-based character column; 0 with line 0
    rule_id: str  # a spec rule id, `schema-<keyword>`, or one of LINT_RULES
    severity: str  # ERROR or WARNING
    message: str
    instance_path: str = ""  # JSON Pointer inside the body ("" = the whole body)


# Checks genspec makes itself, beside the spec's own rules. Ids are stable: users put them in
# --select/--ignore and pyproject.toml.
LINT_RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule("io-error", ERROR, "The path could not be read (missing, unreadable, no match)."),
        Rule("file-too-large", ERROR, "The file is too large to be a request body."),
        Rule("invalid-encoding", ERROR, "The file is not UTF-8 text (binary, UTF-16, bad bytes)."),
        Rule(
            "invalid-json", ERROR, "The body is not strict JSON (syntax, NaN, huge numbers, depth)."
        ),
        Rule("internal-error", ERROR, "The validator failed on this body: a genspec bug."),
        Rule("utf8-bom", WARNING, "The file starts with a byte order mark, which JSON forbids."),
        Rule(
            "duplicate-key", WARNING, "A member name repeats in one object; the API keeps the last."
        ),
        Rule("unknown-key", WARNING, "A member the spec does not define (the API rejects those)."),
        Rule("deprecated-field", WARNING, "A deprecated field; the message names its replacement."),
        Rule("no-effect", WARNING, "A field that does nothing because its feature is off."),
        Rule(
            "default-value",
            WARNING,
            "A value equal to the field's default: sending it changes nothing.",
        ),
    )
}

# Where a diagnostic points: at the member name (the key is the mistake), else at the value.
KEY_ANCHORED = frozenset(
    {
        "unknown-key",
        "duplicate-key",
        "deprecated-field",
        "schema-additional-properties",
        "schema-unevaluated-properties",
    }
)

# A field that only matters while another, boolean field is on, as the documentation says in
# prose ("for use when promptMagic is true", "used with Alchemy"). Read with the switch's schema
# default, so `contrastRatio` is fine when `alchemy` (default true) is omitted.
FEATURE_SWITCHES: dict[str, str] = {
    "promptMagicStrength": "promptMagic",
    "promptMagicVersion": "promptMagic",
    "highContrast": "promptMagic",
    "enhancePromptInstruction": "enhancePrompt",
    "photoRealStrength": "photoReal",
    "photoRealVersion": "photoReal",
    "contrastRatio": "alchemy",
    "expandedDomain": "alchemy",
    "unzoomAmount": "unzoom",
    "canvasRequestType": "canvasRequest",
    "canvasInitId": "canvasRequest",
    "canvasMaskId": "canvasRequest",
}

_PROPERTY_KEYWORDS = frozenset(
    {"required", "additionalProperties", "unevaluatedProperties", "dependentRequired"}
)


class ValidatorError(Protocol):
    """The shape of `leonardo_generations.validate_request.Error` that we read."""

    @property
    def instance_path(self) -> str: ...
    @property
    def keyword(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def rule_id(self) -> str | None: ...
    @property
    def severity(self) -> str: ...
    @property
    def property(self) -> str | None: ...


def schema_rule_id(keyword: str) -> str:
    """The stable id of a plain schema error: `maxLength` -> `schema-max-length`."""
    return "schema-" + re.sub(r"(?<!^)(?=[A-Z])", "-", keyword).lower()


def closest_name(name: str, candidates: set[str]) -> str | None:
    """The spec's name `name` was probably meant to be: same letters ignoring case and `_`, else
    the nearest by difflib."""
    folded = {re.sub(r"[_\-]", "", c).lower(): c for c in candidates}
    exact = folded.get(re.sub(r"[_\-]", "", name).lower())
    if exact is not None:
        return exact
    matches = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.7)
    return matches[0] if matches else None


class SchemaView:
    """Read-only questions about a schema: which properties an object has, their defaults..."""

    def __init__(self, schema: Any) -> None:
        self.root = schema if isinstance(schema, dict) else {}
        try:
            self.index: SchemaIndex | None = SchemaIndex(self.root)
        except RefError:  # an $id or $anchor given twice: references are left unfollowed
            self.index = None
        entries = list(self._rule_entries())
        self.rule_name_sets = [self._names_mentioned(entry) for entry in entries]
        # rule id -> the members its `if` names: what makes the rule apply to a body
        self.rule_triggers = {
            entry[RULE_KEYWORD].get("id"): self._names_mentioned(entry.get("if", {}))
            for entry in entries
        }

    def resolve(self, schema: Any) -> dict[str, Any]:
        """Follow `$ref`s; one that names nothing is treated as saying nothing."""
        if self.index is not None:
            schema = self.index.follow(schema)
        if isinstance(schema, dict) and "$ref" in schema and len(schema) == 1:
            return {}
        return schema if isinstance(schema, dict) else {}

    def branches(self, schema: Any) -> list[dict[str, Any]]:
        """The schema and the in-place alternatives that describe the same instance."""
        resolved = self.resolve(schema)
        found = [resolved]
        for keyword in ("anyOf", "oneOf", "allOf"):
            alternatives = resolved.get(keyword)
            if isinstance(alternatives, list):
                found.extend(self.resolve(branch) for branch in alternatives)
        return found

    def property_names(self, schema: Any) -> set[str] | None:
        """Declared member names of an object schema; None when it declares none (open)."""
        names: set[str] = set()
        declared = False
        for branch in self.branches(schema):
            if isinstance(branch.get("properties"), dict):
                declared = True
                names.update(branch["properties"])
        return names if declared else None

    def matches_pattern(self, schema: Any, name: str) -> bool:
        """Whether `patternProperties` admits `name` (the spec's way to allow extra members)."""
        for branch in self.branches(schema):
            for pattern in branch.get("patternProperties") or {}:
                try:
                    if re.search(pattern, name):
                        return True
                except re.error:  # an ECMA-only pattern: treat as admitting, never as a typo
                    return True
        return False

    def property_schemas(self, schema: Any, name: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for branch in self.branches(schema):
            properties = branch.get("properties")
            if isinstance(properties, dict) and name in properties:
                found.extend(self.branches(properties[name]))
        return found

    def item_schemas(self, schema: Any) -> list[Any]:
        return [b["items"] for b in self.branches(schema) if isinstance(b.get("items"), dict)]

    def _rule_entries(self) -> Iterator[dict[str, Any]]:
        for entry in [*self.root.get("allOf", []), *self.root.get(ADVICE_KEYWORD, [])]:
            if isinstance(entry, dict) and isinstance(entry.get(RULE_KEYWORD), dict):
                yield entry

    def _names_mentioned(self, schema: Any) -> set[str]:
        """Every member name a subschema talks about (properties, required, dependent*)."""
        names: set[str] = set()
        stack = [schema]
        while stack:
            current = stack.pop()
            if isinstance(current, list):
                stack.extend(current)
            elif isinstance(current, dict):
                for keyword in ("properties", "dependentRequired", "dependentSchemas"):
                    if isinstance(current.get(keyword), dict):
                        names.update(current[keyword])
                names.update(n for n in current.get("required", []) if isinstance(n, str))
                stack.extend(v for k, v in current.items() if k not in ("enum", "const"))
        return names

    def rule_covers(self, *names: str) -> bool:
        """Whether one of the spec's own x-rules already talks about all of `names`."""
        return any(set(names) <= mentioned for mentioned in self.rule_name_sets)


def unlocated(rule_id: str, severity: str, message: str, instance_path: str) -> Diagnostic:
    """A diagnostic before the file's positions are known (`check` fills in path and place)."""
    return Diagnostic("", 0, 0, rule_id, severity, message, instance_path)


def from_validator_error(
    error: ValidatorError, view: SchemaView | None, body: Any = None
) -> Diagnostic:
    """One validator `Error` as a diagnostic; an unexpected member gets a did-you-mean, and a
    rule broken by a missing member points at the member that made the rule apply."""
    rule_id = error.rule_id or schema_rule_id(error.keyword)
    path, message = error.instance_path, error.message
    if error.keyword in ("additionalProperties", "unevaluatedProperties") and error.property:
        path = f"{path}/{escape_token(error.property)}"
        suggestion = _suggest_for(view, error.instance_path, error.property) if view else None
        if suggestion:
            message = f"{message} (did you mean {suggestion!r}?)"
    elif error.rule_id and error.keyword in ("required", "dependentRequired") and view:
        path = _trigger_member(view, error.rule_id, path, body) or path
    return unlocated(rule_id, error.severity, message, path)


def _trigger_member(view: SchemaView, rule_id: str, object_path: str, body: Any) -> str | None:
    """The first member of the body, at the top level, that the rule's `if` names."""
    triggers = view.rule_triggers.get(rule_id, set())
    if object_path or not isinstance(body, dict):
        return None
    for name in body:
        if name in triggers and body[name] is not None:
            return f"/{escape_token(name)}"
    return None


def _suggest_for(view: SchemaView, object_path: str, name: str | None) -> str | None:
    if name is None or object_path:  # nested objects: their schema is not tracked here
        return None
    names = view.property_names(view.root)
    return closest_name(name, names) if names else None


def lint_body(body: Any, view: SchemaView, reported: set[str]) -> list[Diagnostic]:
    """The lint-only checks for one body; `reported` holds instance paths the validator
    already flagged as unexpected members (never reported twice)."""
    found = list(_walk_members(body, view.root, "", view, reported))
    if isinstance(body, dict):
        found.extend(_no_effect(body, view))
    return found


def _walk_members(
    value: Any, schema: Any, pointer: str, view: SchemaView, reported: set[str]
) -> Iterator[Diagnostic]:
    if isinstance(value, list):
        for item_schema in view.item_schemas(schema)[:1]:
            for index, item in enumerate(value):
                yield from _walk_members(item, item_schema, f"{pointer}/{index}", view, reported)
        return
    if not isinstance(value, dict):
        return
    known = view.property_names(schema)
    for name, member in value.items():
        member_pointer = f"{pointer}/{escape_token(name)}"
        if known is not None and name not in known:
            if member_pointer not in reported and not view.matches_pattern(schema, name):
                yield _unknown_key(name, member_pointer, known)
            continue
        member_schemas = view.property_schemas(schema, name)
        yield from _member_checks(name, member, member_pointer, member_schemas, view)
        for member_schema in member_schemas[:1]:
            yield from _walk_members(member, member_schema, member_pointer, view, reported)


def _unknown_key(name: str, pointer: str, known: set[str]) -> Diagnostic:
    suggestion = closest_name(name, known)
    hint = f": did you mean {suggestion!r}?" if suggestion else ": the spec does not define it"
    return unlocated("unknown-key", WARNING, f"unknown key {name!r}{hint}", pointer)


def _member_checks(
    name: str, value: Any, pointer: str, schemas: list[dict[str, Any]], view: SchemaView
) -> Iterator[Diagnostic]:
    if any(s.get("deprecated") is True for s in schemas):
        yield unlocated("deprecated-field", WARNING, _deprecation_message(name, schemas), pointer)
    defaults = [s["default"] for s in schemas if "default" in s]
    if value is not None and defaults and json_equal(value, defaults[0]):
        shown = json.dumps(value)[:60]
        message = f"{name!r} is {shown}, its default: omitting it gives the same request"
        yield unlocated("default-value", WARNING, message, pointer)


def _deprecation_message(name: str, schemas: list[dict[str, Any]]) -> str:
    """Name the replacement when the description says "use X" with X a field of the spec."""
    description = " ".join(str(s.get("description", "")) for s in schemas)
    for candidate in re.findall(r"\buse\s+[`'\"]?([A-Za-z_][A-Za-z0-9_]*)", description):
        if candidate != name:
            return f"{name!r} is deprecated: use {candidate!r} instead"
    return f"{name!r} is deprecated"


def _switch_is_on(body: Mapping[str, Any], switch: str, view: SchemaView) -> bool:
    value = body.get(switch)
    if value is None:  # omitted or null: the API reads the documented default
        defaults = [
            s["default"] for s in view.property_schemas(view.root, switch) if "default" in s
        ]
        value = defaults[0] if defaults else False
    return value is True


def _no_effect(body: Mapping[str, Any], view: SchemaView) -> Iterator[Diagnostic]:
    known = view.property_names(view.root) or set()
    for name, switch in FEATURE_SWITCHES.items():
        if body.get(name) is None or switch not in known or view.rule_covers(name, switch):
            continue
        if not _switch_is_on(body, switch, view):
            message = (
                f'{name!r} has no effect while {switch!r} is off: send "{switch}": true or drop it'
            )
            yield unlocated("no-effect", WARNING, message, f"/{escape_token(name)}")
