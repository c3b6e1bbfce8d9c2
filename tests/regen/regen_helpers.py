"""Shared by the regen tests: run genspec for real, make a user's spec folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec"
REQUEST = "generation-request.schema.json"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# Leonardo's OpenAPI operation for POST /generations as of 2026-05 (reference facts, Appendix A).
OPENAPI_2026_05 = FIXTURES / "leonardo-openapi-2026-05.json"


def genspec(
    *args: str | os.PathLike[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    python: str = sys.executable,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [python, "-m", "genspec", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def user_spec(destination: Path, edit: Any = None) -> Path:
    """A copy of the bundled spec folder; `edit(request_schema)` changes it in place."""
    shutil.copytree(SPEC, destination)
    if edit is not None:
        path = destination / REQUEST
        schema = json.loads(path.read_text(encoding="utf-8"))
        edit(schema)
        path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
    return destination


def add_foo_and_widen_steps(schema: dict[str, Any]) -> None:
    """The issue's user edit: a new field `foo`, and num_inference_steps up to 70 (was 60)."""
    schema["properties"]["foo"] = {"type": ["string", "null"], "description": "A new field."}
    schema["properties"]["num_inference_steps"]["maximum"] = 70


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path (bytecode caches aside)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }
