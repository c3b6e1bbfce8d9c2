"""`genspec drift OPENAPI.json|yaml`: what differs between the spec and Leonardo's OpenAPI document.

The request body and the 200 response of `POST /generations` are walked side by side, member by
member (through `$ref`, `items` and nested objects). A difference is a diagnostic in the
OpenAPI file, with the JSON Pointer of the OpenAPI node and the spec location in the message,
rendered by the same renderers as `genspec lint`. Compared:

- members: a property on one side only (the spec's exact-name `patternProperties` count as
  members the spec accepts; one absent from the OpenAPI document is a deliberate extra, not drift);
- type (null aside), nullability, enum values (null aside), default, required members;
- ranges: every bound the OpenAPI document states (minimum, maximum, lengths, multipleOf...)
  must be the spec's. A bound only the spec has is not drift: Leonardo writes most in prose.

Where the spec knowingly departs from the document (a stricter type, a required member the
document leaves optional), the subschema records what the document says in an
`x-openapi-<keyword>` annotation (`"x-openapi-type": "number"`, `"x-openapi-nullable": false`,
`"x-openapi-enum": [...]`, `"x-openapi-required": []`, ...); drift compares that
instead, so it stays quiet until the document changes. `"x-openapi-absent": true` marks a member
the document does not list (the spec accepts it on other evidence).

Exit codes: 0 no drift, 1 drift, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from genspec.diagnostics import Diagnostic
    from genspec.rules import Rule

EXIT_SAME, EXIT_DRIFT, EXIT_USAGE = 0, 1, 2
OVERRIDE = "x-openapi-"
BOUNDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
)
_MISSING = object()

RULES: dict[str, str] = {
    "drift-member-added": "A member the OpenAPI document has and the spec lacks.",
    "drift-member-removed": "A member the spec has and the OpenAPI document no longer lists.",
    "drift-type": "The member's type differs (null aside).",
    "drift-nullable": "One side accepts null for the member, the other does not.",
    "drift-enum": "Enum values added to or removed from the OpenAPI document.",
    "drift-default": "The member's default differs.",
    "drift-range": "A bound the OpenAPI document states differs from the spec's.",
    "drift-required": "A member is required on one side only.",
}


class DriftInputError(Exception):
    """An OpenAPI document or spec we cannot compare; one line for the user (exit 2)."""


def add_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    from genspec.user_spec import add_spec_argument

    parser.add_argument("openapi", metavar="OPENAPI", help="a local OpenAPI file (.json or .yaml)")
    parser.add_argument(
        "--format", choices=("text", "json", "jsonl", "sarif", "github"), default="text"
    )
    parser.add_argument(
        "--isolated", action="store_true", help="ignore [tool.genspec] spec in pyproject.toml"
    )
    add_spec_argument(parser)


# --- reading -------------------------------------------------------------------------------------


@dataclass
class Document:
    """A parsed file, and where its nodes are (None for YAML: no columns to give)."""

    path: str
    value: Any
    positions: Any = None

    def place(self, pointer: str, *, key: bool = True) -> tuple[int, int]:
        if self.positions is None:
            return 1, 1
        line, col = self.positions.key_at(pointer) if key else self.positions.value_at(pointer)
        return int(line), int(col)


def read_openapi(path: str) -> Document:
    from genspec.jsonio import JsonInputError, decode_utf8, parse_with_positions

    if path.startswith(("http://", "https://")):
        raise DriftInputError(
            f"{path}: drift reads a local file and fetches nothing; download the document "
            "first (for example with curl -o openapi.json URL) and pass its path"
        )
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DriftInputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.endswith((".yaml", ".yml")):
        return Document(path, _load_yaml(path, data))
    try:
        value, positions = parse_with_positions(decode_utf8(data))
    except JsonInputError as exc:
        raise DriftInputError(f"{path}:{exc}") from None
    return Document(path, value, positions)


def _load_yaml(path: str, data: bytes) -> Any:
    import importlib

    try:
        yaml: Any = importlib.import_module("yaml")  # optional: it has no type stubs here
    except ImportError:
        raise DriftInputError(
            f"{path}: reading YAML needs PyYAML (pip install pyyaml), or pass the JSON document"
        ) from None
    try:
        return yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise DriftInputError(f"{path}: not valid YAML: {exc}".replace("\n", " ")) from None


def _operation(document: Any, path: str) -> Any:
    paths = document.get("paths") if isinstance(document, dict) else None
    if not isinstance(paths, dict):
        raise DriftInputError(f"{path}: not an OpenAPI document (no paths)")
    for name, item in paths.items():
        if (
            name.rstrip("/").endswith("/generations")
            and isinstance(item, dict)
            and isinstance(item.get("post"), dict)
        ):
            return name, item["post"]
    raise DriftInputError(f"{path}: no POST /generations operation in paths")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _media_schema(container: Any, base: str, what: str, path: str) -> tuple[Any, str]:
    content = container.get("content", {}) if isinstance(container, dict) else {}
    media = content.get("application/json") if isinstance(content, dict) else None
    if not isinstance(media, dict) or "schema" not in media:
        raise DriftInputError(f"{path}: {what} has no application/json schema")
    return media["schema"], f"{base}/content/application~1json/schema"


# --- comparing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    rule_id: str
    message: str
    pointer: str  # in the OpenAPI document
    at_key: bool = True


class Side:
    """One document's view of its schemas: `$ref`s followed, pointers kept."""

    def __init__(self, root: Any, name: str, *, spec: bool) -> None:
        self.root, self.name, self.spec = root, name, spec

    def resolve(self, schema: Any, pointer: str) -> tuple[Any, str]:
        seen = 0
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 32:
            ref = schema["$ref"]
            if not ref.startswith("#"):
                return schema, pointer  # a remote reference: compared as it stands
            node = self.root
            from genspec.pointer import split as split_pointer

            try:
                for token in split_pointer(ref[1:]):
                    node = node[int(token)] if isinstance(node, list) else node[token]
            except (KeyError, IndexError, ValueError, TypeError):
                raise DriftInputError(f"{self.name}: unresolvable $ref {ref!r}") from None
            schema, pointer, seen = node, ref[1:], seen + 1
        return schema, pointer

    def facts(self, schema: Any) -> dict[str, Any]:
        """The keywords compared, with the spec's `x-openapi` record over its own."""
        if not isinstance(schema, dict):
            return {}
        facts = dict(schema)
        if self.spec:
            for key, value in schema.items():
                if key.startswith(OVERRIDE):
                    facts[key.removeprefix(OVERRIDE)] = value
        return facts


