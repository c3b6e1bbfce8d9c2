"""Time the genspec CLI: start-up, many files, 1M JSON Lines bodies, and Spark beside the CLI.

Run: python bench/bench_cli.py [--files N] [--repeat R] [--bodies N] [--spark-bodies N]
                               [--only startup|files|big|stress|spark]
With no --only, every part runs, and the last line says whether all goals are met.

- start-up: `genspec validate one.json` against `genspec --version` (goals: <= 150 ms and
  <= 3x), best of R runs after a warm-up that writes the bytecode caches (CPU ms beside);
- files: genspec and check-jsonschema get the same N files in one invocation (start-up
  included, as a user or CI sees it); goal: genspec <= 0.5x check-jsonschema's time;
- big: N (default 1,000,000) bodies of the bench mix (bench/payloads.py) in one .jsonl file in
  a temporary directory, `genspec validate --jobs 2` in each format: wall time, CPU time, peak
  memory (the sum over genspec and its workers, sampled from /proc), bodies/s per core, beside
  the bare parse rate of the same file in one process (the floor). Goals: <= 20 s wall,
  <= 200 MB peak;
- stress: N/20 bodies drawn differently (many findings a body, unicode and escapes, long lines;
  see `stress_line`), the same measures; no goal of its own: it shows the speed holds beyond
  the bench mix;
- spark: `genspec.spark` on a local[2] session against `genspec validate --jobs 2` on the same
  file of --spark-bodies bodies (bench/bench_spark.py), findings counted by both.

Wall-clock figures depend on what else runs: the load average is printed beside them (a busy
machine is marked "loaded"); CPU seconds are comparable across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "spec" / "generation-request.schema.json"
GOAL_RATIO = 0.5
GOAL_STARTUP_SECONDS = 0.150
GOAL_STARTUP_RATIO = 3.0
GOAL_BIG_SECONDS = 20.0
GOAL_BIG_PEAK_BYTES = 200_000_000

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


def clean_env() -> dict[str, str]:
    """The environment with bytecode caching on: what an installed genspec runs with."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def best_time(command: Sequence[str], repeat: int) -> float:
    """Fastest wall-clock time of `repeat` runs (exit codes 0 and 1 both mean it ran)."""
    return best_times(command, repeat)[0]


def best_times(command: Sequence[str], repeat: int) -> tuple[float, float]:
    """Fastest wall-clock and fastest CPU time (user + system) of `repeat` runs."""
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=clean_env()
        )
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode not in (0, 1):
            sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
        best = min(best, elapsed)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_cpu = min(best_cpu, cpu)
    return best, best_cpu


def load_note() -> str:
    """The 1-minute load average, and "loaded" when other work competes for the cores."""
    load = os.getloadavg()[0]
    busy = load > 0.5 * (os.cpu_count() or 1)
    return f"load {load:.1f}{', loaded: wall times not comparable' if busy else ', idle'}"


