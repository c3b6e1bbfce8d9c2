"""Diagnostics as data, and the lint-only checks that produce them.

A `Diagnostic` is what every part of `genspec validate`/`lint` agrees on: the validator's errors,
the JSON reader's complaints and the lint checks below all become one, and the renderers in
`genspec.render` only ever read them. The lint checks read the schema itself (its `default`,
`deprecated` and property names), so they follow the spec without a list of their own, except
for `FEATURE_SWITCHES`, which records what the documentation says in prose only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from genspec.jsonvalue import json_equal
from genspec.pointer import escape_token
from genspec.rules import ADVICE_KEYWORD, RULE_KEYWORD, Rule, Severity

if TYPE_CHECKING:
    from genspec.ir import Node, SchemaIR

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
    # The member whose name is the place to point at (an unknown member of the object at
    # instance_path), as a JSON Pointer; "" for a finding placed at its value. Not rendered.
    anchor: str = ""


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

# Lint-only findings that point at the member name (the key is the mistake), else at the value.
# The validator's own findings are placed from their Error alone (see from_validator_error).
KEY_ANCHORED = frozenset({"unknown-key", "duplicate-key", "deprecated-field"})

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
    import difflib  # only for a name that is not the spec's: most runs never get here

    folded = {re.sub(r"[_\-]", "", c).lower(): c for c in candidates}
    exact = folded.get(re.sub(r"[_\-]", "", name).lower())
    if exact is not None:
        return exact
    matches = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.7)
    return matches[0] if matches else None


class LintModel:
    """The lint checks' questions, answered from the schema's IR (`genspec.ir`), the one model
    of a schema: which members an object declares, their defaults, which are deprecated.

    A node's "branches" are the node and the subschemas that describe the same instance in
    place (allOf, anyOf, oneOf, $ref), so a member declared in any of them is known.
    """

    def __init__(self, schema: Any) -> None:
        from genspec.ir import lower

        self.ir = lower(schema, check=False)
        self.root = self.ir.root
        self.rule_name_sets = [names_mentioned(s) for s in rule_schemas(self.ir, schema)]
        self._suggestions: dict[str, str | None] = {}

    def suggest(self, name: str) -> str | None:
        """The root member `name` was probably meant to be (cached: bodies repeat mistakes)."""
        if name not in self._suggestions:
            names = self.property_names(self.root)
            self._suggestions[name] = closest_name(name, names) if names else None
        return self._suggestions[name]

    def branches(self, node: Node) -> list[Node]:
        from genspec.ir import AllOf, AnyOf, OneOf, Ref

        found: list[Node] = []
        seen: set[int] = set()
        stack = [node]
        while stack:
            current = stack.pop()
            if current.index in seen:
                continue
            seen.add(current.index)
            found.append(current)
            for keyword in reversed(current.keywords):
                if isinstance(keyword, AllOf | AnyOf | OneOf):
                    stack.extend(reversed(keyword.children))
                elif isinstance(keyword, Ref):
                    stack.append(keyword.target)
        return found

    def property_names(self, node: Node) -> set[str] | None:
        """Declared member names of an object schema; None when it declares none (open)."""
        from genspec.ir import Properties

        declared = [k for b in self.branches(node) if (k := b.find(Properties)) is not None]
        if not declared:
            return None
        return {name for keyword in declared for name in keyword.children}

    def matches_pattern(self, node: Node, name: str) -> bool:
        """Whether `patternProperties` admits `name` (the spec's way to allow extra members)."""
        from genspec.ir import PatternProperties

        for branch in self.branches(node):
            keyword = branch.find(PatternProperties)
            for pattern, _ in keyword.children if keyword else ():
                if re.search(pattern, name):  # the compiler checked every pattern compiles
                    return True
        return False

    def property_nodes(self, node: Node, name: str) -> list[Node]:
        from genspec.ir import Properties

        found: list[Node] = []
        for branch in self.branches(node):
            keyword = branch.find(Properties)
            if keyword is not None and name in keyword.children:
                found.extend(self.branches(keyword.children[name]))
        return found

    def item_nodes(self, node: Node) -> list[Node]:
        from genspec.ir import Items

        return [k.child for b in self.branches(node) if (k := b.find(Items)) is not None]

    def rule_covers(self, *names: str) -> bool:
        """Whether one of the schema's own x-rules already talks about all of `names`."""
        return any(set(names) <= mentioned for mentioned in self.rule_name_sets)


def annotations_of(nodes: list[Node]) -> list[dict[str, Any]]:
    """The raw subschemas of IR nodes, for annotations (default, deprecated, description)."""
    return [n.schema for n in nodes if isinstance(n.schema, dict)]


def rule_schemas(ir: SchemaIR, schema: Any) -> list[Any]:
    """Every subschema that declares an x-rule, the x-advice entries included."""
    found = [n.schema for n in ir.nodes if isinstance(n.schema, dict) and RULE_KEYWORD in n.schema]
    advice = schema.get(ADVICE_KEYWORD) if isinstance(schema, dict) else None
    return found + (list(advice) if isinstance(advice, list) else [])


def names_mentioned(schema: Any) -> set[str]:
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
            required = current.get("required")
            if isinstance(required, list):
                names.update(n for n in required if isinstance(n, str))
            stack.extend(v for k, v in current.items() if k not in ("enum", "const", "default"))
    return names


def unlocated(rule_id: str, severity: str, message: str, instance_path: str) -> Diagnostic:
    """A diagnostic before the file's positions are known (`check` fills in path and place)."""
    return Diagnostic("", 0, 0, rule_id, severity, message, instance_path)


def from_validator_error(error: ValidatorError, view: LintModel | None) -> Diagnostic:
    """One validator `Error` as a diagnostic, placed where every surface places it: at the value
    at `error.instance_path` (python-jsonschema's place), or, for an unknown member, at that
    member's name. An unknown member also gets a did-you-mean."""
    rule_id = error.rule_id or schema_rule_id(error.keyword)
    message, anchor = error.message, ""
    if error.keyword in ("additionalProperties", "unevaluatedProperties") and error.property:
        anchor = f"{error.instance_path}/{escape_token(error.property)}"
        suggestion = _suggest_for(view, error.instance_path, error.property) if view else None
        if suggestion:
            message = f"{message} (did you mean {suggestion!r}?)"
    return Diagnostic("", 0, 0, rule_id, error.severity, message, error.instance_path, anchor)


def _suggest_for(view: LintModel, object_path: str, name: str | None) -> str | None:
    if name is None or object_path:  # nested objects: their schema is not tracked here
        return None
    return view.suggest(name)


def lint_body(body: Any, view: LintModel, reported: set[str]) -> list[Diagnostic]:
    """The lint-only checks for one body; `reported` holds instance paths the validator
    already flagged as unexpected members (never reported twice)."""
    found = list(_walk_members(body, view.root, "", view, reported))
    if isinstance(body, dict):
        found.extend(_no_effect(body, view))
    return found


def _walk_members(
    value: Any, node: Node, pointer: str, view: LintModel, reported: set[str]
) -> Iterator[Diagnostic]:
    if isinstance(value, list):
        for item_node in view.item_nodes(node)[:1]:
            for index, item in enumerate(value):
                yield from _walk_members(item, item_node, f"{pointer}/{index}", view, reported)
        return
    if not isinstance(value, dict):
        return
    known = view.property_names(node)
    for name, member in value.items():
        member_pointer = f"{pointer}/{escape_token(name)}"
        if known is not None and name not in known:
            if member_pointer not in reported and not view.matches_pattern(node, name):
                yield _unknown_key(name, member_pointer, known)
            continue
        member_nodes = view.property_nodes(node, name)
        yield from _member_checks(name, member, member_pointer, annotations_of(member_nodes))
        for member_node in member_nodes[:1]:
            yield from _walk_members(member, member_node, member_pointer, view, reported)


def _unknown_key(name: str, pointer: str, known: set[str]) -> Diagnostic:
    suggestion = closest_name(name, known)
    hint = f": did you mean {suggestion!r}?" if suggestion else ": the spec does not define it"
    return unlocated("unknown-key", WARNING, f"unknown key {name!r}{hint}", pointer)


def _member_checks(
    name: str, value: Any, pointer: str, schemas: list[dict[str, Any]]
) -> Iterator[Diagnostic]:
    if any(s.get("deprecated") is True for s in schemas):
        yield unlocated("deprecated-field", WARNING, deprecation_message(name, schemas), pointer)
    defaults = [s["default"] for s in schemas if "default" in s]
    if value is not None and defaults and json_equal(value, defaults[0]):
        shown = json.dumps(value)[:60]
        message = f"{name!r} is {shown}, its default: omitting it gives the same request"
        yield unlocated("default-value", WARNING, message, pointer)


def deprecation_message(name: str, schemas: list[dict[str, Any]]) -> str:
    """Name the replacement when the description says "use X" with X a field of the spec."""
    description = " ".join(str(s.get("description", "")) for s in schemas)
    for candidate in re.findall(r"\buse\s+[`'\"]?([A-Za-z_][A-Za-z0-9_]*)", description):
        if candidate != name:
            return f"{name!r} is deprecated: use {candidate!r} instead"
    return f"{name!r} is deprecated"


def _switch_is_on(body: Mapping[str, Any], switch: str, view: LintModel) -> bool:
    value = body.get(switch)
    if value is None:  # omitted or null: the API reads the documented default
        schemas = annotations_of(view.property_nodes(view.root, switch))
        defaults = [s["default"] for s in schemas if "default" in s]
        value = defaults[0] if defaults else False
    return value is True


def _no_effect(body: Mapping[str, Any], view: LintModel) -> Iterator[Diagnostic]:
    known = view.property_names(view.root) or set()
    for name, switch in FEATURE_SWITCHES.items():
        if body.get(name) is None or switch not in known or view.rule_covers(name, switch):
            continue
        if not _switch_is_on(body, switch, view):
            message = (
                f'{name!r} has no effect while {switch!r} is off: send "{switch}": true or drop it'
            )
            yield unlocated("no-effect", WARNING, message, f"/{escape_token(name)}")
