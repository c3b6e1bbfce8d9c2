"""Native builds (`genspec compile --target native`): one session build of the Leonardo spec
through the real CLI; helpers in native_support.py."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
# This directory's helpers, and the property tests' oracle (python-jsonschema on the schema).
sys.path[:0] = [str(HERE), str(HERE.parent / "properties")]

from native_support import SPEC, genspec, load_extension, require_toolchain  # noqa: E402


@pytest.fixture(scope="session")
def spec_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Leonardo request schema through `genspec compile --target native` (built once):
    the directory it ran in, holding only `leonardo_native.so`."""
    require_toolchain()
    workdir = tmp_path_factory.mktemp("spec-native")
    done = genspec(
        "compile", str(SPEC), "-o", "leonardo_native.so", "--target", "native", cwd=workdir
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "wrote leonardo_native.so\n"
    return workdir


@pytest.fixture(scope="session")
def spec_native(spec_build: Path) -> types.ModuleType:
    return load_extension(spec_build / "leonardo_native.so", "leonardo_native")
