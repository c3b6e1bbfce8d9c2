"""Time `genspec validate` against check-jsonschema on the same 1000 request bodies.

Run: python bench/bench_cli.py [--files N] [--repeat R]

Both tools get the same file list in one invocation (start-up included, as a user or CI sees
it); the best of R runs is kept. Goals: genspec <= 0.5x check-jsonschema's time, and
`genspec --version` <= 100 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "spec" / "generation-request.schema.json"
GOAL_RATIO = 0.5
GOAL_VERSION_SECONDS = 0.100

PROMPTS = ["A majestic cat in the snow", "a lighthouse at dusk, oil painting", "neon city, rain"]
STYLES = ["DYNAMIC", "CINEMATIC", "NONE", "ANIME", "LEONARDO"]


def payload(rng: random.Random) -> dict[str, object]:
    """A plausible body; about one in four breaks a range, a type or a cross-field rule."""
    body: dict[str, object] = {"prompt": rng.choice(PROMPTS)}
    size = rng.choice([512, 640, 768, 1024])
    body.update(width=size, height=rng.choice([512, 768, 1024]))
    body["num_images"] = rng.randint(1, 4)
    if rng.random() < 0.5:
        body["presetStyle"] = rng.choice(STYLES)
    if rng.random() < 0.3:
        body.update(alchemy=False, ultra=rng.random() < 0.5)
    if rng.random() < 0.3:
        body["guidance_scale"] = rng.randint(1, 20)
    mistake = rng.random()
    if mistake < 0.08:
        body["num_images"] = 9
    elif mistake < 0.16:
        body["width"] = 1000  # not a multiple of 8
    elif mistake < 0.25:
        body["numImages"] = 2  # unknown key
    return body


def write_payloads(directory: Path, count: int) -> list[str]:
    rng = random.Random(5)  # the same files every run
    paths = []
    for index in range(count):
        path = directory / f"body-{index:04d}.json"
        path.write_text(json.dumps(payload(rng), indent=2))
        paths.append(str(path))
    return paths


def best_time(command: Sequence[str], repeat: int) -> float:
    """Fastest wall-clock time of `repeat` runs (exit codes 0 and 1 both mean it ran)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if done.returncode not in (0, 1):
            sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
        best = min(best, elapsed)
    return best


def tool(name: str) -> str:
    """The tool from this interpreter's environment, else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    genspec, check_jsonschema = tool("genspec"), tool("check-jsonschema")
    with tempfile.TemporaryDirectory(prefix="genspec-bench-") as tmp:
        files = write_payloads(Path(tmp), args.files)
        ours = best_time([genspec, "validate", *files], args.repeat)
        lint = best_time([genspec, "lint", *files], args.repeat)
        theirs = best_time([check_jsonschema, "--schemafile", str(SCHEMA), *files], args.repeat)
    version = best_time([genspec, "--version"], max(args.repeat, 10))
    ratio = ours / theirs
    print(f"files:                         {args.files} (best of {args.repeat})")
    print(f"genspec validate:              {ours:8.3f} s")
    print(f"genspec lint (no goal):        {lint:8.3f} s")
    print(f"check-jsonschema --schemafile: {theirs:8.3f} s")
    print(f"ratio genspec/check-jsonschema: {ratio:7.3f}x  (goal <= {GOAL_RATIO}x)")
    print(f"genspec --version:             {version * 1000:8.1f} ms (goal <= 100 ms)")
    met = ratio <= GOAL_RATIO and version <= GOAL_VERSION_SECONDS
    print("goals met" if met else "GOALS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
