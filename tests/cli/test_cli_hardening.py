"""Hostile paths, streams and configuration: `genspec validate`/`lint` as a real subprocess.

Every case ends with a clear diagnostic or message and the documented exit code, never a
traceback or a hang (each subprocess has a timeout; none of these asserts a duration).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

PYTHON = sys.executable
CLEAN = '{"prompt": "A majestic cat in the snow"}\n'


def run(
    *args: str,
    cwd: Path,
    stdin: int | None = None,
    stdout: int | None = subprocess.PIPE,
    user: list[str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [*(user or []), PYTHON, "-m", "genspec", *args],
        cwd=cwd,
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- unreadable paths, special files, link loops ---------------------------------------------


def _bound_by_permissions() -> list[str] | None:
    """A prefix under which file permissions apply, or None where that is impossible.

    Root keeps its uid (so the checkout and the venv stay readable wherever CI put them) but
    loses the two capabilities that let it ignore permission bits."""
    if os.geteuid() != 0:
        return []  # already unprivileged: permissions apply to us
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


@pytest.fixture
def public_tmp() -> Iterator[Path]:
    """A temporary directory of our own whose entries we lock one by one."""
    with tempfile.TemporaryDirectory(prefix="genspec-perm-") as name:
        yield Path(name)


def test_unreadable_file_and_directory_are_io_errors(public_tmp: Path) -> None:
    user = _bound_by_permissions()
    if user is None:
        pytest.skip("running as root without setpriv: root ignores permissions, cannot test")
    write(public_tmp / "ok.json", CLEAN)
    secret = write(public_tmp / "secret.json", CLEAN)
    locked = public_tmp / "locked"
    write(locked / "inside.json", '{"prompt": 1}')
    for path in (public_tmp / "ok.json", public_tmp / "locked" / "inside.json"):
        path.chmod(0o644)
    secret.chmod(0o000)
    locked.chmod(0o000)
    try:
        done = run("validate", ".", "secret.json", cwd=public_tmp, user=user)
    finally:
        locked.chmod(0o755)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "locked: io-error [error] cannot list: Permission denied" in done.stdout
    assert "secret.json: io-error [error] cannot read: Permission denied" in done.stdout
    assert "ok.json" not in done.stdout.replace("Checked", "")  # the readable one is clean


def test_special_files_are_refused_without_being_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.json")  # opening it for reading would block forever
    write(tmp_path / "ok.json", CLEAN)
    done = run("validate", "pipe.json", "/dev/zero", "ok.json", cwd=tmp_path, timeout=60)
    assert "pipe.json: io-error [error] cannot read: a named pipe (FIFO)" in done.stdout
    assert "/dev/zero: io-error [error] cannot read: a character device" in done.stdout
    assert done.returncode == 2
    found = run("validate", ".", cwd=tmp_path, timeout=60)  # found by a walk: the same
    assert "pipe.json: io-error" in found.stdout


def test_schema_config_and_compile_inputs_are_bounded(tmp_path: Path) -> None:
    write(tmp_path / "body.json", CLEAN)
    zero = run("validate", "--schema", "/dev/zero", "body.json", cwd=tmp_path, timeout=60)
    assert zero.returncode == 2
    assert "--schema /dev/zero" in zero.stderr and "character device" in zero.stderr
    compiled = run("compile", "/dev/urandom", "-o", "out.py", cwd=tmp_path, timeout=60)
    assert compiled.returncode == 2
    assert "character device" in compiled.stderr
    assert not (tmp_path / "out.py").exists()
    huge = tmp_path / "huge.schema.json"
    with huge.open("wb") as handle:  # sparse: 65 MiB of nothing on disk
        handle.truncate(65 * 1024 * 1024)
    big = run("validate", "--schema", "huge.schema.json", "body.json", cwd=tmp_path)
    assert big.returncode == 2
    assert "larger than" in big.stderr


def test_glob_and_walk_never_follow_link_loops(tmp_path: Path) -> None:
    write(tmp_path / "tree" / "a" / "b.json", '{"prompt": 1}')
    (tmp_path / "tree" / "a" / "up").symlink_to("..")  # tree/a/up/a/up/... forever
    (tmp_path / "tree" / "a" / "self").symlink_to(".")
    for target in ("tree/**/*.json", "tree"):
        done = run("validate", target, cwd=tmp_path, timeout=60)
        found = [line for line in done.stdout.splitlines() if "schema-type" in line]
        assert found == [
            f"{Path('tree/a/b.json')}:1:12: schema-type [error] expected string, "
            "got integer 1 (at /prompt)"
        ], done.stdout
        assert done.returncode == 1


# --- closed streams -----------------------------------------------------------------------------


def _many_findings(tmp_path: Path) -> Path:
    lines = "".join(json.dumps({"prompt": n}) + "\n" for n in range(20_000))
    return write(tmp_path / "many.jsonl", lines)


@pytest.mark.parametrize("output_format", ["text", "json", "jsonl", "sarif", "github"])
def test_a_reader_closing_the_pipe_ends_the_run_quietly(tmp_path: Path, output_format: str) -> None:
    _many_findings(tmp_path)
    process = subprocess.Popen(
        [PYTHON, "-m", "genspec", "lint", "--format", output_format, "many.jsonl"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)  # as `| head -c 10` would
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 141  # as a tool killed by SIGPIPE leaves it
    assert stderr == ""


def test_closed_stdin_and_stdout(tmp_path: Path) -> None:
    write(tmp_path / "body.json", '{"prompt": 1}')
    shell = shutil.which("sh")
    if shell is None:
        pytest.skip("no sh to start genspec with a closed descriptor")
    command = f"'{PYTHON}' -m genspec"
    closed_in = subprocess.run(
        [shell, "-c", f"{command} validate - <&-"], cwd=tmp_path, capture_output=True, text=True
    )
    assert "Traceback" not in closed_in.stderr
    assert "<stdin>: io-error [error] cannot read: standard input is closed" in closed_in.stdout
    assert closed_in.returncode == 2
    closed_out = subprocess.run(
        [shell, "-c", f"{command} validate body.json >&-"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in closed_out.stderr
    assert "standard output is closed" in closed_out.stderr
    assert closed_out.returncode == 2
    version = subprocess.run(
        [shell, "-c", f"{command} --version >&-"], cwd=tmp_path, capture_output=True, text=True
    )
    assert (version.returncode, version.stderr) == (0, "")


# --- configuration ------------------------------------------------------------------------------

BAD_PYPROJECTS = [
    ("tool = 5\n", "`tool` must be a table"),
    ("[tool]\ngenspec = 5\n", "[tool.genspec] must be a table"),
    ("[tool.genspec]\nselect = 5\n", "select must be a list of rule ids"),
    ("[tool.genspec]\nignore = [1, 2]\n", "ignore must be a list of rule ids"),
    ('[tool.genspec]\nstrict = "yes"\n', "strict must be true or false"),
    ("[tool.genspec]\nformat = ['text']\n", "format must be one of"),
    ("[tool.genspec\n", "cannot read"),
    (b"[tool.genspec]\nformat = '\xff'\n", "not UTF-8"),
]


@pytest.mark.parametrize(("content", "message"), BAD_PYPROJECTS)
def test_a_malformed_pyproject_is_a_clear_usage_error(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    write(tmp_path / "pyproject.toml", content)
    write(tmp_path / "body.json", CLEAN)
    done = run("lint", "body.json", cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "pyproject.toml" in done.stderr


# --- hostile names and patterns --------------------------------------------------------------


def test_control_characters_in_file_names_and_keys_never_reach_the_terminal(
    tmp_path: Path,
) -> None:
    name = "evil\nname\x1b[2J.json"
    write(tmp_path / "bodies" / name, '{"prompt": "x", "bad\\nkey\\u001b[31m": 1}')
    for output_format in ("text", "github", "json", "jsonl", "sarif"):
        done = run("lint", "--format", output_format, "bodies", cwd=tmp_path)
        assert "\x1b" not in done.stdout and "\x1b" not in done.stderr, output_format
        if output_format in ("text", "github"):
            findings = [line for line in done.stdout.splitlines() if "additional" in line]
            assert len(findings) == 1, done.stdout  # one finding, one line
            assert findings[0].startswith("bodies/evil") or "file=bodies/evil" in findings[0]


def test_catastrophic_backtracking_is_stopped_by_the_time_limit(tmp_path: Path) -> None:
    """The choice documented in the README: a per-body time limit, reported as an error."""
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}}
    write(tmp_path / "s.schema.json", json.dumps(schema))
    write(tmp_path / "evil.json", json.dumps({"name": "a" * 32 + "b"}))
    write(tmp_path / "fine.json", json.dumps({"name": "aaa"}))
    done = run(
        "validate",
        "--schema",
        "s.schema.json",
        "--timeout",
        "1",
        "evil.json",
        "fine.json",
        cwd=tmp_path,
    )
    assert "evil.json:1:1: check-timeout [error] checking this body took more than 1 s of CPU" in (
        done.stdout
    )
    assert not any(line.startswith("fine.json") for line in done.stdout.splitlines())
    assert done.returncode == 2


def test_the_time_limit_is_per_body_on_every_line_of_json_lines(tmp_path: Path) -> None:
    """One stuck line is stopped and reported; the lines around it, whose CPU time adds up to
    far more than the limit, are each checked in full."""
    schema = {"type": "object", "properties": {"name": {"type": "string", "pattern": "^(a+)+$"}}}
    write(tmp_path / "s.schema.json", json.dumps(schema))
    fine, wrong = json.dumps({"name": "aaa"}), json.dumps({"name": 5})
    lines = [fine] * 30000 + [json.dumps({"name": "a" * 32 + "b"}), wrong] + [fine] * 30000
    write(tmp_path / "mixed.jsonl", "\n".join([*lines, wrong]) + "\n")
    done = run(
        "validate", "--schema", "s.schema.json", "--timeout", "0.05", "mixed.jsonl", cwd=tmp_path
    )
    found = [line.split(" ")[:2] for line in done.stdout.splitlines()[:-1]]
    assert found == [
        ["mixed.jsonl:30001:1:", "check-timeout"],
        ["mixed.jsonl:30002:10:", "schema-type"],
        [f"mixed.jsonl:{len(lines) + 1}:10:", "schema-type"],
    ]
    assert done.returncode == 2


# --- nothing passes on nothing, names, --strict -----------------------------------------------


def test_nothing_found_is_an_error_unless_allowed(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    write(tmp_path / "empty" / "notes.txt", "{")
    done = run("validate", "empty", cwd=tmp_path)
    assert done.returncode == 2
    assert "empty: io-error [error] no body files (.json, .jsonl) in this directory" in (
        done.stdout
    )
    glob = run("validate", "empty/*.json", cwd=tmp_path)
    assert glob.returncode == 2 and "no files match this pattern" in glob.stdout
    allowed = run("validate", "--allow-empty", "empty", "empty/*.json", cwd=tmp_path)
    assert allowed.returncode == 0
    assert "io-error" not in allowed.stdout
    assert "Checked 0 body(ies) in 0 file(s)" in allowed.stdout
    missing = run("validate", "--allow-empty", "empty", "missing.json", cwd=tmp_path)
    assert missing.returncode == 2  # allowing nothing found never hides a path that is not there
    assert "missing.json: io-error [error] cannot read" in missing.stdout


def test_extensions_match_in_any_case(tmp_path: Path) -> None:
    write(tmp_path / "d" / "UPPER.JSON", '{"prompt": 1}')
    write(tmp_path / "d" / "Mixed.JsonL", '{"prompt": "ok"}\n{"prompt": 2}\n')
    done = run("validate", "d", cwd=tmp_path)
    assert f"{Path('d/UPPER.JSON')}:1:12: schema-type" in done.stdout
    assert f"{Path('d/Mixed.JsonL')}:2:12: schema-type" in done.stdout  # read as JSON Lines
    globbed = run("validate", "d/*.JSON", cwd=tmp_path)  # a glob is case-sensitive, as in sh
    assert "UPPER.JSON" in globbed.stdout and "Mixed" not in globbed.stdout


def test_strict_means_warnings_fail_the_run_in_both_commands(tmp_path: Path) -> None:
    write(tmp_path / "body.json", '{"prompt": "a cat", "num_images": 4}')  # a default-value warning
    assert run("validate", "body.json", cwd=tmp_path).returncode == 0
    for command in ("validate", "lint"):
        strict = run(command, "--strict", "body.json", cwd=tmp_path)
        assert strict.returncode == 1, command
        assert "default-value [warning]" in strict.stdout, command


def test_stat_of_special_file_kinds_is_named() -> None:
    from genspec.inputs import InputRefused, open_regular

    with pytest.raises(InputRefused, match="character device"):
        open_regular("/dev/null")
