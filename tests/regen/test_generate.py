"""`genspec generate`: real paths in messages, all-or-nothing output, exit codes, --package-name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from regen_helpers import ROOT, SPEC, add_foo_and_widen_steps, genspec, tree, user_spec

from genspec.generate import replace_tree

GENERATED = ROOT / "generated"


def same_as_committed(folder: Path) -> bool:
    """Every file generated into `folder` equals the committed generated/ copy (which may
    hold other targets' files too)."""
    committed = tree(GENERATED)
    made = tree(folder)
    return bool(made) and all(committed.get(path) == data for path, data in made.items())


def test_messages_name_the_folder_given_and_exit_codes(tmp_path: Path) -> None:
    first = genspec("generate", "--spec-dir", SPEC, "--out", "gen", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    written = first.stdout.splitlines()
    assert written and all(line.startswith("wrote gen/") for line in written), written
    assert "wrote gen/python/leonardo_generations/validate_request.py" in written
    assert "generated/" not in first.stdout
    # The same bytes as the committed generated/ for the same spec.
    assert same_as_committed(tmp_path / "gen")

    again = genspec("generate", "--spec-dir", SPEC, "--out", "gen", cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, f"gen/ is up to date ({len(written)} files)\n")
    assert (
        genspec("generate", "--check", "--spec-dir", SPEC, "--out", "gen", cwd=tmp_path).returncode
        == 0
    )

    (tmp_path / "gen/openapi.json").write_text("{}\n")
    stale = genspec("generate", "--check", "--spec-dir", SPEC, "--out", "gen", cwd=tmp_path)
    assert (stale.returncode, stale.stdout) == (1, "stale: gen/openapi.json\n")


def test_bad_input_is_exit_2_with_one_line_and_the_output_untouched(tmp_path: Path) -> None:
    genspec("generate", "--spec-dir", SPEC, "--out", "gen", cwd=tmp_path)
    before = tree(tmp_path / "gen")
    broken = user_spec(tmp_path / "broken")
    (broken / "generation-request.schema.json").write_text('{"type": "object",\n "oops"}\n')
    done = genspec("generate", "--spec-dir", broken, "--out", "gen", cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and "generation-request.schema.json" in done.stderr
    assert tree(tmp_path / "gen") == before

    missing = genspec("generate", "--spec-dir", "nowhere", "--out", "gen", cwd=tmp_path)
    assert missing.returncode == 2 and "nowhere" in missing.stderr
    bad_name = genspec("generate", "--out", "gen", "--package-name", "Acme-Client", cwd=tmp_path)
    assert bad_name.returncode == 2 and "--package-name" in bad_name.stderr


def test_a_write_failing_half_way_leaves_the_previous_tree_whole(tmp_path: Path) -> None:
    out = tmp_path / "gen"
    (out / "python/pkg").mkdir(parents=True)
    (out / "python/pkg/a.py").write_text("old a\n")
    (out / "keep.txt").write_text("not ours\n")
    before = tree(out)
    files = {"python/pkg/a.py": "new a\n", "python/pkg/a.py/b.py": "a file cannot hold this\n"}
    with pytest.raises(OSError):
        replace_tree(out, files, ["python/pkg/a.py", "python/pkg/a.py/b.py"], [])
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen"]  # no temporary folder left

    replace_tree(out, {"python/pkg/a.py": "new a\n"}, ["python/pkg/a.py"], [])
    assert tree(out) == {"keep.txt": b"not ours\n", "python/pkg/a.py": b"new a\n"}


def test_a_closed_pipe_is_no_traceback_and_the_tree_is_whole(tmp_path: Path) -> None:
    # The reader is gone before genspec prints anything (as with `| head -0`).
    process = subprocess.Popen(
        [sys.executable, "-m", "genspec", "generate", "--spec-dir", str(SPEC), "--out", "gen"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=300) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
    assert same_as_committed(tmp_path / "gen")

    shell = subprocess.run(
        f"{sys.executable} -m genspec generate --spec-dir {SPEC} --out gen2 | head -3",
        shell=True,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert len(shell.stdout.splitlines()) == 3 and "Traceback" not in shell.stderr
    assert same_as_committed(tmp_path / "gen2")


def test_without_datamodel_code_generator_it_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    hide = (
        "import sys; sys.modules['datamodel_code_generator'] = None; "
        "from genspec.cli import main; raise SystemExit(main(sys.argv[1:]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", hide, "generate", "--spec-dir", str(SPEC), "--out", "gen"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 1
    assert "datamodel-code-generator" in done.stderr
    assert not (tmp_path / "gen").exists()


def test_package_name_renames_the_package_and_writes_its_pyproject(tmp_path: Path) -> None:
    done = genspec(
        "generate", "--spec-dir", SPEC, "--out", "out", "--package-name", "acme_leonardo",
        "--package-version", "2.3.4", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    files = tree(tmp_path / "out")
    package = {path for path in files if path.startswith("python/")}
    assert "python/pyproject.toml" in package
    assert "python/acme_leonardo/__init__.py" in package
    assert not any("leonardo_generations" in path for path in files)
    for path in package:
        assert b"leonardo_generations" not in files[path], path
    pyproject = files["python/pyproject.toml"].decode()
    assert 'name = "acme-leonardo"' in pyproject and 'version = "2.3.4"' in pyproject
    assert '"httpx' in pyproject and '"pydantic' in pyproject
    assert 'packages = ["acme_leonardo"]' in pyproject
    # The strategies import their runtime relatively, so the renamed package is self-contained.
    strategies = files["python/acme_leonardo/strategies.py"]
    assert b"from ._strategies_runtime import Strategies" in strategies
    assert "python/acme_leonardo/_strategies_runtime.py" in package


def test_an_interrupted_run_leaves_the_old_tree_or_the_new_one_never_a_mix(tmp_path: Path) -> None:
    import signal
    import time

    genspec("generate", "--spec-dir", SPEC, "--out", "gen", cwd=tmp_path)
    old = tree(tmp_path / "gen")
    changed = user_spec(tmp_path / "changed", add_foo_and_widen_steps)
    for delay in (0.3, 0.9, 2.0, 5.0):  # from start-up to past the swap
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "genspec",
                "generate",
                "--spec-dir",
                str(changed),
                "--out",
                "gen",
            ],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
        # 130: KeyboardInterrupt caught; -2: the signal came before Python was listening
        assert process.wait(timeout=300) in (0, 130, -2) and "Traceback" not in stderr, stderr
        now = tree(tmp_path / "gen")
        assert now == old or (now.keys() == old.keys() and now != old), delay
        assert sorted(p.name for p in tmp_path.iterdir()) == ["changed", "gen"]
        if now != old:  # the run finished: every file is the new spec's
            assert genspec("generate", "--check", "--spec-dir", changed, "--out", "gen",
                           cwd=tmp_path).returncode == 0  # fmt: skip
            genspec("generate", "--spec-dir", SPEC, "--out", "gen", cwd=tmp_path)


def test_generate_reads_the_configured_spec(tmp_path: Path) -> None:
    user_spec(tmp_path / "myspec", add_foo_and_widen_steps)
    (tmp_path / "pyproject.toml").write_text('[tool.genspec]\nspec = "myspec"\n')
    done = genspec("generate", "--out", "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    validator = (tmp_path / "out/python/leonardo_generations/validate_request.py").read_text()
    assert "'foo'" in validator or '"foo"' in validator
