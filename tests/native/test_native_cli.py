"""`genspec compile SCHEMA -o OUT --target native` as a real subprocess.

A built module imports in a fresh interpreter and answers; every refusal is one line on stderr
with the documented exit code (2: the environment or the output name, 1: the schema), no
traceback, nothing at OUT (an existing OUT is left as it was) and nothing left in the cwd.
"""

from __future__ import annotations

import importlib.machinery
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from native_support import SPEC, genspec, require_toolchain

EXAMPLES = SPEC.parent / "examples"
SMALL = {"type": "object", "properties": {"n": {"type": "integer", "maximum": 3}}}


def refused(done: subprocess.CompletedProcess[str], code: int) -> str:
    """The single stderr line of a refused compile (checked), without its prefix."""
    assert done.returncode == code, done.stderr
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("genspec compile: error: "), done.stderr
    return lines[0].removeprefix("genspec compile: error: ")


def schema_in(directory: Path, schema: object, name: str = "schema.json") -> Path:
    path = directory / name
    path.write_text(json.dumps(schema), encoding="utf-8")
    return path


def test_native_module_imports_in_a_fresh_interpreter_and_answers(spec_build: Path) -> None:
    # The build's cwd holds the module and nothing else: no build/, no .mypy_cache, no .py.
    assert sorted(path.name for path in spec_build.iterdir()) == ["leonardo_native.so"]
    valid = EXAMPLES / "valid" / "minimal.json"
    invalid = EXAMPLES / "invalid" / "guidance-scale-31.json"
    script = (
        "import importlib.util, json, sys\n"
        "spec = importlib.util.spec_from_file_location('leonardo_native', sys.argv[1])\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "print(type(spec.loader).__name__)\n"
        "for name in sys.argv[2:]:\n"
        "    print(module.is_valid(json.load(open(name))))\n"
    )
    module = spec_build / "leonardo_native.so"
    done = subprocess.run(
        [sys.executable, "-I", "-c", script, str(module), str(valid), str(invalid)],
        cwd=spec_build.parent,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ExtensionFileLoader", "True", "False"]


ABI3 = [".abi3.so"] if ".abi3.so" in importlib.machinery.EXTENSION_SUFFIXES else []


@pytest.mark.parametrize(
    ("output", "says"),
    [
        ("validator.py", "file name ends in"),
        ("validator", "file name ends in"),
        ("validator.pyd.txt", "file name ends in"),
        *[(f"validator{suffix}", "file name ends in") for suffix in ABI3],
        ("1validator.so", "is not a Python module name"),
        ("my-validator.so", "is not a Python module name"),
        ("class.so", "is not a Python module name"),
        ("json.so", "shadow the standard library"),
        ("missing/validator.so", "no directory"),
    ],
)
def test_bad_output_names_are_refused_before_building(
    tmp_path: Path, output: str, says: str
) -> None:
    schema = schema_in(tmp_path, SMALL)
    message = refused(
        genspec("compile", "schema.json", "-o", output, "--target", "native", cwd=tmp_path), 2
    )
    assert output in message and says in message
    assert sorted(p.name for p in tmp_path.iterdir()) == [schema.name]


def test_an_output_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    schema_in(tmp_path, SMALL)
    (tmp_path / "taken.so").mkdir()
    message = refused(
        genspec("compile", "schema.json", "-o", "taken.so", "--target", "native", cwd=tmp_path), 2
    )
    assert "is a directory" in message and (tmp_path / "taken.so").is_dir()


def test_a_missing_compiler_is_named(tmp_path: Path) -> None:
    require_toolchain()  # with mypyc missing, that would be the first complaint
    schema_in(tmp_path, SMALL)
    done = genspec(
        "compile",
        "schema.json",
        "-o",
        "v.so",
        "--target",
        "native",
        cwd=tmp_path,
        env={"CC": "/nonexistent/cc"},
    )
    message = refused(done, 2)
    assert "no C compiler" in message and "/nonexistent/cc" in message and "$CC" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.json"]


def test_missing_mypyc_names_the_extra(tmp_path: Path) -> None:
    schema_in(tmp_path, SMALL)
    # An interpreter where `import mypyc` fails, as it does without the native extra.
    script = (
        "import sys\n"
        "sys.modules['mypyc'] = None\n"
        "from genspec.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "compile",
            "schema.json",
            "-o",
            "v.so",
            "--target",
            "native",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert "Traceback" not in done.stderr
    message = refused(done, 2)
    assert "mypyc is not installed" in message and "pip install 'genspec[native]'" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.json"]


def test_a_failed_build_leaves_an_existing_output_as_it_was(tmp_path: Path) -> None:
    require_toolchain()
    failing = shutil.which("false")
    if failing is None:
        pytest.skip("no `false` executable to stand in for a broken C compiler")
    schema_in(tmp_path, SMALL)
    (tmp_path / "v.so").write_bytes(b"the user's own file")
    # mypyc runs, then the "compiler" fails: the build's own error, after the work started.
    done = genspec(
        "compile",
        "schema.json",
        "-o",
        "v.so",
        "--target",
        "native",
        cwd=tmp_path,
        env={"CC": failing},
    )
    message = refused(done, 2)
    assert message.startswith("mypyc could not build the module: ") and "failed" in message
    assert (tmp_path / "v.so").read_bytes() == b"the user's own file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.json", "v.so"]


@pytest.mark.parametrize(
    ("schema", "place"),
    [
        ({"type": "array", "items": {"$ref": "#"}}, "/items/$ref"),
        (
            {
                "$defs": {
                    "node": {"properties": {"children": {"$ref": "#/$defs/list"}}},
                    "list": {"type": "array", "items": {"$ref": "#/$defs/node"}},
                },
                "$ref": "#/$defs/node",
            },
            "/$defs/list/items/$ref",
        ),
        (
            {
                "properties": {"a": {"$ref": "#/$defs/b"}},
                "$defs": {"b": {"not": {"items": {"$ref": "#/properties/a"}}}},
            },
            "/$defs/b/not/items/$ref",
        ),
    ],
)
def test_a_recursive_schema_is_refused_naming_the_place(
    tmp_path: Path, schema: object, place: str
) -> None:
    schema_in(tmp_path, schema, "tree.json")
    message = refused(
        genspec("compile", "tree.json", "-o", "v.so", "--target", "native", cwd=tmp_path), 1
    )
    assert message.startswith(f"tree.json: keyword '$ref' at schema path '{place}'")
    assert "recursive" in message and "--target python" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tree.json"]
    # The same schema still compiles to Python, which has a recursion limit.
    assert genspec("compile", "tree.json", "-o", "v.py", cwd=tmp_path).returncode == 0


def test_a_schema_reusing_a_definition_without_a_cycle_is_not_recursive(tmp_path: Path) -> None:
    require_toolchain()
    shared = {
        "$defs": {"n": {"type": "integer"}},
        "properties": {"a": {"$ref": "#/$defs/n"}, "b": {"items": {"$ref": "#/$defs/n"}}},
    }
    schema_in(tmp_path, shared)
    done = genspec("compile", "schema.json", "-o", "shared.so", "--target", "native", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["schema.json", "shared.so"]


def test_version_does_not_import_the_native_build() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "genspec", "--version"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert "genspec.cli" in imported  # the trace is there
    assert not [
        name for name in imported if name.startswith(("mypy", "genspec.native", "setuptools"))
    ]
