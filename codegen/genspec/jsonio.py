"""Strict JSON reading and atomic file writing: the one place genspec turns bytes into JSON.

Strict means what the Leonardo API and JSON Schema mean by JSON: no NaN/Infinity, valid UTF-8,
bounded nesting, duplicate keys never collapsed unnoticed (refused by `loads_strict`, listed by
`parse_with_positions`). Every failure is a `JsonInputError` with its kind (syntax or encoding)
and a line and column (0 when unknown, e.g. an unreadable file), never a traceback.

Three readers, fastest first: `loads_fast` (orjson, when installed, for lines the CLI checks in
bulk), `loads_if_clean` (the C `json`), `parse_with_positions` (ours, for documents with
something to report); `ScanPositions` places findings in a clean document without a full parse.
"""

from __future__ import annotations

import bisect
import json
import json.decoder
import json.scanner
import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genspec.pointer import escape_token
from genspec.pointer import split as split_pointer

SYNTAX, ENCODING = "syntax", "encoding"  # JsonInputError kinds
MAX_DEPTH = 256
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # a schema or body file; far beyond any real one
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class JsonInputError(Exception):
    """Input that is not strict JSON; `line` and `col` are 1-based (0 when unknown).

    `kind` is ENCODING when the bytes are not UTF-8 text at all (binary, UTF-16, bad bytes),
    SYNTAX when the text is not strict JSON.
    """

    message: str
    line: int = 0
    col: int = 0
    kind: str = "syntax"

    def __str__(self) -> str:
        return f"{self.line}:{self.col}: {self.message}" if self.line else self.message


def decode_utf8(data: bytes) -> str:
    """Decode bytes as UTF-8 (a BOM is tolerated and dropped), or raise with the byte's position."""
    if data.startswith(UTF8_BOM):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"invalid UTF-8 (byte 0x{data[exc.start]:02x})"
        raise JsonInputError(message, line, col, ENCODING) from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key {key!r}")
            seen.add(key)
    return result


def _depth_exceeds(text: str, limit: int) -> int:
    """Offset where nesting first exceeds `limit` (ignoring brackets in strings), or -1."""
    depth = 0
    in_string = escaped = False
    for offset, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return offset
        elif char in "]}":
            depth -= 1
    return -1


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def loads_strict(data: bytes | str, *, allow_duplicates: bool = False) -> Any:
    """Parse strict JSON; raise `JsonInputError` with line and column on any violation."""
    text = decode_utf8(data) if isinstance(data, bytes) else data
    if not text.strip():
        raise JsonInputError("empty document", 1, 1)
    too_deep = _depth_exceeds(text, MAX_DEPTH)
    if too_deep >= 0:
        raise JsonInputError(f"nesting deeper than {MAX_DEPTH} levels", *_position(text, too_deep))
    try:
        return json.loads(
            text,
            parse_constant=_reject_constant,
            object_pairs_hook=None if allow_duplicates else _reject_duplicates,
        )
    except json.JSONDecodeError as exc:
        raise JsonInputError(exc.msg, exc.lineno, exc.colno) from None
    except ValueError as exc:  # our hooks, and int() refusing a number with too many digits
        raise JsonInputError(str(exc)) from None
    except RecursionError:
        raise JsonInputError("nesting too deep") from None


def load_file(path: str | os.PathLike[str], *, limit: int = MAX_DOCUMENT_BYTES) -> Any:
    """Read and strictly parse a JSON file; I/O failures become `JsonInputError` too.

    Only a regular file is read (a FIFO or /dev/zero is refused unopened), at most `limit` bytes.
    """
    from genspec.inputs import InputRefused, read_bounded

    name = os.fspath(path)
    try:
        data = read_bounded(name, limit)
    except InputRefused as exc:
        raise JsonInputError(f"{name}: {exc}") from None
    if len(data) > limit:
        raise JsonInputError(f"{name}: larger than {limit} bytes: refused")
    return loads_strict(data)


