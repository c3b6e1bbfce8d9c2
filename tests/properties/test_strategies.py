"""The rendered strategies module: standalone, ruff clean, and honest about unknown rules."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from genspec.spec import load_schema
from genspec.strategies import render_strategies, strategy_for


def test_rendered_module_imports_no_genspec() -> None:
    source = render_strategies(load_schema())
    assert "genspec" not in "".join(line for line in source.splitlines() if "import" in line)
    assert "import_module('leonardo_generations.validate_request')" in source


def test_rendered_module_is_ruff_clean(tmp_path: Path) -> None:
    target = tmp_path / "strategies.py"
    target.write_text(render_strategies(load_schema()))
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run([*ruff, "format", "--quiet", str(target)], check=True)
    result = subprocess.run(
        [*ruff, "check", "--quiet", str(target)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout


def test_hostile_schema_text_stays_data() -> None:
    schema = {"properties": {"'''\nimport os\n": {"enum": ['"""', "\u2028", "\x00"]}}}
    built = strategy_for(schema)
    assert built.strategies._NODES[1] == {"enum": ['"""', "\u2028", "\x00"]}


def test_unknown_rule_id_is_refused() -> None:
    built = strategy_for({"type": "object"})
    with pytest.raises(ValueError, match="unknown rule id"):
        built.strategies.violating("no-such-rule")


def test_bad_validator_module_name_is_refused() -> None:
    with pytest.raises(ValueError, match="dotted module name"):
        render_strategies({}, validator_module="os; import sys")
