"""The mutation check in the suite: two sabotaged validators, each failing a property test.

`bench/sabotage.py` runs every sabotage against the whole property selection; here two of them
run (in a subprocess each, on the current profile) against one property test that must catch
them, so a property that silently stops testing anything fails the suite.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
DIFFERENTIAL = "tests/properties/test_differential.py"


def sabotage_script() -> ModuleType:
    name = "genspec_bench_sabotage"
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "sabotage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("sabotage", "test"),
    [
        ("reject-seed", "test_valid_requests_are_valid_for_both"),
        ("accept-without-prompt", "test_arbitrary_json_agrees_with_the_oracle"),
    ],
)
def test_a_sabotaged_validator_fails_the_property(sabotage: str, test: str) -> None:
    script = sabotage_script()
    failed = script.run(script.BY_NAME[sabotage], [f"{DIFFERENTIAL}::{test}"])
    assert failed == [f"{DIFFERENTIAL}::{test}"]
