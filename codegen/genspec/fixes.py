"""Fixes for lint findings, as text edits: one place for the editor's quick fixes
(`genspec server` code actions) and `genspec lint --fix`/`--diff`.

A fix is computed from a finding and the text it was found in, never from the message: the
member's place comes from the position parser, the replacement name from the schema. A fix is
*safe* when the request means what its author meant, only better said: dropping a field that
changes nothing (its default, a switch that is off, the earlier copy of a repeated key),
renaming a key that differs from the spec's name only in case or `_`. Anything that changes
what the API is asked for (turning Alchemy off for ultra, dropping a deprecated field, a
did-you-mean guessed by similarity) is offered in the editor and applied by `--fix` only
with `--unsafe-fixes`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from genspec.jsonio import JsonInputError, Positions, parse_with_positions
from genspec.pointer import split as split_pointer

if TYPE_CHECKING:
    from genspec.check import Engine, Selection
    from genspec.diagnostics import Diagnostic, LintModel
    from genspec.ir import Node

MAX_PASSES = 10  # fixing can reveal new fixes (two adjacent removals); stop well before a loop
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] (code point offsets into the whole document) by `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Fix:
    title: str
    edits: tuple[Edit, ...]
    safe: bool
    diagnostic: Diagnostic


@dataclass(frozen=True)
class _Segment:
    """One body: the whole .json document, or one line of a .jsonl file."""

    text: str
    offset: int  # where it starts in the document
    first_line: int
    positions: Positions


def _segments(text: str, *, jsonl: bool) -> Iterable[_Segment]:
    pieces: list[tuple[str, int, int]] = []
    if jsonl:
        offset = 0
        for number, line in enumerate(text.split("\n"), start=1):
            pieces.append((line.removesuffix("\r"), offset, number))
            offset += len(line) + 1
    else:
        pieces.append((text, 0, 1))
    for piece, offset, first_line in pieces:
        skip = 1 if piece.startswith("\ufeff") else 0  # the BOM has a finding of its own
        if not piece[skip:].strip():
            continue
        try:
            _, positions = parse_with_positions(piece[skip:], first_line=first_line)
        except JsonInputError:
            continue  # nothing to fix in a body we cannot read
        yield _Segment(piece[skip:], offset + skip, first_line, positions)


def fixes_for(
    text: str, diagnostics: Iterable[Diagnostic], model: LintModel | None, *, jsonl: bool
) -> list[Fix]:
    """Every fix genspec knows for `diagnostics` (found in `text`), in their order."""
    if model is None:
        return []
    segments = list(_segments(text, jsonl=jsonl))
    found: list[Fix] = []
    for diagnostic in diagnostics:
        segment = _segment_of(segments, diagnostic.line, jsonl=jsonl)
        if segment is None:
            continue
        fix = _fix(segment, diagnostic, model)
        if fix is not None:
            found.append(fix)
    return found


def _segment_of(segments: list[_Segment], line: int, *, jsonl: bool) -> _Segment | None:
    if not jsonl:
        return segments[0] if segments else None
    return next((s for s in segments if s.first_line == line), None)


def _fix(segment: _Segment, diagnostic: Diagnostic, model: LintModel) -> Fix | None:
    rule = diagnostic.rule_id
    pointer = diagnostic.anchor or diagnostic.instance_path
    if rule == "unknown-key" or (diagnostic.anchor and rule.startswith("schema-")):
        return _rename_fix(segment, diagnostic, pointer, model)
    if rule in ("no-effect", "default-value"):
        return _removal_fix(segment, diagnostic, pointer, safe=True)
    if rule == "deprecated-field":
        tokens = split_pointer(pointer)
        if len(tokens) == 1 and tokens[0] in LEGACY_CONTROLNET:
            return _controlnet_migration(segment, diagnostic, pointer)
        return _removal_fix(segment, diagnostic, pointer, safe=False)
    if rule == "duplicate-key":
        return _duplicate_fix(segment, diagnostic)
    if rule == "ultra-requires-alchemy-off":
        return _set_member_fix(segment, diagnostic, "", "alchemy", False, after="ultra")
    return None


# --- the legacy ControlNet fields, migrated to controlnets[] -------------------------------------
# Sources: shared/reference/leonardo-api-facts.md 2.8 (Image Guidance guide, OAS) and the spec.

LEGACY_CONTROLNET = ("controlNet", "controlNetType", "weighting")
# "Legacy controlNetType mapping: CANNY = Edge to Image, POSE = Pose to Image, DEPTH = Depth to
# Image" (facts 2.8); the preprocessor ids of those kinds per base model, from the table of the
# Image Guidance guide (facts 2.8: Edge 1/12/19, Depth 3/13/20, Pose 7/16/21 on SD1.5/SD2.1/SDXL;
# "x", not available, on Phoenix, and none documented for Flux or Lucid).
_KINDS = {"CANNY": "Edge to Image", "DEPTH": "Depth to Image", "POSE": "Pose to Image"}
_PREPROCESSORS = {
    "Edge to Image": {"SD1.5": 1, "SD2.1": 12, "SDXL": 19},
    "Depth to Image": {"SD1.5": 3, "SD2.1": 13, "SDXL": 20},
    "Pose to Image": {"SD1.5": 7, "SD2.1": 16, "SDXL": 21},
}
# Base models the reference states: sd_version v1_5 is SD 1.5 and v2 SD 2.1 (the spec's
# sd_version description), the SDXL_* versions are SDXL; model ids with a documented base
# (facts 2.9 Elements table and 2.11): Lightning XL and Anime XL (SDXL Lightning), Kino XL,
# Vision XL, Diffusion XL, AlbedoBase XL (SDXL 0.9), SDXL 1.0, SDXL 0.9, Leonardo Creative
# (SD2.1). Any other model (Phoenix, Flux, a custom model) has no documented Edge/Depth/Pose id.
_SD_VERSION_BASES = {
    "v1_5": "SD1.5",
    "v2": "SD2.1",
    **dict.fromkeys(("SDXL_0_8", "SDXL_0_9", "SDXL_1_0", "SDXL_LIGHTNING"), "SDXL"),
}
_MODEL_BASES = {
    "b24e16ff-06e3-43eb-8d33-4416c2d75876": "SDXL",  # Leonardo Lightning XL
    "e71a1c2f-4f80-4800-934f-2c68979d8cc8": "SDXL",  # Leonardo Anime XL
    "aa77f04e-3eec-4034-9c07-d0f619684628": "SDXL",  # Leonardo Kino XL
    "5c232a9e-9061-4777-980a-ddc8e65647c6": "SDXL",  # Leonardo Vision XL
    "1e60896f-3c26-4296-8ecc-53e2afecc132": "SDXL",  # Leonardo Diffusion XL
    "2067ae52-33fd-4a82-bb92-c2c55e7d2786": "SDXL",  # AlbedoBase XL
    "16e7060a-803e-4df3-97ee-edcfa5dc9cc8": "SDXL",  # SDXL 1.0
    "b63f7119-31dc-4540-969b-2a9df997e173": "SDXL",  # SDXL 0.9
    "6bef9f1b-29cb-40c7-b9df-32b51c1f67d3": "SD2.1",  # Leonardo Creative
}


def _legacy_controlnet_item(body: dict[str, Any]) -> tuple[dict[str, Any], str] | str:
    """The controlnets[] item the legacy fields of `body` stand for, with a description of it,
    or why none can be written without guessing."""
    if body.get("controlNet") is not True:
        return "controlNet is not true, so the legacy ControlNet was off"
    if "controlnets" in body:
        return "the body already has controlnets"
    kind = _KINDS.get(str(body.get("controlNetType")))
    if kind is None:
        return "controlNetType does not name the kind of guidance"
    # The legacy ControlNet "requires an init image to be provided" (facts 2.8, older docs):
    # that image is the guidance image. init_image_id is an uploaded image, init_generation_
    # image_id a generated one (the spec's descriptions; initImageType says which).
    images = [
        (body[name], kind_of_image)
        for name, kind_of_image in (
            ("init_image_id", "UPLOADED"),
            ("init_generation_image_id", "GENERATED"),
        )
        if isinstance(body.get(name), str)
    ]
    if len(images) != 1:
        return "the guidance image (init_image_id or init_generation_image_id) is not one known id"
    model = body.get("modelId")
    if model is not None:
        base = _MODEL_BASES.get(model) if isinstance(model, str) else None
    else:  # no modelId: the documented readings disagree unless sd_version names the base
        base = _SD_VERSION_BASES.get(str(body.get("sd_version")))
    if base is None:
        return f"the {kind} preprocessorId depends on the model's base, not known for this body"
    item: dict[str, Any] = {
        "initImageId": images[0][0],
        "initImageType": images[0][1],
        "preprocessorId": _PREPROCESSORS[kind][base],
    }
    weighting = body.get("weighting")
    if isinstance(weighting, int | float) and not isinstance(weighting, bool):
        item["weight"] = weighting  # "Legacy ControlNet weight ... use controlnets[].weight"
    return item, f"{kind}, preprocessorId {item['preprocessorId']} on {base}"


def _controlnet_migration(segment: _Segment, diagnostic: Diagnostic, pointer: str) -> Fix | None:
    """controlNet, controlNetType and weighting replaced by the one controlnets[] item they
    stand for: the first of them (in the text) becomes `"controlnets": [...]`, the others go.
    Where a value of the item is not documented for the body, only the field is removed, and
    the title says why."""
    try:
        body = json.loads(segment.text)
    except ValueError:
        body = None
    found = _legacy_controlnet_item(body) if isinstance(body, dict) else "the body is not an object"
    members = segment.positions.root.members or {}
    if isinstance(found, str):
        removal = _removal_fix(segment, diagnostic, pointer, safe=False)
        if removal is None:
            return None
        return Fix(
            f"{removal.title} (not migrated to controlnets: {found})",
            removal.edits,
            False,
            diagnostic,
        )
    item, description = found
    legacy = sorted(
        (members[name].key_offset, name) for name in LEGACY_CONTROLNET if name in members
    )
    first = members[legacy[0][1]]
    replacement = '"controlnets": ' + json.dumps([item], ensure_ascii=False)
    edits = [_edit(segment, first.key_offset, _value_end(segment.text, first.offset), replacement)]
    for _, name in legacy[1:]:  # each after the first: its span starts at its own comma
        span = _member_span(segment, [name])
        if span is None:
            return None
        edits.append(_edit(segment, span[0], span[1], ""))
    names = ", ".join(name for _, name in legacy)
    title = f"Replace {names} by controlnets ({description})"
    return Fix(title, tuple(edits), False, diagnostic)


def folded(name: str) -> str:
    return re.sub(r"[_\-]", "", name).lower()


def _rename_fix(
    segment: _Segment, diagnostic: Diagnostic, pointer: str, model: LintModel
) -> Fix | None:
    from genspec.diagnostics import closest_name

    tokens = split_pointer(pointer)
    if not tokens:
        return None
    name, parent = tokens[-1], tokens[:-1]
    node = schema_node(model, parent)
    known = model.property_names(node) if node is not None else None
    parent_node = _text_node(segment.positions, parent)
    member = _text_node(segment.positions, tokens)
    if not known or parent_node is None or member is None or parent_node.members is None:
        return None
    suggestion = closest_name(name, known)
    if suggestion is None or suggestion in parent_node.members:
        return None  # renaming would make a duplicate key
    start = member.key_offset
    _, end = json.decoder.scanstring(segment.text, start + 1)  # type: ignore[attr-defined]
    edit = _edit(segment, start, end, json.dumps(suggestion, ensure_ascii=False))
    safe = folded(name) == folded(suggestion)
    return Fix(f"Rename {name!r} to {suggestion!r}", (edit,), safe, diagnostic)


def _removal_fix(
    segment: _Segment, diagnostic: Diagnostic, pointer: str, *, safe: bool
) -> Fix | None:
    tokens = split_pointer(pointer)
    span = _member_span(segment, tokens)
    if span is None:
        return None
    edit = _edit(segment, span[0], span[1], "")
    return Fix(f"Remove {tokens[-1]!r}", (edit,), safe, diagnostic)


def _duplicate_fix(segment: _Segment, diagnostic: Diagnostic) -> Fix | None:
    """Drop the earlier copy of a repeated member: the API keeps the last, so the request the
    API reads stays the same (safe)."""
    for dup in segment.positions.duplicate_keys:
        if dup.pointer == diagnostic.instance_path and (dup.line, dup.col) == (
            diagnostic.line,
            diagnostic.col,
        ):
            key_offset = _offset_of(segment, dup.first_line, dup.first_col)
            _, key_end = json.decoder.scanstring(segment.text, key_offset + 1)  # type: ignore[attr-defined]
            colon = _skip_space(segment.text, key_end)
            value_offset = _skip_space(segment.text, colon + 1)
            start, end = _span(segment.text, key_offset, value_offset)
            name = split_pointer(dup.pointer)[-1]
            title = f"Remove the first {name!r} (the API keeps the last)"
            return Fix(title, (_edit(segment, start, end, ""),), True, diagnostic)
    return None


def _offset_of(segment: _Segment, line: int, col: int) -> int:
    """The offset in the segment of a 1-based line and code point column."""
    offset = 0
    for _ in range(line - segment.first_line):
        offset = segment.text.index("\n", offset) + 1
    return offset + col - 1


def _set_member_fix(
    segment: _Segment, diagnostic: Diagnostic, parent: str, name: str, value: Any, *, after: str
) -> Fix | None:
    literal = json.dumps(value)
    title = f'Set "{name}": {literal}'
    object_tokens = split_pointer(parent)
    container = _text_node(segment.positions, object_tokens)
    if container is None or container.members is None:
        return None
    existing = container.members.get(name)
    if existing is not None:
        end = _value_end(segment.text, existing.offset)
        return Fix(title, (_edit(segment, existing.offset, end, literal),), False, diagnostic)
    anchor = container.members.get(after)
    if anchor is None:
        return None
    end = _value_end(segment.text, anchor.offset)
    line_start = segment.text.rfind("\n", 0, anchor.key_offset) + 1
    indent = segment.text[line_start : anchor.key_offset]
    separator = "\n" + indent if indent.strip() == "" and "\n" in segment.text else " "
    inserted = f",{separator}{json.dumps(name)}: {literal}"
    return Fix(title, (_edit(segment, end, end, inserted),), False, diagnostic)


def _edit(segment: _Segment, start: int, end: int, text: str) -> Edit:
    return Edit(segment.offset + start, segment.offset + end, text)


def _text_node(positions: Positions, tokens: list[str]) -> Any:
    """The parser's node for the value at `tokens`, None when the body has no such value."""
    node = positions.root
    for token in tokens:
        if node.members is not None and token in node.members:
            node = node.members[token]
        elif node.items is not None and token.isdigit() and int(token) < len(node.items):
            node = node.items[int(token)]
        else:
            return None
    return node