def _types(facts: dict[str, Any]) -> tuple[set[str], bool]:
    """(types other than null, accepts null): from `type`, OpenAPI 3.0 `nullable`, and a
    `anyOf`/`oneOf` of one schema and `{"type": "null"}`."""
    declared = facts.get("type")
    types = {declared} if isinstance(declared, str) else set(declared or [])
    nullable = "null" in types or facts.get("nullable") is True
    for key in ("anyOf", "oneOf"):
        for option in facts.get(key) or []:
            if isinstance(option, dict) and option.get("type") == "null":
                nullable = True
    if isinstance(facts.get("enum"), list) and None in facts["enum"]:
        nullable = True
    if isinstance(facts.get("nullable"), bool):  # OpenAPI 3.0, or the spec's x-openapi-nullable
        nullable = facts["nullable"]
    return types - {"null"}, nullable


def _enum(facts: dict[str, Any]) -> list[Any] | None:
    values = facts.get("enum")
    return [v for v in values if v is not None] if isinstance(values, list) else None


def _members(facts: dict[str, Any], *, spec: bool) -> dict[str, tuple[Any, str, bool]]:
    """name -> (schema, keyword path, listed in properties); the spec's `^name$` pattern
    properties count as members it accepts beyond the document (listed False)."""
    import re

    found: dict[str, tuple[Any, str, bool]] = {}
    if spec:
        for pattern, schema in (facts.get("patternProperties") or {}).items():
            exact = re.fullmatch(r"\^([A-Za-z_][A-Za-z0-9_]*)\$", pattern)
            if exact:
                found[exact.group(1)] = (schema, f"/patternProperties/{_escape(pattern)}", False)
    for name, schema in (facts.get("properties") or {}).items():
        found[name] = (schema, f"/properties/{_escape(name)}", True)
    return found


def _absent(spec: Side, schema: Any) -> bool:
    """A spec member marked `"x-openapi-absent": true`: accepted though not documented."""
    return spec.facts(spec.resolve(schema, "")[0]).get("absent") is True


