"""The repo works as a pre-commit hook: `pre-commit try-repo` installs it and runs it for real.

try-repo needs a git repository with a commit, so the test snapshots this working tree (tracked
and untracked, not ignored files) into a temporary repository. pre-commit then pip-installs it
into a fresh environment, which needs PyPI (or a configured mirror) for the dependencies.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GIT_IDENTITY = ["-c", "user.name=genspec tests", "-c", "user.email=tests@genspec.invalid"]


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *GIT_IDENTITY, *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def snapshot_of_this_tree(destination: Path) -> Path:
    listed = git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git("init", "-q", cwd=destination)
    git("add", "-A", cwd=destination)
    git("commit", "-q", "-m", "snapshot", cwd=destination)
    return destination


def in_git_checkout() -> bool:
    if shutil.which("git") is None:
        return False
    found = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"], cwd=ROOT, capture_output=True, text=True
    )
    return found.returncode == 0 and found.stdout.strip() == "true"


# The snapshot lists this tree's files with `git ls-files`: an sdist or a copied tree has none.
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.skipif(not in_git_checkout(), reason="not a git checkout: nothing to snapshot")
def test_hooks_run_through_pre_commit_try_repo(tmp_path: Path) -> None:
    hook_repo = snapshot_of_this_tree(tmp_path / "genspec")
    project = tmp_path / "project"
    (project / "requests").mkdir(parents=True)
    (project / "requests" / "bad.json").write_text('{"prompt": "a cat",\n "num_images": 99}\n')
    (project / "requests" / "ok.jsonl").write_text('{"prompt": "a cat"}\n')
    (project / "requests" / "warn.json").write_text('{"prompt": "a cat", "num_images": 4}\n')
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)

    def try_repo(hook: str, *files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "pre_commit",
                "try-repo",
                str(hook_repo),
                hook,
                "--files",
                *files,
            ],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=900,
            env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache")},
        )

    failed = try_repo("genspec-validate", "requests/bad.json", "requests/ok.jsonl")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "requests/bad.json:2:16: schema-maximum [error]" in failed.stdout
    passed = try_repo("genspec-lint", "requests/ok.jsonl", "requests/warn.json")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    # verbose: true, so a passing lint still shows its warnings
    assert "requests/warn.json:1:35: default-value [warning]" in passed.stdout
