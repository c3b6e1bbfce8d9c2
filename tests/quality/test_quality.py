"""The code base's own gates: ruff, mypy --strict, and generated/ being exactly what the
spec produces. They run with the tests so that the README's one test command covers them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run(*command: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **env},
    )


def test_ruff_check_is_clean() -> None:
    done = run(sys.executable, "-m", "ruff", "check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format_is_clean() -> None:
    done = run(sys.executable, "-m", "ruff", "format", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean() -> None:
    # Plain `mypy` from the root: pyproject.toml names the source roots and packages.
    done = run(sys.executable, "-m", "mypy")
    assert done.returncode == 0, done.stdout + done.stderr


def test_generated_files_are_current_and_regeneration_is_byte_identical() -> None:
    done = run(sys.executable, "-m", "genspec", "generate", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_generate_check_fails_on_a_stale_file(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    shutil.copytree(REPO / "generated", out)
    target = out / "python/leonardo_generations/validate_request.py"
    target.write_text(target.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    (out / "python/leonardo_generations/stray.py").write_text("", encoding="utf-8")
    done = run(sys.executable, "-m", "genspec", "generate", "--check", "--out", out)
    assert done.returncode == 1
    # Messages name the folder as given (--out), not a fixed generated/.
    assert f"stale: {out}/python/leonardo_generations/validate_request.py" in done.stdout
    assert f"{out}/python/leonardo_generations/stray.py" in done.stdout
    fixed = run(sys.executable, "-m", "genspec", "generate", "--out", out)
    assert fixed.returncode == 0, fixed.stderr
    assert run(sys.executable, "-m", "genspec", "generate", "--check", "--out", out).returncode == 0
    assert target.read_bytes() == (REPO / "generated" / target.relative_to(out)).read_bytes()


def test_every_generated_python_file_carries_the_do_not_edit_header() -> None:
    for path in sorted((REPO / "generated").rglob("*.py")):
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        assert any("do not edit" in line.lower() for line in head), path
        assert any("genspec generate" in line for line in head), path
