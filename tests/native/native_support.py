"""Helpers of the native-build tests: the toolchain check, the CLI, loading an extension.

Without mypyc, a C compiler or Python.h the tests skip, saying what is missing; with `CI` set
they fail instead (.ci/run installs the toolchain, so a missing one is a CI bug).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import shlex
import shutil
import subprocess
import sys
import sysconfig
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec" / "generation-request.schema.json"


def missing_toolchain() -> str | None:
    """What a native build lacks here (looked up independently of genspec.native), or None."""
    for package in ("mypyc", "setuptools"):
        if importlib.util.find_spec(package) is None:
            return f"{package} is not installed (pip install -e '.[dev]')"
    compiler = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    if shutil.which(shlex.split(compiler)[0]) is None:
        return f"no C compiler ({compiler!r} not found)"
    if not (Path(sysconfig.get_paths()["include"]) / "Python.h").is_file():
        return "no Python.h (Debian: apt install python3-dev)"
    return None


def require_toolchain() -> None:
    missing = missing_toolchain()
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must be able to build native modules: {missing}")
    pytest.skip(f"native build toolchain missing: {missing}")


def genspec(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m genspec ARGS` as a real subprocess; never a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "genspec", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def load_extension(path: Path, name: str) -> types.ModuleType:
    """Import the extension module at `path` as `name` (refusing anything but an extension)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and isinstance(spec.loader, importlib.machinery.ExtensionFileLoader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
