"""One placement per finding: `genspec validate`, `genspec lint` and the Python `validate()`
report every error at the same instance path, and both commands at the same line and column,
over every curated example and over bodies drawn by mutating them (seeded, so reproducible).

The line and column are also checked independently of genspec's position parser: the JSON text
starting there decodes (with the standard library) to the value at the instance path, or, for
an unknown member, to that member's name.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from leonardo_generations.validate_request import validate

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "spec" / "examples").glob("*/*.json"))
ODD_VALUES: list[Any] = [None, -1, 0, 9, 1000, 1.5, "x", "", True, [], {}, ["a"], {"a": 1}]


def _drawn(rng: random.Random, body: Any) -> Any:
    """A mutation of an example: members replaced, removed or added, nested ones too."""
    if not isinstance(body, dict):
        return rng.choice(ODD_VALUES)
    body = json.loads(json.dumps(body))
    for _ in range(rng.randint(1, 3)):
        target = body
        nested = [v for v in body.values() if isinstance(v, dict)]
        if nested and rng.random() < 0.3:
            target = rng.choice(nested)
        choice = rng.random()
        if choice < 0.5 and target:
            target[rng.choice(sorted(target))] = rng.choice(ODD_VALUES)
        elif choice < 0.7 and target:
            del target[rng.choice(sorted(target))]
        else:
            target[rng.choice(["numImages", "Seed", "extra", "ultra", "alchemy"])] = rng.choice(
                ODD_VALUES
            )
    return body


def _resolve(body: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:] if pointer else []:
        token = token.replace("~1", "/").replace("~0", "~")
        body = body[int(token)] if isinstance(body, list) else body[token]
    return body


def _at(text: str, line: int, col: int) -> Any:
    """The JSON value whose text starts at `line`:`col` (1-based, code points)."""
    offset = sum(len(row) + 1 for row in text.split("\n")[: line - 1]) + col - 1
    return json.JSONDecoder().raw_decode(text, offset)[0]


def _records(command: str, directory: Path) -> list[dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "genspec", command, "--format", "jsonl", "--quiet", "."],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_validate_lint_and_python_place_every_error_alike(tmp_path: Path) -> None:
    rng = random.Random(13)
    bodies: dict[str, str] = {}
    for number, example in enumerate(EXAMPLES):
        text = example.read_text(encoding="utf-8")
        bodies[f"example-{number:03d}.json"] = text
        for draw in range(3):
            drawn = _drawn(rng, json.loads(text))
            bodies[f"drawn-{number:03d}-{draw}.json"] = json.dumps(drawn, indent=rng.choice([0, 2]))
    for name, text in bodies.items():
        (tmp_path / name).write_text(text, encoding="utf-8")

    validated = _records("validate", tmp_path)
    linted = [r for r in _records("lint", tmp_path) if r["severity"] == "error"]
    key = ("path", "line", "column", "rule", "instance_path")
    assert sorted(tuple(r[k] for k in key) for r in validated) == sorted(
        tuple(r[k] for k in key) for r in linted
    )

    by_file: dict[str, list[dict[str, Any]]] = {}
    for record in validated:
        by_file.setdefault(Path(record["path"]).name, []).append(record)
    checked = 0
    for name, text in bodies.items():
        body = json.loads(text)
        python = sorted(
            {(e.rule_id or "", e.instance_path) for e in validate(body) if e.severity == "error"}
        )
        reported = by_file.get(name, [])
        # the CLI names plain schema errors schema-<keyword>; the Python Error has rule_id None
        cli = sorted(
            {
                (
                    "" if r["rule"].startswith("schema-") else r["rule"],
                    r["instance_path"],
                )
                for r in reported
            }
        )
        assert python == cli, name
        for record in reported:
            value = _at(text, record["line"], record["column"])
            expected = _resolve(body, record["instance_path"])
            unknown = record["rule"] in (
                "schema-additional-properties",
                "schema-unevaluated-properties",
            )
            if unknown:
                assert isinstance(value, str) and value in expected, (name, record)
            else:
                assert value == expected, (name, record)
            checked += 1
    assert checked > 100  # the draws do break rules
