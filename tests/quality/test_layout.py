"""Generated Python is what ruff would format it to, without ruff at generation time.

genspec.pylayout breaks long statements the way ruff does; these tests hold it to ruff itself
(the dev extra's): on random conditions built from genspec.pyexpr, on `genspec compile` output
for odd and hostile schemas, and on a `genspec generate --check` run where ruff cannot be
imported at all.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from genspec import pyexpr
from genspec.literals import py_literal
from genspec.pylayout import NestedCall, layout

REPO = Path(__file__).resolve().parents[2]
CONFIG = REPO / "pyproject.toml"


def ruff(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *(str(a) for a in args)],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )


def ruff_formatted(source: str) -> str:
    done = ruff("format", "--config", CONFIG, "--stdin-filename", "generated.py", "-", stdin=source)
    assert done.returncode == 0, done.stderr
    return done.stdout


# ---- random conditions: every shape pyexpr builds, at several depths ---------------------------


def _name(rng: random.Random) -> str:
    return "x" if rng.random() < 0.4 else f"x[{py_literal('k' * rng.randint(1, 30))}]"


def _leaf(rng: random.Random) -> pyexpr.Expr:
    var = _name(rng)
    match rng.randrange(7):
        case 0:
            return pyexpr.compare(var, "is", "None")
        case 1:
            return pyexpr.compare(pyexpr.call("type", var), "is", "int")
        case 2:
            return pyexpr.call("isinstance", var, "str")
        case 3:
            values = ", ".join(
                py_literal("v" * rng.randint(1, 40)) for _ in range(rng.randint(1, 5))
            )
            return pyexpr.compare(var, "in", "{" + values + "}")
        case 4:
            return pyexpr.compare(pyexpr.lit("m" * rng.randint(1, 25)), "not in", "x")
        case 5:
            return pyexpr.call("_v_" + "f" * rng.randint(1, 60), var)
        case _:
            return pyexpr.compare(pyexpr.call("len", var), ">=", pyexpr.lit(rng.randint(0, 10**9)))


def _condition(rng: random.Random, depth: int) -> pyexpr.Expr:
    if depth == 0 or rng.random() < 0.25:
        return _leaf(rng)
    parts = [_condition(rng, depth - 1) for _ in range(rng.randint(1, 4))]
    match rng.randrange(4):
        case 0:
            return pyexpr.all_of(parts)
        case 1:
            return pyexpr.any_of(parts)
        case 2:
            return pyexpr.all_of(parts).negate()
        case _:
            return pyexpr.IfElse(parts[0], _leaf(rng), _condition(rng, depth - 1))


def test_random_long_statements_are_laid_out_as_ruff_formats_them() -> None:
    rng = random.Random(20261201)  # fixed: the same statements on every run
    lines = []
    for number in range(400):
        depth = rng.randint(1, 6)
        lines.append(f"def f{number}(x):")
        for level in range(1, depth):
            lines.append("    " * level + "if x:")
        indent = "    " * depth
        condition = _condition(rng, rng.randint(1, 4))
        match number % 4:
            case 0:
                lines += [f"{indent}if {condition}:", f"{indent}    return False"]
            case 1:
                lines.append(f"{indent}out.append(Error(_pointer(path), {condition}, None))")
            case 2:  # the emitters' error reports, laid out without parsing
                words = [py_literal("m" * rng.randint(1, 50)) for _ in range(rng.randint(1, 7))]
                lines += NestedCall("out.append", "Error", ("_pointer(path)", *words)).lines(indent)
            case _:
                lines.append(f"{indent}_seen = {condition}")
        lines.append(f"{indent}return True")
        lines += ["", ""]
    source = layout("\n".join(lines).rstrip("\n") + "\n")
    long = sum(1 for line in lines if len(line) > 100)
    assert long > 200  # the test is about breaking lines: most statements need it
    expected = ruff_formatted(source)
    assert source == expected


# ---- genspec compile on odd schemas --------------------------------------------------------------

LONG = "a-very-long-member-name-" * 6
ODD_SCHEMAS: dict[str, Any] = {
    "long_enum": {
        "type": "object",
        "properties": {
            "style": {"enum": [f"STYLE_{n}_" + "X" * (n % 40) for n in range(150)]},
            "mixed": {"enum": [None, True, 1.5, "s", [1, 2], {"k": "v" * 120}]},
        },
    },
    "long_patterns": {
        "type": "object",
        "patternProperties": {"^(" + "|".join(f"pre{n}" for n in range(40)) + ")$": True},
        "properties": {"p": {"type": "string", "pattern": "^" + "[a-z]{2,5}-" * 30 + "$"}},
        "additionalProperties": {"type": "integer", "multipleOf": 7},
    },
    "deep_nesting": {
        "$defs": {"n": {"anyOf": [{"type": "null"}, {"items": {"$ref": "#/$defs/n"}}]}},
        "allOf": [
            {
                "if": {"properties": {LONG: {"const": LONG}}, "required": [LONG]},
                "then": {"required": [LONG + "2"], "properties": {LONG + "2": {"minimum": 3}}},
                "else": {"not": {"anyOf": [{"required": [LONG]}, {"maxProperties": 2}]}},
            }
        ],
        "properties": {
            "tree": {"$ref": "#/$defs/n"},
            **{
                f"p{n}": {"type": "object", "properties": {"q": {"type": "string"}}}
                for n in range(9)
            },
        },
        "dependentSchemas": {"a": {"dependentSchemas": {"b": {"required": ["c" * 80, "d" * 80]}}}},
    },
    "unicode_and_quotes": {
        "type": "object",
        "required": ["é🎉", 'say "hi"', "it's", "back\\slash"],
        "properties": {
            "é🎉" * 30: {"const": "ünïcödé " * 20},
            'say "hi" ' * 10: {"enum": ['"' * 5, "'" * 5, "\u2028", "\x85", "\n"]},
            "it's " * 20: {"type": ["string", "null"], "maxLength": 3},
        },
        "additionalProperties": False,
    },
}


@pytest.mark.parametrize("name", sorted(ODD_SCHEMAS))
def test_compiled_odd_schemas_pass_ruff_format_and_check(name: str, tmp_path: Path) -> None:
    schema_file = tmp_path / f"{name}.json"
    schema_file.write_text(json.dumps(ODD_SCHEMAS[name]), encoding="utf-8")
    module = tmp_path / f"{name}.py"
    done = subprocess.run(
        [sys.executable, "-m", "genspec", "compile", str(schema_file), "-o", str(module)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    formatted = ruff("format", "--check", "--diff", "--config", CONFIG, module)
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    checked = ruff("check", "--config", CONFIG, module)
    assert checked.returncode == 0, checked.stdout + checked.stderr


# ---- no ruff at generation time ------------------------------------------------------------------

NO_RUFF = """
import runpy, sys

class NoRuff:  # `import ruff` fails, as in a venv without it
    def find_spec(self, name, path=None, target=None):
        if name == "ruff" or name.startswith("ruff."):
            raise ImportError("ruff is blocked by the test")
        return None

sys.meta_path.insert(0, NoRuff())
sys.argv = ["genspec", *sys.argv[1:]]
runpy.run_module("genspec", run_name="__main__")
"""


def test_regeneration_is_byte_identical_with_ruff_unimportable() -> None:
    # No ruff on PATH either: only the interpreter's own folder and the system's.
    path = os.pathsep.join(["/usr/bin", "/bin"])
    done = subprocess.run(
        [sys.executable, "-c", NO_RUFF, "generate", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PATH": path},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "is up to date" in done.stdout