def write_atomic(path: str | os.PathLike[str], content: str | bytes) -> None:
    """Replace `path` with `content` at once: readers see the old file or the new, never half."""
    import tempfile  # only writers need it (and its imports): `genspec validate` never writes

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        # mkstemp makes the file private; keep the old file's mode, else the umask default.
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- Documents with positions: what the linter reads ---------------------------------------------
#
# `loads_strict` answers "is this strict JSON?" and stops at the first problem. The linter needs
# more: where every value and member name sits (to point at the offending line and column), and
# the problems the API itself tolerates (duplicate keys: the last one wins; a BOM) reported as
# data rather than as failures. `json` cannot tell us positions, hence a small parser of our own.
# It is only run on documents that have something to report; clean ones take `loads_if_clean`.


def decode_document(data: bytes) -> str:
    """A file's text (a UTF-8 byte order mark dropped), refusing empty, binary and non-UTF-8
    input with a position."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise JsonInputError("file is UTF-16 encoded: JSON must be UTF-8", 1, 1, ENCODING)
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise JsonInputError("binary file (NUL byte): not a JSON document", line, 1, ENCODING)
    text = decode_utf8(data)
    if not text.strip():
        raise JsonInputError("empty document: expected a JSON object", 1, 1)
    return text


def _reject_non_finite_float(literal: str) -> float:
    number = float(literal)
    if math.isinf(number):
        raise ValueError(literal)
    return number


class _DuplicateKeySeen(Exception):
    pass


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKeySeen
    return result


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether containers nest more than `limit` levels (iterative: deep input must not recurse)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        children = current.values() if isinstance(current, dict) else current
        if isinstance(current, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in children)
    return False


def loads_if_clean(text: str) -> tuple[bool, Any]:
    """`(True, value)` when `text` is strict JSON with nothing to report, else `(False, None)`.

    The fast path (C `json`): a caller seeing False runs `parse_with_positions` for the details.
    """
    try:
        value = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_reject_non_finite_float,
            object_pairs_hook=_refuse_duplicates,
        )
    except (ValueError, _DuplicateKeySeen, RecursionError):
        return False, None
    # Counting brackets is C-speed; only a document that could be too deep is walked.
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        return False, None
    return True, value


# Digits to "1", everything else to "0": 19 ones in a row may be an integer beyond 64 bits.
_DIGIT_MAP = bytes(0x31 if 0x30 <= b <= 0x39 else 0x30 for b in range(256))
_LONG_DIGITS = b"1" * 19
_FAST: Any = None  # orjson, once imported; False when it is not installed


def loads_fast(data: bytes) -> tuple[bool, Any]:
    """`(True, value)` when orjson reads `data` as exactly the value `loads_if_clean` would,
    else `(False, None)` (the caller takes the slow, exact path). orjson refuses NaN, infinite
    numbers, bad UTF-8, control characters and lone surrogates, as we do; it cannot see
    duplicate keys (it keeps the last, as we do, but says nothing), reads integers beyond 64
    bits as floats (so lines with 19 or more digits in a row are left to the stdlib), and nests
    deeper than MAX_DEPTH (so bracket-heavy lines are too)."""
    global _FAST
    if _FAST is None:
        try:
            import orjson

            _FAST = orjson
        except ImportError:
            _FAST = False
    if _FAST is False or data.count(b"[") + data.count(b"{") > MAX_DEPTH:
        return False, None
    if _LONG_DIGITS in data.translate(_DIGIT_MAP):
        return False, None
    try:
        return True, _FAST.loads(data)
    except _FAST.JSONDecodeError:
        return False, None


@dataclass(frozen=True)
class DuplicateKey:
    """A member name repeated in one object; the API keeps the last value, as we do."""

    pointer: str  # JSON Pointer of the member (the value that is kept)
    line: int
    col: int
    first_line: int
    first_col: int


@dataclass(slots=True)
class _Node:
    """Where one value starts, where its member name starts (-1 if none), and its children."""

    offset: int
    key_offset: int = -1
    members: dict[str, _Node] | None = None
    items: list[_Node] | None = None


@dataclass
class Positions:
    """Line and column (1-based) of every value and member name of one parsed document."""

    text: str
    root: _Node
    first_line: int = 1
    duplicate_keys: list[DuplicateKey] = field(default_factory=list)
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def line_col(self, offset: int) -> tuple[int, int]:
        if not self._line_starts:
            self._line_starts = [0, *(m.end() for m in re.finditer("\n", self.text))]
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return self.first_line + index, offset - self._line_starts[index] + 1

    def _deepest_node(self, pointer: str) -> _Node:
        """The node at `pointer`, or its deepest existing ancestor (a missing member's object)."""
        node = self.root
        for token in split_pointer(pointer):
            child: _Node | None = None
            if node.members is not None:
                child = node.members.get(token)
            elif node.items is not None and token.isdigit() and int(token) < len(node.items):
                child = node.items[int(token)]
            if child is None:
                break
            node = child
        return node

    def value_at(self, pointer: str) -> tuple[int, int]:
        return self.line_col(self._deepest_node(pointer).offset)

    def key_at(self, pointer: str) -> tuple[int, int]:
        """The member name's position; for an array item or the root, the value's."""
        node = self._deepest_node(pointer)
        return self.line_col(node.key_offset if node.key_offset >= 0 else node.offset)


_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Unrolled so a 20 MB string is one fast regex scan, not one match per character.
_STRING_BODY = re.compile(r'[^"\\\x00-\x1f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*)*')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WORDS = {"true": True, "false": False, "null": None}
_NON_FINITE = ("NaN", "Infinity", "-Infinity")


class _PositionParser:
    """Recursive descent over `text`, building the value and a parallel tree of offsets."""

    def __init__(self, text: str, first_line: int) -> None:
        self.text = text
        self.positions = Positions(text, _Node(0), first_line)

    def fail(self, message: str, offset: int) -> JsonInputError:
        return JsonInputError(message, *self.positions.line_col(offset))

    def skip_whitespace(self, offset: int) -> int:
        match = _WHITESPACE.match(self.text, offset)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def parse_document(self) -> Any:
        start = self.skip_whitespace(0)
        value, node, end = self.parse_value(start, 1, "")
        self.positions.root = node
        end = self.skip_whitespace(end)
        if end != len(self.text):
            raise self.fail("unexpected data after the JSON value", end)
        return value

    def parse_value(self, offset: int, depth: int, pointer: str) -> tuple[Any, _Node, int]:
        text = self.text
        char = text[offset : offset + 1]
        if char == "{":
            return self.parse_object(offset, depth, pointer)
        if char == "[":
            return self.parse_array(offset, depth, pointer)
        if char == '"':
            string, end = self.parse_string(offset)
            return string, _Node(offset), end
        for word, word_value in _WORDS.items():
            if text.startswith(word, offset):
                return word_value, _Node(offset), offset + len(word)
        for word in _NON_FINITE:
            if text.startswith(word, offset):
                raise self.fail(f"{word} is not valid JSON: use a finite number or null", offset)
        number = _NUMBER.match(text, offset)
        if number:
            return self.number_value(number), _Node(offset), number.end()
        found = f"{char!r}" if char else "end of file"
        raise self.fail(f"expected a JSON value, found {found}", offset)

    def number_value(self, match: re.Match[str]) -> int | float:
        literal = match.group()
        if match.group(1) is None and match.group(2) is None:
            digits = len(literal.lstrip("-"))
            if digits > sys.get_int_max_str_digits():
                raise self.fail(
                    f"integer has {digits} digits, more than the "
                    f"{sys.get_int_max_str_digits()} Python can read",
                    match.start(),
                )
            return int(literal)
        number = float(literal)
        if math.isinf(number):
            raise self.fail(f"number {literal[:40]} is too large for a double", match.start())
        return number

    def parse_string(self, offset: int) -> tuple[str, int]:
        body = _STRING_BODY.match(self.text, offset + 1)
        assert body is not None  # the pattern matches the empty string
        end = body.end()
        if self.text[end : end + 1] != '"':
            raise self.string_error(end)
        raw = body.group()
        return (json.loads(f'"{raw}"') if "\\" in raw else raw), end + 1

    def string_error(self, offset: int) -> JsonInputError:
        char = self.text[offset : offset + 1]
        if not char:
            return self.fail("unterminated string", offset)
        if char == "\\":
            escape = self.text[offset : offset + 2]
            return self.fail(f"invalid escape {escape!r} in a string", offset)
        return self.fail(f"control character U+{ord(char):04X} in a string: escape it", offset)

    def enter(self, offset: int, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise self.fail(f"nesting deeper than {MAX_DEPTH} levels", offset)

    def parse_array(self, offset: int, depth: int, pointer: str) -> tuple[Any, _Node, int]:
        self.enter(offset, depth)
        values: list[Any] = []
        node = _Node(offset, items=[])
        assert node.items is not None
        cursor = self.skip_whitespace(offset + 1)
        if self.text.startswith("]", cursor):
            return values, node, cursor + 1
        while True:
            value, child, cursor = self.parse_value(cursor, depth + 1, f"{pointer}/{len(values)}")
            values.append(value)
            node.items.append(child)
            cursor = self.skip_whitespace(cursor)
            separator = self.text[cursor : cursor + 1]
            if separator == "]":
                return values, node, cursor + 1
            if separator != ",":
                raise self.fail("expected ',' or ']' after an array item", cursor)
            cursor = self.skip_whitespace(cursor + 1)

    def parse_object(self, offset: int, depth: int, pointer: str) -> tuple[Any, _Node, int]:
        self.enter(offset, depth)
        members: dict[str, Any] = {}
        node = _Node(offset, members={})
        assert node.members is not None
        cursor = self.skip_whitespace(offset + 1)
        if self.text.startswith("}", cursor):
            return members, node, cursor + 1
        while True:
            if not self.text.startswith('"', cursor):
                raise self.fail("expected a member name in double quotes", cursor)
            key, key_end = self.parse_string(cursor)
            colon = self.skip_whitespace(key_end)
            if not self.text.startswith(":", colon):
                raise self.fail("expected ':' after a member name", colon)
            start = self.skip_whitespace(colon + 1)
            member_pointer = f"{pointer}/{escape_token(key)}"
            value, child, end = self.parse_value(start, depth + 1, member_pointer)
            child.key_offset = cursor
            if key in node.members:
                self.note_duplicate(member_pointer, node.members[key].key_offset, cursor)
                del members[key]  # the last one wins, and sits where the API would see it
            members[key] = value
            node.members[key] = child
            cursor = self.skip_whitespace(end)
            separator = self.text[cursor : cursor + 1]
            if separator == "}":
                return members, node, cursor + 1
            if separator != ",":
                raise self.fail("expected ',' or '}' after an object member", cursor)
            cursor = self.skip_whitespace(cursor + 1)

    def note_duplicate(self, pointer: str, first_offset: int, offset: int) -> None:
        line, col = self.positions.line_col(offset)
        first_line, first_col = self.positions.line_col(first_offset)
        self.positions.duplicate_keys.append(
            DuplicateKey(pointer, line, col, first_line, first_col)
        )


def parse_with_positions(text: str, *, first_line: int = 1) -> tuple[Any, Positions]:
    """Parse strict JSON text into its value and the positions of its values and member names.

    Raises `JsonInputError` (with line and column) for anything the API would refuse; duplicate
    member names are not refused but listed in `positions.duplicate_keys` (the last one wins).
    `first_line` numbers lines from there (one line of a JSON Lines file).
    """
    if not text.strip():
        raise JsonInputError("empty document: expected a JSON object", first_line, 1)
    parser = _PositionParser(text, first_line)
    try:
        value = parser.parse_document()
    except RecursionError:  # a caller already deep in its own stack; MAX_DEPTH normally stops us
        raise JsonInputError("nesting too deep", first_line, 1) from None
    return value, parser.positions


# The C scanners json.loads itself uses (typeshed does not describe them).
_SCAN = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # (value, end)
_SCAN_KEY = json.decoder.scanstring  # type: ignore[attr-defined]  # (string, end) after a quote
_SKIP_WS = _WHITESPACE.match
_JSON_SPACE = " \t\n\r"
_UNKNOWN: Any = object()  # ScanPositions without the parsed document


class ScanPositions:
    """Line and column of the values and member names along a few JSON Pointers, for a document
    already known to be strict JSON: only the objects and arrays on each pointer's path are
    walked, every other value is skipped by the C scanner. A clean body with findings costs a
    fraction of `parse_with_positions`; the answers are the same (the last of duplicate members,
    the deepest existing ancestor of a missing member).

    Given `value` (the document already parsed), the walk also knows which members and items
    exist: a missing one stops it at once, and a member whose spelling occurs once in the rest
    of the text is found by a string search instead of a scan."""

    def __init__(self, text: str, first_line: int = 1, value: Any = _UNKNOWN) -> None:
        self.text = text
        self.first_line = first_line
        self.value = value
        self.plain = "\\" not in text  # no escape anywhere: see _member
        # Scanned once per document, however many findings ask: object offset -> member name ->
        # (key offset, value offset); array offset -> item offsets so far (-1 once complete).
        self._members: dict[int, dict[str, tuple[int, int]]] = {}
        self._items: dict[int, list[int]] = {}

    def line_col(self, offset: int) -> tuple[int, int]:
        text = self.text
        line = text.count("\n", 0, offset)
        return self.first_line + line, offset - (text.rfind("\n", 0, offset) + 1) + 1

    def _skip(self, offset: int) -> int:
        return _SKIP_WS(self.text, offset).end()  # type: ignore[union-attr]  # matches ""

    def _end(self, offset: int) -> int:
        """Where the value at `offset` ends. A string is skipped by finding its closing quote
        (one not escaped: an even run of backslashes before it), not decoded: a long prompt
        is not copied to be thrown away; other values go to the C scanner."""
        text = self.text
        if text[offset] != '"':
            return int(_SCAN(text, offset)[1])
        quote = text.find('"', offset + 1)
        while True:
            backslash = quote
            while text[backslash - 1] == "\\":
                backslash -= 1
            if (quote - backslash) % 2 == 0:
                return quote + 1
            quote = text.find('"', quote + 1)

    def _member(self, offset: int, name: str, present: bool) -> tuple[int, int] | None:
        """(key offset, value offset) of the last member `name` of the object at `offset`;
        `present`: the member is known to exist."""
        text, skip = self.text, self._skip
        if present and self.plain:
            # Without a backslash in the text, the member is spelled `"name"` exactly (a name
            # that needs an escape cannot be there): when that spelling comes once from here
            # on, it is the member's.
            literal = f'"{name}"'
            first = text.find(literal, offset)
            if text.find(literal, first + 1) < 0:
                colon = skip(first + len(literal))
                return first, skip(colon + 1)
        members = self._members.get(offset)
        if members is None:
            members = self._members[offset] = {}
            cursor = skip(offset + 1)
            while text[cursor] != "}":
                key, key_end = _SCAN_KEY(text, cursor + 1)
                colon = key_end if text[key_end] == ":" else skip(key_end)
                value = colon + 1 if text[colon + 1] not in _JSON_SPACE else skip(colon + 1)
                members[key] = (cursor, value)  # a later duplicate replaces it: the last counts
                end = self._end(value)
                cursor = end if text[end] not in _JSON_SPACE else skip(end)
                if text[cursor] == ",":
                    cursor = skip(cursor + 1)
        return members.get(name)

    def _item(self, offset: int, index: int) -> int | None:
        text, skip = self.text, self._skip
        starts = self._items.get(offset)
        if starts is None:
            cursor = skip(offset + 1)
            starts = self._items[offset] = [-1 if text[cursor] == "]" else cursor]
        while len(starts) <= index and starts[-1] >= 0:  # scan only as far as asked
            cursor = skip(self._end(starts[-1]))
            starts.append(-1 if text[cursor] == "]" else skip(cursor + 1))
        return starts[index] if index < len(starts) and starts[index] >= 0 else None

    def _walk(self, pointer: str) -> tuple[int, int]:
        """(key offset or -1, value offset) of the deepest existing node along `pointer`."""
        key_offset, offset = -1, self._skip(0)
        current, known = self.value, self.value is not _UNKNOWN
        for token in split_pointer(pointer):
            char = self.text[offset : offset + 1]
            if char == "{":
                if known:
                    if token not in current:
                        break
                    current = current[token]
                member = self._member(offset, token, known)
                if member is None:
                    break
                key_offset, offset = member
            elif char == "[" and token.isdigit():
                index = int(token)
                if known:
                    if index >= len(current):
                        break
                    current = current[index]
                item = self._item(offset, index)
                if item is None:
                    break
                key_offset, offset = -1, item
            else:
                break
        return key_offset, offset

    def value_at(self, pointer: str) -> tuple[int, int]:
        return self.line_col(self._walk(pointer)[1])

    def key_at(self, pointer: str) -> tuple[int, int]:
        key_offset, offset = self._walk(pointer)
        return self.line_col(key_offset if key_offset >= 0 else offset)
