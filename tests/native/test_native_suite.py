"""The official JSON-Schema-Test-Suite (draft 2020-12) through native modules.

Building one extension per group would take minutes each run, so the groups are built together
(`build_native_modules`: one mypyc run, one C compile). The default profile builds one batch:
the first two groups of a set of keyword files. The deep profile
(GENSPEC_HYPOTHESIS_PROFILE=deep) builds every file, one batch per file. Groups, remotes and the
documented refusals are tests/conformance's; a native build may also refuse a recursive schema.
Every test's `valid` must be what the native `is_valid` and `validate` say.
"""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from native_support import REPO, require_toolchain

from genspec.ir import SchemaError
from genspec.native import build_native_modules, native_source

sys.path.insert(0, str(REPO / "tests" / "conformance"))
from test_conformance import DOCUMENTED_REFUSALS, GROUPS, ROOT, remotes

KEYWORD_FILES = (
    "properties",
    "required",
    "enum",
    "const",
    "type",
    "items",
    "prefixItems",
    "contains",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if-then-else",
    "minimum",
    "multipleOf",
    "pattern",
    "uniqueItems",
    "dependentRequired",
    "additionalProperties",
)
GROUPS_PER_FILE = 2
NATIVE_REFUSAL = "the schema is recursive"
DEEP = settings.default.max_examples > settings.get_profile("ci").max_examples * 100

pytestmark = pytest.mark.skipif(
    ROOT is None,
    reason="JSON-Schema-Test-Suite not found: set JSON_SCHEMA_TEST_SUITE or put it in ../shared",
)


def batches() -> dict[str, list[tuple[str, dict[str, Any]]]]:
    by_file: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, group in GROUPS:  # named "<file stem>: <description>"
        by_file.setdefault(name.split(": ", 1)[0], []).append((name, group))
    if DEEP:
        return by_file
    return {"keywords": [g for f in KEYWORD_FILES for g in by_file.get(f, [])[:GROUPS_PER_FILE]]}


BATCHES = batches()


@pytest.mark.parametrize("batch", sorted(BATCHES))
def test_every_verdict_of_the_batch_holds_natively(batch: str, tmp_path: Path) -> None:
    require_toolchain()
    prefix = "suite_" + re.sub(r"\W", "_", batch)
    groups: dict[str, dict[str, Any]] = {}
    sources: dict[str, str] = {}
    for position, (name, group) in enumerate(BATCHES[batch]):
        try:
            source = native_source(group["schema"], resources=remotes())
        except SchemaError as exc:
            reasons = (*DOCUMENTED_REFUSALS, NATIVE_REFUSAL)
            assert any(reason in str(exc) for reason in reasons), f"{name} refused: {exc}"
            continue
        groups[f"{prefix}_{position}"] = group
        sources[f"{prefix}_{position}"] = source
    if not DEEP:  # the keyword files are plain assertions and applicators: nearly all build
        assert len(sources) >= 0.8 * len(BATCHES[batch]), "most groups must build"
    if not sources:
        pytest.skip(f"every group of {batch} is refused, each for a documented reason")
    written = build_native_modules(sources, tmp_path)
    assert {path.name.partition(".")[0] for path in written} >= set(sources)
    sys.path.insert(0, str(tmp_path))  # the modules share the library built beside them
    wrong = []
    try:
        for module_name, group in groups.items():
            module = importlib.import_module(module_name)
            assert Path(module.__file__ or "").suffix != ".py"
            for case in group["tests"]:
                verdict = (module.is_valid(case["data"]), module.validate(case["data"]) == [])
                if verdict != (case["valid"], case["valid"]):
                    wrong.append(f"{group['description']}: {case['description']}: {verdict}")
    finally:
        sys.path.remove(str(tmp_path))
    assert wrong == []