def tool(name: str) -> str:
    """The tool from this interpreter's environment, else from PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        sys.exit(f"{name} is not installed (pip install -e '.[dev]')")
    return found


def startup(repeat: int) -> bool:
    genspec = tool("genspec")
    with tempfile.TemporaryDirectory(prefix="genspec-bench-") as tmp:
        (one,) = write_payloads(Path(tmp), 1)
        best_time([genspec, "validate", one], 1)  # warm-up: bytecode caches
        validate, validate_cpu = best_times([genspec, "validate", one], max(repeat, 10))
    version, version_cpu = best_times([genspec, "--version"], max(repeat, 10))
    ratio = validate / version
    print(f"start-up ({load_note()})")
    print(
        f"genspec validate one.json:     {validate * 1000:8.1f} ms (goal <= 150 ms), "
        f"{validate_cpu * 1000:.1f} ms CPU"
    )
    print(
        f"genspec --version:             {version * 1000:8.1f} ms, {version_cpu * 1000:.1f} ms CPU"
    )
    print(
        f"ratio validate/--version:      {ratio:8.2f}x  (goal <= 3x), "
        f"{validate_cpu / version_cpu:.2f}x in CPU"
    )
    return validate <= GOAL_STARTUP_SECONDS and ratio <= GOAL_STARTUP_RATIO


def many_files(count: int, repeat: int) -> bool:
    genspec, check_jsonschema = tool("genspec"), tool("check-jsonschema")
    with tempfile.TemporaryDirectory(prefix="genspec-bench-") as tmp:
        files = write_payloads(Path(tmp), count)
        ours = best_time([genspec, "validate", *files], repeat)
        lint = best_time([genspec, "lint", *files], repeat)
        theirs = best_time([check_jsonschema, "--schemafile", str(SCHEMA), *files], repeat)
    ratio = ours / theirs
    print(f"files:                         {count} (best of {repeat})")
    print(f"genspec validate:              {ours:8.3f} s")
    print(f"genspec lint (no goal):        {lint:8.3f} s")
    print(f"check-jsonschema --schemafile: {theirs:8.3f} s")
    print(f"ratio genspec/check-jsonschema: {ratio:7.3f}x  (goal <= {GOAL_RATIO}x)")
    return ratio <= GOAL_RATIO


def write_mix(path: Path, bodies: int) -> int:
    """`bodies` lines cycling through the bench mix; returns the file's size in bytes."""
    sys.path.insert(0, str(ROOT / "bench"))
    from payloads import payload_mix

    lines = [json.dumps(p.body, separators=(",", ":")) + "\n" for p in payload_mix()]
    with path.open("w", encoding="utf-8") as handle:
        for start in range(0, bodies, len(lines)):
            handle.writelines(lines[: min(len(lines), bodies - start)])
    return path.stat().st_size


def _tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and all its descendants, from /proc (0 once it is gone)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
        stack.extend(int(child) for child in children)
    return total


