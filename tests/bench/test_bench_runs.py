"""The benchmarks run as bench/README.md says, and every engine they time agrees with the oracle.

A tiny run of each bench (no timing is asserted): a bench that crashes on the published schema
(as @cfworker/json-schema did on a `urn:` `$id`) or times an engine that judges the bodies
differently fails here instead of in a developer's hands.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import mixes  # noqa: E402  (bench/ is not a package)


def run_bench(script: str, *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), "--quick", "--json", "--seed", "1", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_the_python_bench_runs_every_mix_with_no_disagreement() -> None:
    result = run_bench("bench_validators.py", "--count", "10")
    assert result["seed"] == 1
    assert set(result["mixes"]) == set(mixes.MIXES)
    timed = {"genspec.is_valid", "genspec.errors", "rs.is_valid", "rs.errors"}
    # The native build is timed whenever the machine can build it (CI always can).
    if os.environ.get("CI") or result["native"].startswith("built"):
        assert result["native"].startswith("built"), result["native"]
        timed |= {"native.is_valid", "native.errors"}
        assert result["module"]["native_kb"] > 0
    for name, mix in result["mixes"].items():
        assert mix["bodies"] == 10, name
        assert mix["disagreements"] == {}, name
        assert timed <= set(mix["us"])


@pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "bench" / "js" / "node_modules").is_dir(),
    reason="needs node and `npm ci --prefix bench/js` (.ci/run does both)",
)
def test_the_js_bench_runs_every_engine_with_no_disagreement() -> None:
    result = run_bench("bench_js.py", "--count", "10")
    engines = {"genspec-js", "ajv", "ajv standalone", "@exodus/schemasafe", "typebox"}
    assert engines | {"@cfworker/json-schema"} <= set(result["disagreements"])
    assert all(count == 0 for count in result["disagreements"].values()), result["disagreements"]
    assert all(result["extra"][engine]["gzipBytes"] > 0 for engine in engines)
