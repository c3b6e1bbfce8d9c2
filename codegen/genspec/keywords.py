"""The JSON Schema 2020-12 keyword table, as data.

For each keyword genspec knows: its role (an assertion, an applicator that holds subschemas,
an annotation that is never asserted, a core keyword that structures the document, or a
keyword genspec refuses, with the reason), the shape of the subschemas it holds (none, one, a
list, or a map of names to subschemas) and the instance kind it applies to (it holds
vacuously on every other kind). The document walk, the IR lowering, the emitters, the strategy
generator and the OpenAPI export all read this table; none keeps a list of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

Role = Literal["assertion", "applicator", "annotation", "core", "refused"]
Shape = Literal["none", "one", "list", "map"]
AppliesTo = Literal["any", "object", "array", "string", "number"]


@dataclass(frozen=True)
class KeywordInfo:
    name: str
    role: Role
    subschemas: Shape = "none"
    applies_to: AppliesTo = "any"
    refusal: str = ""  # why genspec refuses it (role "refused" only)


def _table(*entries: KeywordInfo) -> dict[str, KeywordInfo]:
    return {entry.name: entry for entry in entries}


K = KeywordInfo
KEYWORDS: dict[str, KeywordInfo] = _table(
    # core
    K("$schema", "core"),
    K("$id", "core"),
    K("$anchor", "core"),
    K("$defs", "core", "map"),
    K("$comment", "annotation"),
    K("$ref", "applicator"),
    K("$dynamicRef", "refused", refusal="dynamic references are not supported"),
    K("$dynamicAnchor", "refused", refusal="dynamic anchors are not supported"),
    K("$vocabulary", "refused", refusal="custom vocabularies are not supported"),
    K("$recursiveRef", "refused", refusal="draft 2019-09 recursive references are not supported"),
    K("$recursiveAnchor", "refused", refusal="draft 2019-09 recursive anchors are not supported"),
    # in-place applicators
    K("allOf", "applicator", "list"),
    K("anyOf", "applicator", "list"),
    K("oneOf", "applicator", "list"),
    K("not", "applicator", "one"),
    K("if", "applicator", "one"),
    K("then", "applicator", "one"),
    K("else", "applicator", "one"),
    K("dependentSchemas", "applicator", "map", "object"),
    # applicators on members and items
    K("properties", "applicator", "map", "object"),
    K("patternProperties", "applicator", "map", "object"),
    K("additionalProperties", "applicator", "one", "object"),
    K("propertyNames", "applicator", "one", "object"),
    K("unevaluatedProperties", "applicator", "one", "object"),
    K("prefixItems", "applicator", "list", "array"),
    K("items", "applicator", "one", "array"),
    K("contains", "applicator", "one", "array"),
    K("unevaluatedItems", "applicator", "one", "array"),
    # assertions
    K("type", "assertion"),
    K("enum", "assertion"),
    K("const", "assertion"),
    K("multipleOf", "assertion", applies_to="number"),
    K("minimum", "assertion", applies_to="number"),
    K("maximum", "assertion", applies_to="number"),
    K("exclusiveMinimum", "assertion", applies_to="number"),
    K("exclusiveMaximum", "assertion", applies_to="number"),
    K("minLength", "assertion", applies_to="string"),
    K("maxLength", "assertion", applies_to="string"),
    K("pattern", "assertion", applies_to="string"),
    K("minItems", "assertion", applies_to="array"),
    K("maxItems", "assertion", applies_to="array"),
    K("uniqueItems", "assertion", applies_to="array"),
    K("minContains", "assertion", applies_to="array"),
    K("maxContains", "assertion", applies_to="array"),
    K("minProperties", "assertion", applies_to="object"),
    K("maxProperties", "assertion", applies_to="object"),
    K("required", "assertion", applies_to="object"),
    K("dependentRequired", "assertion", applies_to="object"),
    # annotations (format and content* are annotations in 2020-12's default vocabularies)
    K("title", "annotation"),
    K("description", "annotation"),
    K("default", "annotation"),
    K("examples", "annotation"),
    K("deprecated", "annotation"),
    K("readOnly", "annotation"),
    K("writeOnly", "annotation"),
    K("format", "annotation", applies_to="string"),
    K("contentMediaType", "annotation", applies_to="string"),
    K("contentEncoding", "annotation", applies_to="string"),
    K("contentSchema", "annotation", "one", "string"),
    # genspec's own: the root's advice, warning rules applied to the root instance
    # (genspec.rules; a standard validator reads it as an annotation)
    K("x-advice", "applicator", "list"),
)
del K

# Keywords that assert or apply subschemas (annotations and core keywords are accepted too,
# refused keywords never).
CHECKED = frozenset(
    name for name, info in KEYWORDS.items() if info.role in ("assertion", "applicator")
)


def applies_to(name: str) -> AppliesTo:
    """The instance kind keyword `name` constrains ("any" for unknown names)."""
    info = KEYWORDS.get(name)
    return info.applies_to if info else "any"


def subschemas(schema: dict[str, Any]) -> Iterator[tuple[str, str | int | None, Any]]:
    """Every immediate subschema of `schema` as (keyword, name or index or None, subschema).

    Values of the wrong shape (a `properties` that is not an object, ...) are skipped: the
    meta-schema check reports those.
    """
    for keyword, value in schema.items():
        info = KEYWORDS.get(keyword)
        if info is None or info.subschemas == "none":
            continue
        if info.subschemas == "one":
            yield keyword, None, value
        elif info.subschemas == "list" and isinstance(value, list):
            yield from ((keyword, index, item) for index, item in enumerate(value))
        elif info.subschemas == "map" and isinstance(value, dict):
            yield from ((keyword, name, item) for name, item in value.items())
