"""JSON Lines of any size: streamed, cut into chunks for --jobs, numbered right across chunks."""

from __future__ import annotations

import json
import os
import pty
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

from genspec.check import CHUNK_BYTES, MAX_LINE_BYTES


def genspec(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "genspec", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _batch(path: Path, target_bytes: int) -> list[int]:
    """A .jsonl file of about `target_bytes`; returns the line numbers that hold an error."""
    padding = "a lighthouse at dusk, oil painting, " * 8
    bad: list[int] = []
    with path.open("w", encoding="utf-8") as handle:
        number = 0
        while handle.tell() < target_bytes:
            number += 1
            if number % 97 == 0:
                bad.append(number)
                handle.write(json.dumps({"prompt": number}) + "\n")  # not a string
            elif number % 101 == 0:
                bad.append(number)
                handle.write('{"prompt": "x",}\n')  # not JSON
            elif number % 89 == 0:
                handle.write("\n")  # blank: no body, still a line
            else:
                handle.write(json.dumps({"prompt": padding + str(number)}) + "\n")
    return bad


def test_chunks_checked_by_two_processes_report_the_right_lines(tmp_path: Path) -> None:
    bad = _batch(tmp_path / "big.jsonl", CHUNK_BYTES * 2 + 12345)  # three chunks
    serial = genspec("validate", "--jobs", "1", "--format", "jsonl", "big.jsonl", cwd=tmp_path)
    parallel = genspec("validate", "--jobs", "2", "--format", "jsonl", "big.jsonl", cwd=tmp_path)
    assert serial.stdout == parallel.stdout  # same findings, same (input) order
    records = [json.loads(line) for line in parallel.stdout.splitlines()]
    assert [r["line"] for r in records] == bad
    text = (tmp_path / "big.jsonl").read_text(encoding="utf-8").split("\n")
    for record in records:  # each reported line is the one at fault
        assert text[record["line"] - 1] in (
            json.dumps({"prompt": record["line"]}),
            '{"prompt": "x",}',
        )
    assert parallel.returncode == 1
    bodies = sum(1 for line in text[:-1] if line)  # blank lines hold no body
    summary = genspec("validate", "--jobs", "2", "big.jsonl", cwd=tmp_path).stdout.splitlines()[-1]
    assert summary.endswith(f"in {bodies} body(ies) in 1 file(s).")


def test_files_are_reported_in_the_order_given(tmp_path: Path) -> None:
    for name in ("c.jsonl", "a.jsonl", "b.jsonl"):
        _batch(tmp_path / name, 300_000)
    done = genspec("validate", "--jobs", "2", "c.jsonl", "a.jsonl", "b.jsonl", cwd=tmp_path)
    names = [line.split(":")[0] for line in done.stdout.splitlines()[:-1]]
    assert list(dict.fromkeys(names)) == ["c.jsonl", "a.jsonl", "b.jsonl"]


def test_a_line_over_the_limit_is_one_diagnostic_and_the_rest_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "huge-line.jsonl"
    with path.open("wb") as handle:
        handle.write(b'{"prompt": 1}\n')
        handle.write(b'{"prompt": "' + b"x" * (MAX_LINE_BYTES + 10) + b'"}\n')
        handle.write(b'{"prompt": 3}\n')
    done = genspec("validate", "huge-line.jsonl", cwd=tmp_path)
    found = [line.split(" ")[:2] for line in done.stdout.splitlines()[:-1]]
    assert found == [
        ["huge-line.jsonl:1:12:", "schema-type"],
        ["huge-line.jsonl:2:1:", "line-too-large"],
        ["huge-line.jsonl:3:12:", "schema-type"],
    ]


def test_progress_goes_to_a_terminal_stderr_only(tmp_path: Path) -> None:
    _batch(tmp_path / "big.jsonl", CHUNK_BYTES + 1000)
    piped = genspec("validate", "big.jsonl", cwd=tmp_path)
    assert piped.stderr == ""  # not a terminal: silent
    for quiet, expect in ((False, True), (True, False)):
        leader, follower = pty.openpty()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "genspec", "validate", "big.jsonl"]
                + (["--quiet"] if quiet else []),
                cwd=tmp_path,
                stdout=subprocess.PIPE,
                stderr=follower,
                timeout=600,
            )
            os.close(follower)
            seen = b""
            try:
                while chunk := os.read(leader, 65536):
                    seen += chunk
            except OSError:  # the terminal closed: everything was read
                pass
        finally:
            os.close(leader)
        assert (b"genspec: " in seen and b"bodies" in seen) == expect, seen
        assert b"genspec: " not in done.stdout  # never on stdout


def _mutations(body: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of `body` with a few members replaced, dropped or added (nested ones too)."""
    body = json.loads(json.dumps(body))
    for _ in range(rng.randint(1, 3)):
        nested = [v for v in body.values() if isinstance(v, dict)]
        target = rng.choice(nested) if nested and rng.random() < 0.3 else body
        odd = rng.choice([None, -1, 9, 1000, 1.5, "x", "é ü", True, [], {"a": 1}])
        if rng.random() < 0.5 and target:
            target[rng.choice(sorted(target))] = odd
        elif rng.random() < 0.5 and target:
            del target[rng.choice(sorted(target))]
        else:
            target[rng.choice(["numImages", "Seed", "prompt", "ultra", "ünknown"])] = odd
    return body


def test_a_body_is_placed_alike_alone_and_on_any_line_of_a_big_jsonl(tmp_path: Path) -> None:
    """The JSON Lines path (fast parser, chunks in two processes, line numbers shifted across
    chunks) reports each body's findings exactly as a .json file holding that body alone."""
    rng = random.Random(29)
    examples = sorted((Path(__file__).resolve().parents[2] / "spec" / "examples").glob("*/*.json"))
    bodies = []
    for example in examples:
        body = json.loads(example.read_text(encoding="utf-8"))
        bodies.append(body)
        if isinstance(body, dict):
            bodies += [_mutations(body, rng) for _ in range(2)]
    filler = json.dumps({"prompt": "a lighthouse at dusk, oil painting, " * 8})
    alone = tmp_path / "alone"
    alone.mkdir()
    lines: list[str] = []
    where: dict[int, str] = {}  # line number -> the .json file holding that body
    spread = max(1, (CHUNK_BYTES * 2 // len(filler)) // len(bodies))  # across three chunks
    for index, body in enumerate(bodies):
        lines += [filler] * spread
        text = json.dumps(body, ensure_ascii=rng.random() < 0.5)
        lines.append(text)
        name = f"body-{index:03d}.json"
        (alone / name).write_text(text, encoding="utf-8")
        where[len(lines)] = name
    (tmp_path / "all.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")

    for command in ("validate", "lint"):  # validate reads lines with the fast parser
        streamed = _records(command, "all.jsonl", cwd=tmp_path)
        by_file: dict[str, list[dict[str, Any]]] = {}
        for record in _records(command, "alone", cwd=tmp_path):
            by_file.setdefault(Path(record["path"]).name, []).append(record)
        expected = [
            {**record, "path": "all.jsonl", "line": number}
            for number, name in where.items()
            for record in by_file.get(name, [])
        ]
        assert len(expected) > 100  # the mutations do break rules
        assert streamed == expected


def _records(command: str, path: str, *, cwd: Path) -> list[dict[str, Any]]:
    done = genspec(command, "--format", "jsonl", "--quiet", "--jobs", "2", path, cwd=cwd)
    return [json.loads(line) for line in done.stdout.splitlines()]