def _value_end(text: str, offset: int) -> int:
    _, end = _DECODER.raw_decode(text, offset)
    return int(end)


def _skip_space(text: str, offset: int) -> int:
    while offset < len(text) and text[offset] in " \t\r\n":
        offset += 1
    return offset


def _member_span(segment: _Segment, tokens: list[str]) -> tuple[int, int] | None:
    """The text to delete to drop a member, its comma included, so the rest stays valid JSON:
    from the comma before it, or (the first member) up to the next member's name."""
    member = _text_node(segment.positions, tokens)
    if member is None or member.key_offset < 0:
        return None
    return _span(segment.text, member.key_offset, member.offset)


def _span(text: str, key_offset: int, value_offset: int) -> tuple[int, int]:
    end = _value_end(text, value_offset)
    before = text[:key_offset].rstrip(" \t\r\n")
    if before.endswith(","):
        return len(before) - 1, end
    after = _skip_space(text, end)
    if text.startswith(",", after):
        return key_offset, _skip_space(text, after + 1)
    return key_offset, end  # the only member: `{}` remains


def schema_node(model: LintModel, tokens: list[str]) -> Node | None:
    """The schema node describing the value at `tokens` (the first branch that declares it)."""
    node = model.root
    for token in tokens:
        candidates = model.property_nodes(node, token)
        if not candidates:
            candidates = model.item_nodes(node) if token.isdigit() else []
        if not candidates:
            return None
        node = candidates[0]
    return node


