"""JSON Lines of any size: streamed, cut into chunks for --jobs, numbered right across chunks."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

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
