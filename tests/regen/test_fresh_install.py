"""The whole loop on a fresh copy with a plain `pip install`, as the README tells a user.

One test, because each `pip install` into a new venv (and pre-commit's own) takes a while: copy
the spec, add a field and widen a range, generate a package under its own name, install it next
to genspec, validate a body with the new field through `[tool.genspec] spec`, and run the
pre-commit hook, which must see the new field too. The venv has another ruff first, which the
install must leave alone, and `genspec generate --check` must find the clone up to date there.
Needs PyPI or the configured mirror.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from regen_helpers import ROOT, add_foo_and_widen_steps, user_spec

OTHER_RUFF = "0.16.0"  # not the dev extra's ruff
GIT = ["git", "-c", "user.name=genspec tests", "-c", "user.email=tests@genspec.invalid"]


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout


def fresh_clone(destination: Path) -> Path:
    """This working tree (tracked and untracked files, not ignored ones) as a new repository."""
    listed = sh("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    sh(*GIT, "init", "-q", cwd=destination)
    sh(*GIT, "add", "-A", cwd=destination)
    sh(*GIT, "commit", "-q", "-m", "snapshot", cwd=destination)
    return destination


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_edit_the_spec_generate_install_and_validate_on_a_plain_install(tmp_path: Path) -> None:
    clone = fresh_clone(tmp_path / "genspec")
    sh(sys.executable, "-m", "venv", tmp_path / "venv", cwd=tmp_path)
    python = tmp_path / "venv" / "bin" / "python"
    # A project with its own (older) ruff keeps it: genspec pins no formatter.
    sh(python, "-m", "pip", "install", "-q", f"ruff=={OTHER_RUFF}", cwd=tmp_path)
    sh(python, "-m", "pip", "install", "-q", str(clone), cwd=tmp_path)  # no extras
    assert sh(python, "-m", "ruff", "--version", cwd=tmp_path).split() == ["ruff", OTHER_RUFF]
    # ... and regenerating the clone there is byte-identical (`--check`: nothing differs).
    assert "is up to date" in sh(python, "-m", "genspec", "generate", "--check", cwd=clone)

    project = tmp_path / "project"
    user_spec(project / "myspec", add_foo_and_widen_steps)
    (project / "pyproject.toml").write_text('[tool.genspec]\nspec = "myspec"\n')
    (project / "requests").mkdir()
    body = {"prompt": "a cat", "foo": "x", "num_inference_steps": 70}
    (project / "requests" / "body.json").write_text(json.dumps(body))
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}

    def genspec(*args: str) -> str:
        return sh(python, "-m", "genspec", *args, cwd=project, env=env)

    wrote = genspec(
        "generate", "--spec-dir", "myspec", "--out", "out", "--package-name", "acme_leonardo"
    )
    assert "wrote out/python/pyproject.toml" in wrote
    sh(python, "-m", "pip", "install", "-q", "./out/python", cwd=project)
    check = (
        "import json, sys\n"
        "import acme_leonardo, leonardo_generations\n"
        "from acme_leonardo.validate_request import is_valid\n"
        "from acme_leonardo.models import GenerationRequest\n"
        "from leonardo_generations import validate_request as bundled\n"
        "body = json.loads(sys.argv[1])\n"
        "assert is_valid(body), 'the new spec accepts the body'\n"
        "assert not bundled.is_valid(body), 'the bundled spec refuses it'\n"
        "assert GenerationRequest.model_validate(body).foo == 'x'\n"
        "assert acme_leonardo.Client is not leonardo_generations.Client\n"
        "print(acme_leonardo.__file__)\n"
    )
    where = sh(python, "-c", check, json.dumps(body), cwd=tmp_path)
    assert "site-packages/acme_leonardo" in where  # the installed copy, not the folder

    assert "no problems found" in genspec("validate", "requests")
    assert "no problems found" in genspec("lint", "requests/body.json")

    # The pre-commit hook of the same clone reads the project's spec too: the new field passes,
    # and a wrong value in it fails with the new field's own type error.
    (project / "requests" / "bad.json").write_text('{"prompt": "a cat", "foo": 5}')
    sh(*GIT, "init", "-q", cwd=project)
    sh(*GIT, "add", "-A", cwd=project)
    hook = [sys.executable, "-m", "pre_commit", "try-repo", clone, "genspec-validate", "--files"]
    sh(*hook, "requests/body.json", cwd=project, env=env)
    failed = subprocess.run(
        [*map(str, hook), "requests/bad.json"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, **env},
    )
    assert failed.returncode == 1, failed.stdout
    assert "(at /foo)" in failed.stdout and "schema-type" in failed.stdout
    assert "unknown property" not in failed.stdout
