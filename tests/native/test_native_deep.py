"""A deeply nested instance through a native module: an exception, never a crash.

Compiled code has no recursion limit of its own; a native module must still answer a
100,000-deep instance with RecursionError (as the pure module does), not by overflowing the C
stack. Run in a subprocess, so a crash shows as a signal instead of killing the test run.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from native_support import require_toolchain

from genspec.compiler import compile_schema, load_module
from genspec.native import build_native, native_source

SCHEMA = {"type": "array", "uniqueItems": True}
DEPTH = 100_000
# argv: the module, then what to check: "shallow" or "deep".
PROBE = f"""\
import importlib.util, sys
spec = importlib.util.spec_from_file_location("deep_native", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
if sys.argv[2] == "shallow":
    print(module.is_valid([1, 1]), module.is_valid([1, 2]), module.is_valid([[1], [1.0]]))
else:
    nested = []
    for _ in range({DEPTH}):
        nested = [nested]
    try:
        module.is_valid([nested, 1])
    except RecursionError:
        print("RecursionError")
"""


def nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.fixture(scope="module")
def deep_native(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema built with the in-process API, named with the interpreter's full suffix."""
    require_toolchain()
    output = (
        tmp_path_factory.mktemp("deep") / f"deep_native{sysconfig.get_config_var('EXT_SUFFIX')}"
    )
    build_native(native_source(SCHEMA), output)
    return output


def probe(module: Path, what: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-I", "-c", PROBE, str(module), what], capture_output=True, text=True
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-500:]}"
    return done.stdout.split()


def test_the_pure_module_raises_recursion_error() -> None:
    module = load_module(compile_schema(SCHEMA))
    with pytest.raises(RecursionError):
        module.is_valid([nested(DEPTH), 1])


def test_the_native_module_checks_unique_items(deep_native: Path) -> None:
    assert probe(deep_native, "shallow") == ["False", "True", "False"]


def test_a_native_module_raises_recursion_error_on_a_deep_instance(deep_native: Path) -> None:
    assert probe(deep_native, "deep") == ["RecursionError"]
