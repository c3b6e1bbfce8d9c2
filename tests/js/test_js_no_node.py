"""Without node on PATH the JavaScript target says so in one line and exits 2, writing nothing.

Real subprocesses of the CLI with PATH holding no node (an empty folder): `genspec compile
--target js` and `genspec generate`, whose Python outputs must stay as they were (generate
writes all of generated/ or none of it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec"


def genspec_without_node(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    empty = tmp_path / "bin"
    empty.mkdir(exist_ok=True)
    env = {**os.environ, "PATH": str(empty)}
    return subprocess.run(
        [sys.executable, "-m", "genspec", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
        timeout=300,
    )


def assert_one_line_about_node(result: subprocess.CompletedProcess[str], command: str) -> None:
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"genspec {command}: error: ")
    assert "needs node" in lines[0] and "Node.js" in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_compile_to_js_without_node_names_node_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out.mjs"
    schema = SPEC / "generation-request.schema.json"
    result = genspec_without_node(
        tmp_path, "compile", str(schema), "--target", "js", "-o", str(out)
    )
    assert_one_line_about_node(result, "compile")
    assert not out.exists()


def test_compile_to_js_without_patterns_needs_no_node(tmp_path: Path) -> None:
    schema = tmp_path / "s.json"
    schema.write_text('{"type": "object", "required": ["a"]}', encoding="utf-8")
    out = tmp_path / "s.mjs"
    result = genspec_without_node(
        tmp_path, "compile", str(schema), "--target", "js", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "export function isValid" in out.read_text(encoding="utf-8")


def test_generate_without_node_leaves_every_output_as_it_was(tmp_path: Path) -> None:
    spec, out = tmp_path / "spec", tmp_path / "generated"
    shutil.copytree(SPEC, spec)
    shutil.copytree(REPO / "generated", out)
    # A stale Python output that a successful generate would rewrite: it must survive.
    stale = out / "python" / "leonardo_generations" / "validate_request.py"
    stale.write_text("# stale\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    result = genspec_without_node(tmp_path, "generate", "--spec-dir", str(spec), "--out", str(out))
    assert_one_line_about_node(result, "generate")
    after = {p: p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert after == before