def apply_edits(text: str, edits: Iterable[Edit]) -> tuple[str, int]:
    """`text` with the edits that do not overlap an earlier one applied, and how many were."""
    chosen: list[Edit] = []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if chosen and edit.start < chosen[-1].end:
            continue  # the next pass gets it, on the fixed text
        if chosen and edit.start == chosen[-1].end == chosen[-1].start == edit.end:
            continue  # two insertions at one place: one per pass keeps their order clear
        chosen.append(edit)
    for edit in reversed(chosen):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text, len(chosen)


def fix_text(
    text: str,
    lint: Callable[[str], list[Diagnostic]],
    model: LintModel | None,
    *,
    jsonl: bool,
    unsafe: bool = False,
) -> tuple[str, int]:
    """Apply fixes until none is left (at most MAX_PASSES times), re-linting in between.
    Returns the fixed text and the number of fixes applied."""
    applied = 0
    for _ in range(MAX_PASSES):
        fixes = [f for f in fixes_for(text, lint(text), model, jsonl=jsonl) if f.safe or unsafe]
        if not fixes:
            break
        text, count = apply_edits(text, (e for f in fixes for e in f.edits))
        applied += count
    return text, applied


# --- genspec lint --fix / --diff ----------------------------------------------------------------


@dataclass
class FixRun:
    files: int = 0  # files a fix applies to
    fixes: int = 0
    failed: int = 0  # files that could not be written


def fix_files(
    names: Iterable[str],
    engine: Engine,
    selection: Selection,
    *,
    write: bool,
    unsafe: bool,
    out: IO[str],
) -> FixRun:
    """Fix each file: written at once (`write`) or shown as a unified diff on `out`. A file that
    cannot be read or decoded is left alone (the lint run that follows reports it)."""
    import difflib
    import sys

    from genspec.check import MAX_FILE_BYTES
    from genspec.editor import is_jsonl, lint_document
    from genspec.inputs import InputRefused, read_bounded
    from genspec.jsonio import write_atomic

    totals = FixRun()
    model = engine.view()
    for name in names:
        try:
            data = read_bounded(name, MAX_FILE_BYTES)
            text = data.decode("utf-8")
        except (InputRefused, OSError, UnicodeDecodeError):
            continue
        if len(data) > MAX_FILE_BYTES:
            continue

        def lint(current: str, name: str = name) -> list[Diagnostic]:
            return lint_document(current, name, engine, selection)

        fixed, count = fix_text(text, lint, model, jsonl=is_jsonl(name), unsafe=unsafe)
        if not count or fixed == text:
            continue
        totals.files += 1
        totals.fixes += count
        if write:
            try:
                write_atomic(name, fixed.encode("utf-8"))
            except OSError as exc:  # the old file stays whole: write_atomic replaces or not
                print(f"genspec lint: {name}: cannot write: {exc.strerror or exc}", file=sys.stderr)
                totals.failed += 1
                continue
        else:
            out.writelines(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    fixed.splitlines(keepends=True),
                    fromfile=f"a/{name}",
                    tofile=f"b/{name}",
                )
            )
    out.flush()
    return totals