def _bound(facts: dict[str, Any], keyword: str) -> Any:
    """A bound in 2020-12 terms (OpenAPI 3.0 writes exclusive bounds as booleans)."""
    if keyword in ("minimum", "maximum"):
        exclusive = facts.get(f"exclusive{keyword.capitalize()}")
        if exclusive is True:
            return _MISSING
    if keyword in ("exclusiveMinimum", "exclusiveMaximum"):
        value = facts.get(keyword, _MISSING)
        if value is True:
            return facts.get(keyword.replace("exclusiveM", "m"), _MISSING)
        return _MISSING if value is False else value
    return facts.get(keyword, _MISSING)


def _show(value: Any) -> str:
    import json

    return "(none)" if value is _MISSING else json.dumps(value)


def _same(a: Any, b: Any) -> bool:
    # JSON equality: 1 == 1.0, but true is not 1.
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b) and type(a) is type(b)


def compare(
    api: Side, api_schema: Any, api_at: str, spec: Side, spec_schema: Any, spec_at: str, label: str
) -> Iterator[Difference]:
    """Every difference between two schemas of the same member (`label`, e.g. `width`)."""
    api_schema, api_at = api.resolve(api_schema, api_at)
    spec_schema, spec_at = spec.resolve(spec_schema, spec_at)
    a, s = api.facts(api_schema), spec.facts(spec_schema)
    where = f"spec {spec.name}#{spec_at}"

    a_types, a_null = _types(a)
    s_types, s_null = _types(s)
    if a_types and s_types and a_types != s_types:
        yield Difference(
            "drift-type",
            f"{label}: OpenAPI type {'|'.join(sorted(a_types))}, "
            f"spec {'|'.join(sorted(s_types))} ({where})",
            api_at,
        )
    if a_null != s_null:
        yield Difference(
            "drift-nullable",
            f"{label}: null is {'accepted' if a_null else 'refused'} by the OpenAPI document, "
            f"{'accepted' if s_null else 'refused'} by the spec ({where})",
            api_at,
        )
    a_enum, s_enum = _enum(a), _enum(s)
    if a_enum is not None:  # an enum only the spec has is its reading of the prose, like a bound
        added = [v for v in a_enum if not any(_same(v, w) for w in s_enum or [])]
        removed = [v for v in s_enum or [] if not any(_same(v, w) for w in a_enum)]
        if s_enum is None:
            added = a_enum
        if added or removed:
            parts = [
                f"added {_show(added)}" if added else "",
                f"removed {_show(removed)}" if removed else "",
            ]
            yield Difference(
                "drift-enum",
                f"{label}: enum values {' and '.join(p for p in parts if p)} in the OpenAPI "
                f"document ({where})",
                api_at,
            )
    a_default, s_default = a.get("default", _MISSING), s.get("default", _MISSING)
    if not (a_default is _MISSING and s_default is _MISSING) and (
        a_default is _MISSING or s_default is _MISSING or not _same(a_default, s_default)
    ):
        yield Difference(
            "drift-default",
            f"{label}: OpenAPI default {_show(a_default)}, spec {_show(s_default)} ({where})",
            api_at,
        )
    for keyword in BOUNDS:
        a_bound = _bound(a, keyword)
        if a_bound is _MISSING:
            continue
        s_bound = _bound(s, keyword)
        if s_bound is _MISSING or not _same(a_bound, s_bound):
            yield Difference(
                "drift-range",
                f"{label}: OpenAPI {keyword} {_show(a_bound)}, spec {_show(s_bound)} ({where})",
                api_at,
            )
    yield from _compare_members(api, a, api_at, spec, s, spec_at, label)
    if isinstance(a.get("items"), dict) and isinstance(s.get("items"), dict):
        yield from compare(
            api, a["items"], f"{api_at}/items", spec, s["items"], f"{spec_at}/items", f"{label}[]"
        )


