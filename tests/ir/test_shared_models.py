"""The single-concept modules every layer imports: JSON Pointer, JSON values, `$ref`
resolution, the keyword table and the rule model. In-process unit tests, no compilation."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft202012Validator

from genspec import keywords, pointer
from genspec.ir import SchemaError, lower
from genspec.jsonvalue import is_number, json_equal, kind_of
from genspec.refs import RefError, SchemaIndex, join_uri
from genspec.rules import Evidence, Rule, RuleAnnotationError, Severity, read_rule

# --- JSON Pointer --------------------------------------------------------------------------------

TRICKY_NAMES = ["a/b", "~", "~1", "~0/", "", "0", "a b", "é", "%25"]


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_pointer_tokens_round_trip(name: str) -> None:
    assert pointer.unescape_token(pointer.escape_token(name)) == name
    assert pointer.split(pointer.join("", name, 3)) == [name, "3"]


def test_pointer_escapes_as_rfc_6901_says() -> None:
    assert pointer.escape_token("~1/") == "~01~1"  # `~` first, or `~1` would be read back as `/`
    assert pointer.from_parts(["a/b", 0, "m~n"]) == "/a~1b/0/m~0n"
    assert pointer.split("") == []


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_pointer_resolves_what_it_names(name: str) -> None:
    document = {name: [{"x": 1}, {name: True}]}
    assert pointer.resolve(document, pointer.join("", name, 1, name)) is True
    assert pointer.resolve(document, "") is document


@pytest.mark.parametrize("bad", ["/missing", "/a/01", "/a/2", "/a/-", "/a/0/deeper"])
def test_pointer_refuses_what_is_not_there(bad: str) -> None:
    with pytest.raises(LookupError):
        pointer.resolve({"a": [1, 2]}, bad)


def test_pointer_must_start_with_a_slash() -> None:
    with pytest.raises(ValueError):
        pointer.split("a/b")


# --- JSON values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left", "right", "equal"),
    [
        (1, 1.0, True),
        (True, 1, False),
        (False, 0, False),
        (True, True, True),
        ("1", 1, False),
        (None, False, False),
        ([1, [2.0]], [1.0, [2]], True),
        ([1, 2], [2, 1], False),
        ({"a": 1, "b": [True]}, {"b": [True], "a": 1.0}, True),
        ({"a": 1}, {"a": True}, False),
        ({"a": 1}, {"a": 1, "b": None}, False),
        ([], {}, False),
    ],
)
def test_json_equality(left: Any, right: Any, equal: bool) -> None:
    assert json_equal(left, right) is equal
    assert json_equal(right, left) is equal
    # python-jsonschema (the oracle) agrees through `const`.
    assert Draft202012Validator({"const": left}).is_valid(right) is equal


def test_json_kinds() -> None:
    assert [kind_of(v) for v in (None, True, 0, 1.5, "", [], {})] == [
        "null",
        "boolean",
        "number",
        "number",
        "string",
        "array",
        "object",
    ]
    assert is_number(1) and is_number(2.5) and not is_number(True) and not is_number("1")


# --- $ref resolution -----------------------------------------------------------------------------


def test_join_uri() -> None:
    assert join_uri("http://x/a/b.json", "c.json#/d") == "http://x/a/c.json#/d"
    assert join_uri("http://x/a/b.json", "#frag") == "http://x/a/b.json#frag"
    assert join_uri("http://x/a/b.json", "urn:other") == "urn:other"
    assert join_uri("", "#/$defs/a") == "#/$defs/a"


def test_index_resolves_pointers_anchors_and_embedded_ids() -> None:
    schema = {
        "$id": "http://example.com/root.json",
        "$defs": {
            "a/b": {"type": "integer"},
            "named": {"$anchor": "here", "type": "string"},
            "embedded": {
                "$id": "nested/inner.json",
                "$defs": {"leaf": {"$anchor": "leaf", "const": 1}},
            },
        },
    }
    index = SchemaIndex(schema)
    base = "http://example.com/root.json"
    assert index.resolve("#/$defs/a~1b", base, "") == "/$defs/a~1b"
    assert index.resolve("#here", base, "") == "/$defs/named"
    assert index.resolve("nested/inner.json#leaf", base, "") == "/$defs/embedded/$defs/leaf"
    inner = index.places["/$defs/embedded"].base
    assert inner == "http://example.com/nested/inner.json"
    assert index.resolve("#/$defs/leaf", inner, "") == "/$defs/embedded/$defs/leaf"
    assert index.resolve("../root.json#/$defs/a~1b", inner, "") == "/$defs/a~1b"


def test_index_walks_registry_documents_on_first_reference() -> None:
    other = {"$defs": {"x": {"type": "null"}}}
    index = SchemaIndex({"$ref": "http://o/other.json#/$defs/x"}, {"http://o/other.json": other})
    assert "http://o/other.json#/$defs/x" not in index.places
    target = index.resolve("http://o/other.json#/$defs/x", "", "/$ref")
    assert target == "http://o/other.json#/$defs/x"
    assert index.places[target].schema == {"type": "null"}


@pytest.mark.parametrize(
    ("reference", "words"),
    [
        ("http://elsewhere/x.json", "remote reference"),
        ("#nowhere", "no \\$anchor"),
        ("#/$defs/missing", "does not point at a subschema"),
        ("#/$defs/a/type", "does not point at a subschema"),
    ],
)
def test_index_refuses_references_to_nothing(reference: str, words: str) -> None:
    index = SchemaIndex({"$defs": {"a": {"type": "null"}}})
    with pytest.raises(RefError, match=words) as caught:
        index.resolve(reference, "", "/at/$ref")
    assert caught.value.location == "/at/$ref"
    assert caught.value.keyword == "$ref"


def test_index_follows_local_refs_and_stops_on_loops() -> None:
    schema = {"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"type": "string"}, "c": {"$ref": "#"}}}
    index = SchemaIndex(schema)
    assert index.follow({"$ref": "#/$defs/a"}) == {"type": "string"}
    assert index.follow({"$ref": "#/$defs/nothing"}) == {"$ref": "#/$defs/nothing"}
    assert index.follow(schema["$defs"]["c"]) is not None  # a loop ends, it does not hang


# --- the keyword table ---------------------------------------------------------------------------


def test_table_covers_the_2020_12_meta_schema() -> None:
    """Every keyword the official meta-schema (all vocabularies) declares is in the table."""
    declared: set[str] = set()
    registry = Draft202012Validator.META_SCHEMA
    from jsonschema.validators import _RefResolver  # the meta-schemas ship with jsonschema

    resolver = _RefResolver.from_schema(registry)
    for ref in registry["allOf"]:
        _, vocabulary = resolver.resolve(ref["$ref"])
        declared.update(vocabulary.get("properties", {}))
    declared -= {"definitions", "dependencies"}  # draft 2019 compatibility leftovers
    assert declared <= set(keywords.KEYWORDS), declared - set(keywords.KEYWORDS)


def test_table_subschema_shapes_match_the_meta_schema() -> None:
    for name, info in keywords.KEYWORDS.items():
        if name.startswith("x-"):  # genspec's own (x-advice): the meta-schema does not know it
            continue
        if info.subschemas == "one":
            sample: Any = {name: {"type": "string"}}
        elif info.subschemas == "list":
            sample = {name: [{"type": "string"}]}
        elif info.subschemas == "map":
            sample = {name: {"k": {"type": "string"}}}
        else:
            continue
        walked = list(keywords.subschemas(sample))
        assert walked and all(sub == {"type": "string"} for _, _, sub in walked), name
        # The meta-schema checks that value as a schema: a non-schema there is refused.
        broken = {"one": {name: 5}, "list": {name: [5]}, "map": {name: {"k": 5}}}
        assert not Draft202012Validator(Draft202012Validator.META_SCHEMA).is_valid(
            broken[info.subschemas]
        ), name


def test_lowering_refuses_every_refused_keyword_and_accepts_the_rest() -> None:
    for name, info in keywords.KEYWORDS.items():
        if info.role == "refused":
            with pytest.raises(SchemaError) as caught:
                lower({"$defs": {"x": {name: "#"}}}, check=False)
            assert caught.value.keyword == name and info.refusal in str(caught.value)
    with pytest.raises(SchemaError, match="unknown keyword"):
        lower({"maxLenght": 3})


def test_keyword_kinds() -> None:
    assert keywords.applies_to("maxLength") == "string"
    assert keywords.applies_to("minProperties") == "object"
    assert keywords.applies_to("uniqueItems") == "array"
    assert keywords.applies_to("multipleOf") == "number"
    assert keywords.applies_to("allOf") == "any"
    for info in keywords.KEYWORDS.values():
        if info.applies_to == "any" and info.role == "assertion":
            assert info.name in {"type", "enum", "const"}


# --- the rule model ------------------------------------------------------------------------------

GOOD = {"id": "r", "severity": "warning", "message": "m", "source": "s", "reference": "https://d"}


def test_read_rule() -> None:
    rule = read_rule({**GOOD, "evidence": "documented-advice"}, "/allOf/0")
    assert rule == Rule(
        "r", Severity.WARNING, "m", "s", "https://d", Evidence.DOCUMENTED_ADVICE, "/allOf/0"
    )
    assert rule.severity == "warning"  # a typed value that still reads as its JSON text
    minimal = read_rule({"id": "r", "severity": "error", "message": "m"})
    assert (minimal.source, minimal.reference, minimal.evidence) == ("", "", None)


@pytest.mark.parametrize(
    ("annotation", "words"),
    [
        ("r", "must be an object"),
        ({**GOOD, "severity": "fatal"}, "severity must be"),
        ({**GOOD, "id": ""}, "non-empty string 'id'"),
        ({**GOOD, "message": 3}, "non-empty string 'message'"),
        ({**GOOD, "source": ["s"]}, "'source' must be a string"),
        ({**GOOD, "sevrity": "error"}, "unknown field"),
        ({**GOOD, "evidence": "hearsay"}, "evidence must be one of"),
        ({**GOOD, "severity": "error", "evidence": "documented-advice"}, "only for warning"),
    ],
)
def test_read_rule_refuses_malformed_annotations(annotation: Any, words: str) -> None:
    with pytest.raises(RuleAnnotationError, match=words):
        read_rule(annotation)
    with pytest.raises(SchemaError, match=words) as caught:
        lower({"properties": {"a": {"x-rule": annotation}}})
    assert caught.value.keyword == "x-rule"
    assert caught.value.path == "/properties/a/x-rule"


def test_evidence_can_be_required() -> None:
    with pytest.raises(RuleAnnotationError, match="needs 'evidence'"):
        read_rule(GOOD, require_evidence=True)
    assert read_rule({**GOOD, "evidence": "server-rejection"}, require_evidence=True).evidence


ERROR_RULE = {**GOOD, "severity": "error"}


def test_ir_rules_are_the_rule_model() -> None:
    schema = {"allOf": [{"x-rule": ERROR_RULE, "properties": {"a": {"maximum": 1}}}]}
    schema_ir = lower(schema)
    assert schema_ir.rules == {"r": read_rule(ERROR_RULE, "/allOf/0")}
    inner = next(n for n in schema_ir.nodes if n.location == "/allOf/0/properties/a")
    assert inner.rule is schema_ir.rules["r"]  # inherited by every subschema below it


def test_one_rule_id_means_one_rule() -> None:
    other = {**ERROR_RULE, "message": "different"}
    with pytest.raises(SchemaError, match=r"duplicate x-rule id 'r'.*'/allOf/0'"):
        lower({"allOf": [{"x-rule": ERROR_RULE}, {"x-rule": other}]})
    same = lower({"allOf": [{"x-rule": ERROR_RULE}, {"x-rule": ERROR_RULE}]})
    assert list(same.rules) == ["r"]
