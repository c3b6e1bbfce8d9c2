"""The JS client's RequestInvalid lists findings as the CLI and the Python client do: the same
path, rule id and did-you-mean for every finding (only the quoting differs: JSON in JS)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from leonardo_generations.errors import describe_error
from leonardo_generations.validate_request import validate

PACKAGE = Path(__file__).resolve().parents[2] / "generated" / "js" / "index.mjs"
NODE = shutil.which("node")

BODIES: list[dict[str, Any]] = [
    {"prompt": "x", "numImages": 2},
    {"prompt": "x", "num_image": 2, "widht": 512, "Height": 512},
    {"Prompt": "x"},
    {"prompt": "x", "negativ_prompt": "y", "guidance": 7, "zzzzzz": 1},
    {"prompt": "x", "presetstyle": "CINEMATIC", "modelID": "m", "init-strength": 0.3},
    {
        "prompt": "x",
        "controlnets": [
            {
                "initImageId": "a",
                "initImageType": "UPLOADED",
                "preprocessorId": 1,
                "weigth": 1,
                "strenghtType": "Low",
            }
        ],
    },
    {"prompt": "x", "width": 3, "num_images": 9},
]

SCRIPT = """
import { describeFinding, validate } from %s;
const bodies = JSON.parse(process.argv[1]);
console.log(JSON.stringify(bodies.map((body) =>
  validate(body).filter((f) => f.severity === "error").map(describeFinding))));
"""


def _parts(line: str) -> tuple[str, str, str | None]:
    path, rule, _ = line.split(": ", 2)
    suggestion = re.search(r"\(did you mean ['\"](.+?)['\"]\?\)$", line)
    return path, rule, suggestion.group(1) if suggestion else None


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_findings_are_described_alike_in_js_and_python() -> None:
    assert NODE is not None
    script = SCRIPT % json.dumps(PACKAGE.as_uri())
    ran = subprocess.run(
        [NODE, "--input-type=module", "-e", script, json.dumps(BODIES)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    described = json.loads(ran.stdout)
    suggestions = 0
    for body, js_lines in zip(BODIES, described, strict=True):
        python_lines = [describe_error(e) for e in validate(body) if e.severity == "error"]
        assert sorted(map(_parts, js_lines)) == sorted(map(_parts, python_lines)), body
        suggestions += sum(_parts(line)[2] is not None for line in js_lines)
    assert suggestions >= 8  # the bodies do exercise the did-you-mean
