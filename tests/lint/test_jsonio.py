"""The JSON reader: values, positions and refusals, each with a line and column."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from genspec.jsonio import (
    JsonInputError,
    decode_document,
    loads_if_clean,
    loads_strict,
    parse_with_positions,
)

DOCUMENT = """{
  "prompt": "a cat",
  "controlnets": [
    {"initImageId": "x", "weight": 0.5},
    {"initImageId": "y"}
  ],
  "a/b~c": {"": null}
}"""


def test_positions_of_values_and_member_names() -> None:
    value, positions = parse_with_positions(DOCUMENT)
    assert value == json.loads(DOCUMENT)
    assert positions.value_at("") == (1, 1)
    assert positions.key_at("/prompt") == (2, 3)
    assert positions.value_at("/prompt") == (2, 13)
    assert positions.value_at("/controlnets/1") == (5, 5)
    assert positions.value_at("/controlnets/0/weight") == (4, 36)
    assert positions.key_at("/controlnets/0/weight") == (4, 26)
    assert positions.value_at("/a~1b~0c/") == (7, 17)  # pointer escapes and the empty key


def test_missing_members_point_at_the_nearest_existing_ancestor() -> None:
    _, positions = parse_with_positions(DOCUMENT)
    assert positions.value_at("/controlnets/1/weight") == (5, 5)
    assert positions.value_at("/controlnets/7") == (3, 18)
    assert positions.key_at("/controlnets/0") == (4, 5)  # an item has no name: its value


def test_first_line_numbers_lines_of_a_jsonl_file() -> None:
    _, positions = parse_with_positions('{"seed": 1}', first_line=40)
    assert positions.value_at("/seed") == (40, 10)


def test_duplicate_keys_are_data_and_the_last_value_wins() -> None:
    value, positions = parse_with_positions('{"a": 1,\n "b": {"c": 1, "c": 2},\n "a": 3}')
    assert value == {"b": {"c": 2}, "a": 3}
    found = [
        (d.pointer, d.line, d.col, d.first_line, d.first_col) for d in positions.duplicate_keys
    ]
    assert found == [("/b/c", 2, 16, 2, 8), ("/a", 3, 2, 1, 2)]
    assert positions.value_at("/a") == (3, 7)


@pytest.mark.parametrize(
    ("text", "message", "place"),
    [
        ('{"a": 1,}', "expected a member name", (1, 9)),
        ("[1 2]", "expected ',' or ']'", (1, 4)),
        ('{"a" 1}', "expected ':'", (1, 6)),
        ('{"a": tru}', "expected a JSON value", (1, 7)),
        ('\n\n  {"a": NaN}', "NaN is not valid JSON", (3, 9)),
        ('{"a": Infinity}', "Infinity is not valid JSON", (1, 7)),
        ("[-Infinity]", "-Infinity is not valid JSON", (1, 2)),
        ("[1e400]", "too large for a double", (1, 2)),
        ("[" + "7" * 4301 + "]", "4301 digits", (1, 2)),
        ('"abc', "unterminated string", (1, 5)),
        ('"a\tb"', "control character U+0009", (1, 3)),
        ('"a\\xb"', "invalid escape", (1, 3)),
        ("{} {}", "unexpected data after the JSON value", (1, 4)),
        ("[" * 257 + "]" * 257, "nesting deeper than 256", (1, 257)),
        ("", "empty document", (1, 1)),
        ("{'a': 1}", "expected a member name in double quotes", (1, 2)),
    ],
)
def test_refusals_say_what_and_where(text: str, message: str, place: tuple[int, int]) -> None:
    with pytest.raises(JsonInputError) as caught:
        parse_with_positions(text)
    assert message in caught.value.message
    assert (caught.value.line, caught.value.col) == place
    assert loads_if_clean(text) == (False, None)


def test_nesting_at_the_limit_is_accepted() -> None:
    text = "[" * 256 + "]" * 256
    assert parse_with_positions(text)[0] == json.loads(text)
    assert loads_if_clean(text)[0] is True


@pytest.mark.parametrize(
    ("data", "message", "place"),
    [
        (b'{"a": "\xc3"}', "invalid UTF-8", (1, 8)),
        (b'{"a": 1}\x00', "binary file", (1, 1)),
        ("{}".encode("utf-16"), "UTF-16", (1, 1)),
        (b" \n ", "empty document", (1, 1)),
    ],
)
def test_decode_refuses_what_is_not_utf8_text(
    data: bytes, message: str, place: tuple[int, int]
) -> None:
    with pytest.raises(JsonInputError) as caught:
        decode_document(data)
    assert message in caught.value.message
    assert (caught.value.line, caught.value.col) == place


def test_decode_drops_a_bom_so_the_body_parses() -> None:
    text = decode_document(b'\xef\xbb\xbf{"a": 1}')
    assert text == '{"a": 1}'
    assert parse_with_positions(text)[0] == {"a": 1}


def test_loads_strict_keeps_its_contract() -> None:
    assert loads_strict(b'{"a": [1, 2.5, null]}') == {"a": [1, 2.5, None]}
    for bad in ('{"a": 1, "a": 2}', "[NaN]", "", "[" * 300 + "]" * 300):
        with pytest.raises(JsonInputError):
            loads_strict(bad)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES, st.sampled_from([None, 0, 2]), st.booleans())
def test_both_parsers_agree_with_json_loads(value: Any, indent: int | None, ascii: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii)
    parsed, positions = parse_with_positions(text)
    assert parsed == json.loads(text)
    assert loads_if_clean(text) == (True, json.loads(text))
    assert positions.duplicate_keys == []


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b'{"a": "\xff"}', "encoding"),
        (b"\x00\x01", "encoding"),
        ('{"a": 1}'.encode("utf-16"), "encoding"),
        (b"   ", "syntax"),  # empty: text, but no JSON
    ],
)
def test_decode_failures_say_their_kind(data: bytes, kind: str) -> None:
    """The CLI picks invalid-encoding or invalid-json from this kind, never from the message."""
    with pytest.raises(JsonInputError) as caught:
        decode_document(data)
    assert caught.value.kind == kind