def _compare_members(
    api: Side,
    a: dict[str, Any],
    api_at: str,
    spec: Side,
    s: dict[str, Any],
    spec_at: str,
    label: str,
) -> Iterator[Difference]:
    a_members, s_members = _members(a, spec=False), _members(s, spec=True)
    prefix = f"{label}." if label else ""
    for name, (_, path, _) in a_members.items():
        if name not in s_members:
            yield Difference(
                "drift-member-added",
                f"{prefix}{name}: in the OpenAPI document, not in the spec "
                f"(add it under spec {spec.name}#{spec_at}/properties)",
                f"{api_at}{path}",
            )
    for name, (schema, path, listed) in s_members.items():
        if name not in a_members and listed and "properties" in a and not _absent(spec, schema):
            yield Difference(
                "drift-member-removed",
                f"{prefix}{name}: in the spec ({spec.name}#{spec_at}{path}), no longer in the "
                "OpenAPI document",
                f"{api_at}/properties/{_escape(name)}",
            )
    for name, (schema, path, _) in a_members.items():
        if name in s_members:
            s_schema, s_path, _ = s_members[name]
            yield from compare(
                api, schema, f"{api_at}{path}", spec, s_schema, f"{spec_at}{s_path}", prefix + name
            )
    a_required, s_required = set(a.get("required") or []), set(s.get("required") or [])
    for name in sorted(a_required ^ s_required):
        if name in a_members or name in s_members:
            side = "the OpenAPI document" if name in a_required else "the spec"
            yield Difference(
                "drift-required",
                f"{prefix}{name}: required by {side} only (spec {spec.name}#{spec_at}/required)",
                f"{api_at}/required",
                at_key=False,
            )


def drift(
    openapi: Document, request: Any, response: Any, spec_names: tuple[str, str]
) -> list[Diagnostic]:
    """The diagnostics of every difference, in the OpenAPI file's line order."""
    from genspec.diagnostics import ERROR, Diagnostic

    name, operation = _operation(openapi.value, openapi.path)
    base = f"/paths/{_escape(name)}/post"
    api = Side(openapi.value, openapi.path, spec=False)
    body, body_at = _media_schema(
        api.resolve(operation.get("requestBody"), f"{base}/requestBody")[0],
        f"{base}/requestBody",
        "the request body",
        openapi.path,
    )
    differences = list(
        compare(api, body, body_at, Side(request, spec_names[0], spec=True), request, "", "")
    )
    ok = (operation.get("responses") or {}).get("200")
    if ok is not None:
        reply, reply_at = _media_schema(
            ok, f"{base}/responses/200", "the 200 response", openapi.path
        )
        differences += compare(
            api, reply, reply_at, Side(response, spec_names[1], spec=True), response, "", ""
        )
    diagnostics = []
    for difference in differences:
        line, col = openapi.place(difference.pointer, key=difference.at_key)
        diagnostics.append(
            Diagnostic(
                openapi.path,
                line,
                col,
                difference.rule_id,
                ERROR,
                difference.message,
                difference.pointer,
            )
        )
    return sorted(diagnostics, key=lambda d: (d.line, d.col, d.rule_id, d.instance_path))


def rule_catalogue() -> dict[str, Rule]:
    from genspec.rules import Rule, Severity

    return {rule_id: Rule(rule_id, Severity.ERROR, summary) for rule_id, summary in RULES.items()}


def _spec_files(args: argparse.Namespace) -> tuple[Path, Path]:
    from genspec.spec import spec_dir
    from genspec.user_spec import request_schema_path, response_schema_path, selected_spec

    spec = selected_spec(args) or spec_dir()
    return request_schema_path(spec), response_schema_path(spec)


def run(args: argparse.Namespace) -> int:
    from genspec.console import emit
    from genspec.jsonio import JsonInputError, load_file
    from genspec.render import render
    from genspec.user_spec import SpecSettingError

    try:
        request_file, response_file = _spec_files(args)
        request = load_file(request_file)
        response = load_file(response_file) if response_file.is_file() else {}
        document = read_openapi(args.openapi)
        diagnostics = drift(document, request, response, (request_file.name, response_file.name))
    except (DriftInputError, SpecSettingError, JsonInputError) as exc:
        emit([f"genspec drift: error: {exc}"], sys.stderr)
        return EXIT_USAGE
    lines = [render(args.format, diagnostics, rule_catalogue(), quiet=True).rstrip("\n")]
    if args.format == "text":  # the lint summary counts bodies; drift counts differences
        lines = lines if diagnostics else []
        spec = request_file.parent
        lines.append(
            f"Found {len(diagnostics)} difference(s) between {spec} and {args.openapi}."
            if diagnostics
            else f"no drift: {spec} matches {args.openapi}"
        )
    emit(lines)
    return EXIT_DRIFT if diagnostics else EXIT_SAME