def timed_with_peak(command: Sequence[str]) -> tuple[float, float, int]:
    """Wall time, CPU time (user + system of genspec and its workers) and the peak of the
    summed RSS of the process tree (sampled every 20 ms)."""
    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=clean_env()
    )

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    elapsed = time.perf_counter() - start
    sampler.join()
    if process.returncode not in (0, 1):
        sys.exit(f"{command[0]} failed ({process.returncode}): {stderr.decode()[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu, peak


def parse_floor(path: Path, loads: Callable[[bytes], object]) -> float:
    """Bodies per CPU second that only parse each line, in this one process."""
    start = time.process_time()
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            loads(line)
            count += 1
    return count / (time.process_time() - start)


UNICODE_WORDS = [
    "café",
    "naïve",
    "東京の夜",
    "Ωmega",
    "emoji 🎨🖌️",
    "ß straße",
    "\u2028sep",
    'tab\tquote"',
]


def stress_line(rng: random.Random, body: dict[str, object]) -> str:
    """A body of the bench mix drawn differently: several mistakes at once (wrong types, unknown
    and misspelt members, out-of-range numbers, nested too), unicode text written raw or as
    escapes, and sometimes a prompt kilobytes long; spacing varies."""
    body = json.loads(json.dumps(body))
    if not isinstance(body, dict):
        return json.dumps(body)
    words = [rng.choice(UNICODE_WORDS + PROMPTS) for _ in range(rng.randint(2, 12))]
    if rng.random() < 0.15:  # a long line
        words *= rng.randint(20, 200)
    body["prompt"] = " ".join(words)
    for _ in range(rng.randint(1, 6)):
        roll = rng.random()
        if roll < 0.25:
            body[rng.choice(["numImages", "Width", "négatif", "seed ", "prompt_magic"])] = 1
        elif roll < 0.5 and body:
            body[rng.choice(sorted(body))] = rng.choice([None, -1, 1e6, "x" * 50, [], {"a": 1}])
        elif roll < 0.7:
            body["num_images"] = rng.choice([0, 9, 2.5, "4"])
        elif roll < 0.85:
            body["controlnets"] = [
                {"initImageId": "x", "preprocessorId": rng.choice([1, 67, "67"]), "weight": -1}
                for _ in range(rng.randint(1, 4))
            ]
        else:
            body["width"] = rng.choice([513, 100000, "512"])
    compact = rng.random() < 0.5
    separators = (",", ":") if compact else (", ", ": ")
    return json.dumps(body, ensure_ascii=rng.random() < 0.3, separators=separators)


def write_stress(path: Path, bodies: int) -> int:
    """`bodies` lines of `stress_line` (seeded: the same file every run); returns its size."""
    sys.path.insert(0, str(ROOT / "bench"))
    from payloads import payload_mix

    mix = [p.body for p in payload_mix()]
    rng = random.Random(11)
    with path.open("w", encoding="utf-8") as handle:
        for index in range(bodies):
            handle.write(stress_line(rng, mix[index % len(mix)]) + "\n")
    return path.stat().st_size


def big_jsonl(bodies: int, jobs: int, *, stress: bool = False) -> bool:
    genspec = tool("genspec")
    met = True
    with tempfile.TemporaryDirectory(prefix="genspec-bench-") as tmp:
        path = Path(tmp) / "mix.jsonl"
        size = write_stress(path, bodies) if stress else write_mix(path, bodies)
        kind = "stress mix (many findings, unicode, long lines)" if stress else "bench mix"
        print(f"{kind}: {bodies:,} bodies ({size / 1e6:.0f} MB), --jobs {jobs}, {load_note()}")
        print(f"bare parse, json.loads a line: {parse_floor(path, json.loads):10,.0f} bodies/s")
        try:
            import orjson

            print(
                f"bare parse, orjson a line:     {parse_floor(path, orjson.loads):10,.0f} bodies/s"
            )
        except ImportError:
            pass
        print("(bodies/s: per CPU second of one core; wall time depends on what else runs)")
        for output_format in ("text", "json", "jsonl", "sarif"):
            command = [genspec, "validate", "--quiet", "--jobs", str(jobs)]
            wall, cpu, peak = timed_with_peak([*command, "--format", output_format, str(path)])
            print(
                f"validate --format {output_format:6s} {wall:7.1f} s wall, {cpu:7.1f} s CPU "
                f"({cpu / jobs:5.1f} s on {jobs} idle cores), {peak / 1e6:5.0f} MB peak, "
                f"{bodies / cpu:8,.0f} bodies/s per core"
            )
            met = met and wall <= GOAL_BIG_SECONDS and peak <= GOAL_BIG_PEAK_BYTES
    if stress:
        return True  # no goal of its own
    print(
        f"goals: <= {GOAL_BIG_SECONDS:.0f} s wall and <= {GOAL_BIG_PEAK_BYTES / 1e6:.0f} MB peak "
        f"({'met' if met else 'NOT MET'})"
    )
    return met


def spark_run(bodies: int) -> bool:
    """bench_spark: genspec.spark on local[2] beside the CLI, same file, same finding count."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        print("spark: skipped, pyspark is not installed (pip install -e '.[spark]')")
        return True
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_spark import spark_against_cli

    print(f"spark ({load_note()})")
    return spark_against_cli(bodies)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bodies", type=int, default=1_000_000)
    parser.add_argument("--spark-bodies", type=int, default=200_000)
    parser.add_argument("--jobs", type=int, default=2)
    parts = ("startup", "files", "big", "stress", "spark")
    parser.add_argument("--only", choices=parts, default=None)
    args = parser.parse_args()
    results: dict[str, bool] = {}
    for part in parts:
        if args.only not in (None, part):
            continue
        print(f"--- {part}")
        if part == "startup":
            results[part] = startup(args.repeat)
        elif part == "files":
            results[part] = many_files(args.files, args.repeat)
        elif part == "big":
            results[part] = big_jsonl(args.bodies, args.jobs)
        elif part == "stress":
            results[part] = big_jsonl(max(args.bodies // 20, 1), args.jobs, stress=True)
        else:
            results[part] = spark_run(args.spark_bodies)
    print("--- goals: " + ", ".join(f"{k} {'met' if v else 'NOT MET'}" for k, v in results.items()))
    met = all(results.values())
    print("goals met" if met else "GOALS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
