"""The editor's answers never raise on text being typed: any prefix of a body, any cursor."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from genspec.diagnostics import LintModel
from genspec.editor import completions, cursor_at, hover_markdown
from genspec.fixes import fixes_for
from genspec.spec import load_schema

MODEL = LintModel(load_schema())
BODY = json.dumps(
    {
        "prompt": "Café 🐈",
        "ultra": True,
        "controlnets": [{"initImageId": "x", "weight": 1, "preprocessorId": 67}],
        "scheduler": "LEONARDO",
    },
    indent=2,
)


def ask_everything(text: str, offset: int) -> None:
    cursor = cursor_at(text, offset)
    if cursor is None:
        return
    completions(MODEL, cursor)
    if cursor.in_object and cursor.key is not None:
        hover_markdown(MODEL, cursor.path, cursor.key)


def test_every_prefix_and_every_cursor_of_a_real_body() -> None:
    for end in range(len(BODY) + 1):
        ask_everything(BODY[:end], end)  # typing it, the cursor at the end
        ask_everything(BODY, end)  # moving through the finished body


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='{}[]:,"\\ \nab1.-eé🐈tru', max_size=60), st.integers(0, 70))
def test_arbitrary_text_never_raises(text: str, offset: int) -> None:
    ask_everything(text, min(offset, len(text)))
    fixes_for(text, [], MODEL, jsonl=False)


def test_nested_keys_complete_from_the_item_schema() -> None:
    text = '{"controlnets": [{"initImageId": "x", "'
    cursor = cursor_at(text, len(text))
    assert cursor is not None and cursor.in_key and cursor.path == ["controlnets", "0"]
    labels = {c.label for c in completions(MODEL, cursor)}
    item = load_schema()["properties"]["controlnets"]
    declared = set(item["items"].get("properties", {})) if "items" in item else set()
    if declared:
        assert labels == declared - {"initImageId"}
    else:  # the item schema is behind a $ref
        assert "initImageId" not in labels and labels


def test_hover_names_each_rule_reading_a_member_with_its_evidence() -> None:
    schema = {
        "type": "object",
        "properties": {"size": {"type": "integer", "minimum": 1, "description": "How big."}},
        "allOf": [
            {
                "x-rule": {
                    "id": "size-max-when-small",
                    "severity": "error",
                    "message": "size must be 4 or less",
                    "source": "Must be between 1 and 4.",
                    "reference": "docs",
                    "evidence": "documented-requirement",
                },
                "properties": {"size": {"maximum": 4}},
            },
            {"x-rule": {"id": "other", "severity": "error", "message": "m", "source": "s"}},
        ],
    }
    text = hover_markdown(LintModel(schema), [], "size")
    assert text is not None
    assert "How big." in text and ">= 1" in text and "`integer`" in text
    assert "`size-max-when-small` (error, documented-requirement)" in text
    assert "Must be between 1 and 4." in text
    assert "`other`" not in text  # a rule about other members is not listed
