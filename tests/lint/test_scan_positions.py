"""The fast position finder and the fast parser answer exactly as the exact, slow ones do."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from genspec.jsonio import ScanPositions, loads_fast, loads_if_clean, parse_with_positions


def _pointers(value: Any, pointer: str = "") -> list[str]:
    found = [pointer]
    if isinstance(value, dict):
        for key, child in value.items():
            token = key.replace("~", "~0").replace("/", "~1")
            found += _pointers(child, f"{pointer}/{token}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _pointers(child, f"{pointer}/{index}")
    return found


def _drawn(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 4 and roll < 0.3:
        keys = ["a", "b", "a/b", "~x", "é", 'q"uote', "", "0"]
        return {rng.choice(keys): _drawn(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    if depth < 4 and roll < 0.5:
        return [_drawn(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return rng.choice([0, -1.5e3, "s", 'with \\"escapes\\" \\u00e9', True, None, "]}{["])


@pytest.mark.parametrize("seed", range(40))
def test_scan_positions_agree_with_the_position_parser(seed: int) -> None:
    rng = random.Random(seed)
    value = _drawn(rng)
    text = json.dumps(value, indent=rng.choice([None, 0, 2]), ensure_ascii=rng.random() < 0.5)
    _, exact = parse_with_positions(text, first_line=7)
    # without the parsed value, and with it (missing members skipped, unique spellings found)
    for fast in (ScanPositions(text, 7), ScanPositions(text, 7, json.loads(text))):
        # existing pointers, and missing ones below them (the deepest existing ancestor is used)
        for pointer in [*_pointers(value), "/missing", "/a/missing/deeper", "/0/9"]:
            assert fast.value_at(pointer) == exact.value_at(pointer), (text, pointer)
            assert fast.key_at(pointer) == exact.key_at(pointer), (text, pointer)


@pytest.mark.parametrize(
    "text",
    [
        '{"b": {"a": 1}, "a": 2}',  # the name spelled first inside an earlier member
        '{"b": "a", "a": [{"a": 0}, {"a": 1}]}',  # as a string value, and in every item
        '{"a": 1, "b": {"c": {"a": 2}}, "c": 3}',  # below the member, and after it
        '{"a": 1,\n "a": {"b": [1, 2]}}',  # a duplicate: the last one counts
        # strings ending in backslashes, escaped quotes: skipped to their real end
        json.dumps({"a": "x\\", "b": 'q"\\"', "c": ["\\\\", '"', 3], "d": {"a": "\\"}}),
    ],
)
def test_scan_positions_are_not_fooled_by_the_same_spelling_elsewhere(text: str) -> None:
    value = json.loads(text)
    _, exact = parse_with_positions(text)
    fast = ScanPositions(text, 1, value)
    for pointer in [*_pointers(value), "/a/missing", "/b/a/deeper"]:
        assert fast.value_at(pointer) == exact.value_at(pointer), pointer
        assert fast.key_at(pointer) == exact.key_at(pointer), pointer


def test_scan_positions_use_the_last_of_duplicate_members() -> None:
    text = '{"a": 1,\n "a": {"b": [1, 2]}}'
    _, exact = parse_with_positions(text)
    fast = ScanPositions(text)
    for pointer in ("/a", "/a/b", "/a/b/1"):
        assert fast.value_at(pointer) == exact.value_at(pointer)
        assert fast.key_at(pointer) == exact.key_at(pointer)


@pytest.mark.parametrize(
    ("text", "fast_may_read"),
    [
        ('{"seed": 12345678901234567890123}', False),  # beyond 64 bits: orjson reads a float
        ('{"a": 1e400}', False),
        ('{"a": NaN}', False),
        ('{"a": "\x01"}', False),
        ("[" * 300 + "]" * 300, False),
        ('{"a": 1,}', False),
        ('{"a": "\\ud800"}', True),  # orjson refuses a lone surrogate: stepping aside is fine
        ('{"prompt": "x", "width": 1024, "nested": [1.5, -0, {"k": null}]}', True),
    ],
)
def test_the_fast_parser_reads_what_the_exact_one_reads_or_steps_aside(
    text: str, fast_may_read: bool
) -> None:
    pytest.importorskip("orjson")
    clean, value = loads_fast(text.encode("utf-8"))
    exact_clean, exact_value = loads_if_clean(text)
    if not fast_may_read:
        assert not clean
    if clean:
        assert exact_clean
        assert json.dumps(value) == json.dumps(exact_value)  # same types: 1 stays an int


def test_the_fast_parser_keeps_the_last_duplicate_and_says_nothing() -> None:
    """Why the CLI uses it only when duplicate-key findings are not wanted."""
    pytest.importorskip("orjson")
    assert loads_fast(b'{"a": 1, "a": 2}') == (True, {"a": 2})
