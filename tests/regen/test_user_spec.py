"""The user's spec everywhere: `[tool.genspec] spec` and `--spec` for validate and lint, compiled
once and cached by content hash; a changed spec or a damaged cache entry is never trusted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from regen_helpers import REQUEST, add_foo_and_widen_steps, genspec, user_spec

BODY = '{"prompt": "a cat", "foo": "x", "num_inference_steps": 70}\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project whose pyproject.toml names its own, edited spec; its own cache folder."""
    root = tmp_path / "project"
    user_spec(root / "myspec", add_foo_and_widen_steps)
    (root / "pyproject.toml").write_text('[tool.genspec]\nspec = "myspec"\n')
    (root / "requests").mkdir()
    (root / "requests" / "body.json").write_text(BODY)
    return root


def run(project: Path, *args: str) -> tuple[int, str, str]:
    done = genspec(*args, cwd=project, env={"XDG_CACHE_HOME": str(project.parent / "cache")})
    return done.returncode, done.stdout, done.stderr


def cache_entries(project: Path) -> list[Path]:
    return sorted((project.parent / "cache/genspec/validators").glob("*.bin"))


def test_validate_and_lint_read_the_configured_spec(project: Path) -> None:
    assert run(project, "validate", "requests")[0] == 0
    code, out, _ = run(project, "lint", "requests/body.json")
    assert code == 0 and "no problems found" in out
    # The bundled spec still refuses both edits: the setting is what changed the verdict.
    code, out, _ = run(project, "validate", "--isolated", "requests")
    assert code == 1 and "unknown property 'foo'" in out and "greater than the maximum 60" in out
    # From a subfolder, the spec path is read relative to the pyproject.toml.
    assert run(project / "requests", "validate", "body.json")[0] == 0


def test_spec_option_wins_and_needs_no_pyproject(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "body.json").write_text(BODY)
    assert run(elsewhere, "validate", "body.json")[0] == 1
    assert run(elsewhere, "validate", "--spec", str(project / "myspec"), "body.json")[0] == 0
    schema_file = project / "myspec" / REQUEST
    assert run(elsewhere, "lint", "--spec", str(schema_file), "body.json")[0] == 0


def test_a_changed_spec_is_never_checked_with_the_old_validator(project: Path) -> None:
    assert run(project, "validate", "requests")[0] == 0
    assert len(cache_entries(project)) == 1
    schema_path = project / "myspec" / REQUEST
    schema = json.loads(schema_path.read_text())
    schema["properties"]["num_inference_steps"]["maximum"] = 65
    schema_path.write_text(json.dumps(schema))
    code, out, _ = run(project, "validate", "requests")
    assert code == 1 and "greater than the maximum 65" in out
    assert len(cache_entries(project)) == 2


def test_a_damaged_or_forged_cache_entry_is_rebuilt_not_trusted(project: Path) -> None:
    assert run(project, "validate", "requests")[0] == 0
    (entry,) = cache_entries(project)
    genuine = entry.read_bytes()
    header = genuine.partition(b"\n")[0]
    accept_nothing = b"def validate(x):\n    return [None]\n"

    # Truncated, a forged body under the genuine header, and garbage: each rebuilt.
    for damaged in (genuine[: len(genuine) // 2], header + b"\n" + accept_nothing, b"\x00garbage"):
        entry.write_bytes(damaged)
        code, out, err = run(project, "validate", "requests")
        assert code == 0 and "no problems found" in out, err
        assert entry.read_bytes() == genuine
    # The clean body with foo is accepted; a body the user's spec refuses is still refused.
    (project / "requests" / "bad.json").write_text('{"prompt": "a cat", "num_inference_steps": 71}')
    code, out, _ = run(project, "validate", "requests")
    assert code == 1 and "greater than the maximum 70" in out


def test_a_bad_spec_setting_is_exit_2_in_one_line(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.genspec]\nspec = "missing"\n')
    code, _, err = run(project, "validate", "requests")
    assert code == 2 and len(err.splitlines()) == 1 and "missing" in err
    (project / "pyproject.toml").write_text("[tool.genspec]\nspec = 3\n")
    code, _, err = run(project, "lint", "requests")
    assert code == 2 and "spec must be a path" in err
    (project / "pyproject.toml").write_text('[tool.genspec]\nspec = "myspec"\n')
    (project / "myspec" / REQUEST).write_text('{"type": "object", "minimum": "x"}')
    code, _, err = run(project, "validate", "requests")
    assert code == 2 and "cannot compile" in err and REQUEST in err
