"""How compile time and memory grow with schema size: `genspec compile` on wide schemas.

Run: python bench/bench_compile.py [--sizes 1000,5000,20000]

For each size N, an object schema with N properties (a mix of string, integer, enum and nested
object members, a `required` list and `additionalProperties: false`) is written to a temporary
file and compiled twice, each time in a fresh process:
  end to end: `python -m genspec compile schema.json -o out.py`, timed from outside, with the
              CPU time and peak resident memory of the process tree from `wait4`;
  by phase:   the same work in process, timing the IR (`genspec.ir.lower`) and the emitter,
              template and layout (the rest of `compile_schema`) separately.
Goal (issue 11): 20,000 properties in <= 10 s CPU and <= 300 MB peak end to end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOAL_SECONDS = 10.0
GOAL_MB = 300.0
GOAL_SIZE = 20_000


def wide_schema(size: int) -> dict[str, Any]:
    """N properties of a few shapes, as hand-written API schemas have them."""
    properties: dict[str, Any] = {}
    for i in range(size):
        match i % 4:
            case 0:
                properties[f"name{i}"] = {"type": "string", "maxLength": 100 + i % 50}
            case 1:
                properties[f"count{i}"] = {"type": "integer", "minimum": 0, "maximum": i + 1}
            case 2:
                properties[f"mode{i}"] = {"enum": ["A", "B", f"C{i}"]}
            case _:
                properties[f"item{i}"] = {
                    "type": "object",
                    "properties": {"id": {"type": "string"}, "n": {"type": "number"}},
                    "required": ["id"],
                }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": [name for i, name in enumerate(properties) if i % 10 == 0],
        "additionalProperties": False,
    }


def _phases(schema_file: str) -> None:
    """Child mode: compile in process, print the CPU seconds of each phase as JSON (CPU, not
    wall time: the machine is shared, and the goal is about work done)."""
    import resource

    from genspec.compiler import compile_schema
    from genspec.ir import lower

    def cpu() -> float:  # this process and its finished children
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    schema = json.loads(Path(schema_file).read_text(encoding="utf-8"))
    start = cpu()
    lower(schema)
    lowered = cpu()
    source = compile_schema(schema)  # lowers again: the IR's share is subtracted below
    compiled = cpu()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ir_seconds = lowered - start
    result = {
        "ir": ir_seconds,
        "emitter": (compiled - lowered) - ir_seconds,
        "python_peak_mb": peak_mb,
        "lines": source.count("\n"),
    }
    print(json.dumps(result))


def _end_to_end(schema_file: Path, output: Path) -> tuple[float, float, float, int]:
    """(wall seconds, CPU seconds, peak MB, exit code) of one `genspec compile` (ruff, its
    child, included: `wait4` reports the tree's CPU time and its largest resident set)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "genspec", "compile", str(schema_file), "-o", str(output)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 and process.stderr is not None:
        sys.stderr.write(process.stderr.read().decode(errors="replace"))
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, process.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="comma-separated N")
    parser.add_argument("--phases-of", help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args(argv)
    if args.phases_of:
        _phases(args.phases_of)
        return 0
    sizes = [int(n) for n in args.sizes.split(",")]
    print("end to end: wall and CPU seconds, peak MB; by phase: CPU seconds")
    columns = ("wall", "cpu", "MB", "", "ir", "emit")
    print(f"{'properties':>10}", *(f"{name:>5}" for name in columns))
    met = True
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            schema_file = Path(scratch, f"wide{size}.json")
            schema_file.write_text(json.dumps(wide_schema(size)), encoding="utf-8")
            seconds, cpu, peak, code = _end_to_end(schema_file, Path(scratch, f"wide{size}.py"))
            if code != 0:
                print(f"{size:>10} genspec compile exited {code}")
                met = False
                continue
            child = subprocess.run(
                [sys.executable, __file__, "--phases-of", str(schema_file)],
                capture_output=True,
                text=True,
                check=True,
            )
            phases = json.loads(child.stdout)
            print(
                f"{size:>10} {seconds:>5.1f} {cpu:>5.1f} {peak:>5.0f}       {phases['ir']:>5.1f} "
                f"{phases['emitter']:>5.1f}"
            )
            # CPU time, not wall time: the goal is about work done, the machine may be shared.
            if size >= GOAL_SIZE and (cpu > GOAL_SECONDS or peak > GOAL_MB):
                met = False
    print(
        f"goal: {GOAL_SIZE} properties <= {GOAL_SECONDS:.0f} s CPU and <= {GOAL_MB:.0f} MB peak"
        f" ({'met' if met else 'NOT met'} for the sizes run)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
