"""Time genspec's compiled validator against jsonschema-rs, on every mix of bench/mixes.py.

Run: python bench/bench_validators.py [--seed N] [--count N] [--quick] [--json] [--no-native]

One process, one published schema (spec/generation-request.schema.json) for every engine. For
each mix (bench/mixes.py: minimal, sdk, app, guidance, invalid, advice, examples), every call's
verdict is compared with python-jsonschema's before anything is timed; then each call is timed
in CPU time (time.process_time_ns), repeats taking turns across calls, best repeat per body.
Goals (issue 14), on every mix: compiled `is_valid` <= 0.7x jsonschema-rs `is_valid`, and
compiled `validate(x, advice=False)` (the constraint errors) <= 0.7x jsonschema-rs
`list(iter_errors(x))`; genspec's advice (`_advise`, the x-advice warnings jsonschema-rs does not
compute) is timed apart. Two builds of the same compiled validator are timed: the Python module
(what `genspec compile` writes) and the native one (`genspec compile --target native`: the
native layout built by mypyc into a C extension; skipped, with the reason printed, when the
machine cannot build it or with --no-native). Also printed: the ratios to the hand-written
Python floor (bench/floor.py), fastjsonschema and python-jsonschema; each module's import time
(fresh interpreters, bytecode cached) and size. Quote ratios, never microseconds.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import importlib.machinery
import importlib.util
import inspect
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import jsonschema_rs

import floor
from genspec.compiler import compile_schema, load_module
from mixes import MIXES, draw_mix

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "spec" / "generation-request.schema.json"
GOAL = 0.7
GOAL_IMPORT_MS = 50.0
NOISE_TOLERANCE = 0.10


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    count: int  # bodies per mix
    repeat: int  # best of this many timed repeats
    budget_ns: int  # each repeat loops over the mix until it lasts about this long (CPU)


DEFAULT = Settings(count=300, repeat=7, budget_ns=30_000_000)
QUICK = Settings(count=100, repeat=3, budget_ns=8_000_000)


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    key: str
    label: str
    run: Callable[[Any], object]  # what is timed
    verdict: Callable[[Any], bool] | None  # None: not a verdict (the advice pass)


def build_native(schema: Any, folder: Path) -> tuple[Any, Path] | str:
    """(the native module, its file), or why it could not be built."""
    from genspec.native import NativeBuildError, build_native, native_source

    output = folder / "bench_native_validator.so"

    def cpu() -> float:  # mypyc and the C compiler run in subprocesses
        own, children = (
            resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
        )
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    started = cpu()
    try:
        build_native(native_source(schema, source=str(SCHEMA.relative_to(ROOT))), output)
    except NativeBuildError as exc:
        return str(exc)
    print(f"native build: {cpu() - started:.1f} s CPU", file=sys.stderr)
    loader = importlib.machinery.ExtensionFileLoader(output.name.split(".")[0], str(output))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module, output


def build_calls(schema: Any, compiled: Any, native: Any | None) -> list[Call]:
    rust = jsonschema_rs.validator_for(schema)
    if type(rust).__name__ != "Draft202012Validator":
        sys.exit(f"jsonschema_rs.validator_for chose {type(rust).__name__}, not 2020-12")
    python = jsonschema.Draft202012Validator(schema)
    fast_first = fastjsonschema.compile(schema, use_default=False)
    fast_all = fastjsonschema.compile(schema, use_default=False, fast_fail=False)

    def fast_first_valid(body: Any) -> bool:
        try:
            fast_first(body)
        except fastjsonschema.JsonSchemaValueException:
            return False
        return True

    def fast_all_valid(body: Any) -> bool:
        try:
            fast_all(body)
        except fastjsonschema.JsonSchemaValuesException:
            return False
        return True

    if "advice" in inspect.signature(compiled.validate).parameters:

        def errors(body: Any) -> list[Any]:
            return compiled.validate(body, advice=False)

    else:  # --module generated before validate(x, advice=False): its report with no advice
        report, root = compiled._e_root, compiled._v_root

        def errors(body: Any) -> list[Any]:
            out: list[Any] = []
            if not root(body):
                report(body, (), out)
            return out

    def advise(body: Any) -> None:
        compiled._advise(body, [])

    def rust_errors(body: Any) -> list[Any]:
        return list(rust.iter_errors(body))

    def python_errors(body: Any) -> list[Any]:
        return list(python.iter_errors(body))

    calls = [
        Call("genspec.is_valid", "genspec is_valid", compiled.is_valid, compiled.is_valid),
        Call("genspec.errors", "genspec validate(advice=False)", errors, lambda b: not errors(b)),
        Call("genspec.advice", "genspec advice alone (_advise)", advise, None),
        Call("genspec.validate", "genspec validate (errors + advice)", compiled.validate, None),
    ]
    if native is not None:

        def native_errors(body: Any) -> list[Any]:
            return native.validate(body, advice=False)  # type: ignore[no-any-return]

        def native_advise(body: Any) -> None:
            native._advise(body, [])

        calls += [
            Call("native.is_valid", "genspec native is_valid", native.is_valid, native.is_valid),
            Call(
                "native.errors",
                "genspec native validate(advice=False)",
                native_errors,
                lambda b: not native_errors(b),
            ),
            Call("native.advice", "genspec native advice alone", native_advise, None),
        ]
    return [
        *calls,
        Call("rs.is_valid", "jsonschema-rs is_valid", rust.is_valid, rust.is_valid),
        Call(
            "rs.errors",
            "jsonschema-rs list(iter_errors)",
            rust_errors,
            lambda b: not rust_errors(b),
        ),
        Call("floor.is_valid", "hand-written Python floor", floor.is_valid, floor.is_valid),
        Call("fjs.first", "fastjsonschema (first error)", fast_first_valid, fast_first_valid),
        Call("fjs.all", "fastjsonschema fast_fail=False", fast_all_valid, fast_all_valid),
        Call("py.is_valid", "python-jsonschema is_valid", python.is_valid, python.is_valid),
        Call(
            "py.errors",
            "python-jsonschema list(iter_errors)",
            python_errors,
            lambda b: not python_errors(b),
        ),
    ]


def loop_ns(run: Callable[[Any], object], bodies: Sequence[Any], number: int) -> int:
    start = time.process_time_ns()
    for _ in range(number):
        for body in bodies:
            run(body)
    return time.process_time_ns() - start


def best_us(
    calls: Sequence[Call], bodies: Sequence[Any], settings: Settings
) -> tuple[dict[str, float], dict[str, float]]:
    """(best CPU µs per body, spread of the repeats: median / best - 1) for each call.

    A first pass warms each call up and sizes its loop to the budget; repeats then take turns
    across calls, so load from elsewhere hits every engine alike; the garbage collector is off
    while timing, as in timeit."""
    numbers = {}
    for call in calls:
        first = loop_ns(call.run, bodies, 1)
        numbers[call.key] = max(1, math.ceil(settings.budget_ns / max(first, 1)))
    runs: dict[str, list[int]] = {call.key: [] for call in calls}
    collecting = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(settings.repeat):
            for call in calls:
                runs[call.key].append(loop_ns(call.run, bodies, numbers[call.key]))
    finally:
        if collecting:
            gc.enable()
    best = {k: min(v) / (numbers[k] * len(bodies)) / 1000 for k, v in runs.items()}
    spread = {k: statistics.median(v) / max(min(v), 1) - 1 for k, v in runs.items()}
    return best, spread


def import_ms(folder: Path, name: str) -> float:
    """CPU ms to import module `name` from `folder` in a fresh interpreter (best of 5 after a
    first run that writes __pycache__; the interpreter's own start-up not counted)."""
    probe = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); t = time.process_time();"
        f" import {name}; print((time.process_time() - t) * 1000)"
    )
    times = []
    for _ in range(6):
        out = subprocess.run(
            [sys.executable, "-c", probe, str(folder)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": ""},  # an installed module has .pyc
        )
        times.append(float(out.stdout))
    return min(times[1:])


def import_cost(source: str, native: Path | None) -> dict[str, float]:
    """Import time and size of the Python module (bytecode cached) and of the native one."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench_compiled_validator.py"
        path.write_text(source, encoding="utf-8")
        cost = {"import_ms": import_ms(Path(folder), path.stem)}
        cached = sorted((Path(folder) / "__pycache__").glob("*.pyc"))
        cost["source_kb"] = len(source.encode()) / 1024
        cost["bytecode_kb"] = sum(p.stat().st_size for p in cached) / 1024
    if native is not None:
        cost["native_import_ms"] = import_ms(native.parent, native.name.split(".")[0])
        cost["native_kb"] = native.stat().st_size / 1024
    return cost


RATIOS = [  # (numerator, denominator, label, goal)
    ("native.is_valid", "rs.is_valid", "native is_valid / rs is_valid", GOAL),
    ("native.errors", "rs.errors", "native errors / rs iter_errors", GOAL),
    ("genspec.is_valid", "rs.is_valid", "is_valid / rs is_valid", GOAL),
    ("genspec.errors", "rs.errors", "errors / rs iter_errors", GOAL),
    ("native.is_valid", "genspec.is_valid", "native is_valid / Python module", None),
    ("native.is_valid", "floor.is_valid", "native is_valid / Python floor", None),
    ("genspec.is_valid", "floor.is_valid", "is_valid / Python floor", None),
    ("genspec.is_valid", "fjs.first", "is_valid / fastjsonschema", None),
    ("genspec.errors", "fjs.all", "errors / fastjsonschema all", None),
    ("genspec.is_valid", "py.is_valid", "is_valid / python-jsonschema", None),
    ("genspec.errors", "py.errors", "errors / python-jsonschema", None),
]


def run(
    settings: Settings, seed: int, module: Path | None = None, native: bool = True
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        return _run(settings, seed, module, native, Path(folder))


def _run(
    settings: Settings, seed: int, module: Path | None, native: bool, folder: Path
) -> dict[str, Any]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    if module is None:
        source = compile_schema(schema, source=str(SCHEMA.relative_to(ROOT)))
    else:
        source = module.read_text(encoding="utf-8")
    compiled = load_module(source)
    built = build_native(schema, folder) if native else "not asked for (--no-native, or --module)"
    if isinstance(built, str):
        print(f"native build skipped: {built}", file=sys.stderr)
    native_module, native_file = built if not isinstance(built, str) else (None, None)
    calls = build_calls(schema, compiled, native_module)
    reference = next(c for c in calls if c.key == "py.is_valid")
    mixes: dict[str, Any] = {}
    for name in MIXES:
        bodies = draw_mix(name, seed, settings.count)
        before = json.dumps(bodies)
        expected = [reference.run(b) for b in bodies]
        disagree = {
            c.key: sum(c.verdict(b) != e for b, e in zip(bodies, expected, strict=True))
            for c in calls
            if c.verdict is not None
        }
        best, spread = best_us(calls, bodies, settings)
        if json.dumps(bodies) != before:
            sys.exit(f"an engine changed the bodies of mix {name}: timings are not comparable")
        mixes[name] = {
            "bodies": len(bodies),
            "valid": sum(expected),
            "fields": statistics.median(len(b) if isinstance(b, dict) else 0 for b in bodies),
            "disagreements": {k: n for k, n in disagree.items() if n},
            "us": best,
            "spread": spread,
            "ratios": {
                label: best[a] / best[b] if a in best and b in best else math.nan
                for a, b, label, _ in RATIOS
            },
        }
    return {
        "versions": {
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            **{n: version(n) for n in ("jsonschema-rs", "fastjsonschema", "jsonschema")},
        },
        "seed": seed,
        "validator": str(module) if module else "compiled in process from the spec",
        "native": "built by genspec.native (mypyc)" if native_file else f"skipped: {built}",
        "settings": dataclasses.asdict(settings),
        "labels": {c.key: c.label for c in calls},
        "mixes": mixes,
        "module": import_cost(source, native_file),
    }


def fmt_ratio(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.2f}x" if value >= 0.1 else f"{value:.3f}x"


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def render(result: dict[str, Any]) -> list[str]:
    mixes = result["mixes"]
    lines = ["# genspec validator benchmark", ""]
    lines += [f"- {name}: {value}" for name, value in result["versions"].items()]
    settings = result["settings"]
    lines += [
        f"- genspec validator: {result['validator']}; native build: {result['native']}",
        f"- seed {result['seed']} (rerun with --seed {result['seed']}); {settings['count']} bodies"
        f" per mix; best of {settings['repeat']} repeats, CPU time",
        "",
        "## Verdicts (reference: python-jsonschema)",
        "",
    ]
    for name, mix in mixes.items():
        found = ", ".join(f"{result['labels'][k]} {n}" for k, n in mix["disagreements"].items())
        lines.append(
            f"- {name}: {mix['bodies']} bodies, {mix['valid']} valid, median {mix['fields']:g}"
            f" fields; disagreements: {found or 'none'}"
        )
    lines += ["", "## CPU µs per body", ""]
    keys = list(result["labels"])
    lines += markdown(
        ["call", *mixes],
        [[result["labels"][k], *(f"{m['us'][k]:.2f}" for m in mixes.values())] for k in keys],
    )
    goals = sum(1 for *_, goal in RATIOS if goal)
    lines += [
        "",
        f"## Ratios (lower is faster for genspec; goal <= {GOAL}x on the first {goals})",
        "",
    ]
    labels = [label for _, _, label, _ in RATIOS]
    lines += markdown(
        ["ratio", *mixes, "worst"],
        [
            [
                label,
                *(fmt_ratio(m["ratios"][label]) for m in mixes.values()),
                fmt_ratio(max(m["ratios"][label] for m in mixes.values())),
            ]
            for label in labels
        ],
    )
    noisy = [
        f"{name}/{key} +{gap:.0%}"
        for name, mix in mixes.items()
        for key, gap in mix["spread"].items()
        if gap > NOISE_TOLERANCE
        and key in {a for a, _, _, g in RATIOS if g} | {"rs.is_valid", "rs.errors"}
    ]
    lines += [
        "",
        "Noise check (median repeat vs best, for the goal calls): "
        + (
            f"spread above {NOISE_TOLERANCE:.0%} for {', '.join(noisy)}; rerun."
            if noisy
            else f"every spread within {NOISE_TOLERANCE:.0%}."
        ),
    ]
    module = result["module"]
    lines += [
        "",
        f"Compiled module: import {module['import_ms']:.1f} ms CPU (goal <= {GOAL_IMPORT_MS:g} ms,"
        f" fresh interpreter, bytecode cached), source {module['source_kb']:.0f} KiB, bytecode"
        f" {module['bytecode_kb']:.0f} KiB."
        + (
            f" Native module: import {module['native_import_ms']:.1f} ms CPU,"
            f" {module['native_kb']:.0f} KiB."
            if "native_kb" in module
            else ""
        ),
        "",
    ]
    for _, _, label, goal in RATIOS:
        if goal is None or any(math.isnan(m["ratios"][label]) for m in mixes.values()):
            continue
        worst_mix, worst = max(
            ((name, m["ratios"][label]) for name, m in mixes.items()), key=lambda p: p[1]
        )
        verdict = "meets" if worst <= goal else "misses"
        lines.append(f"HEADLINE {label}: worst {worst:.2f}x on {worst_mix} ({verdict} <= {goal}x)")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, help="draw seed (default: random, printed)")
    parser.add_argument("--count", type=int, help="bodies per mix")
    parser.add_argument("--quick", action="store_true", help="fewer bodies and repeats")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--module",
        type=Path,
        help="time this generated validator file instead of compiling the spec in process"
        " (e.g. `git show REV:generated/python/leonardo_generations/validate_request.py`)",
    )
    parser.add_argument(
        "--no-native", action="store_true", help="skip the native (mypyc) build of the validator"
    )
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else DEFAULT
    if args.count:
        settings = dataclasses.replace(settings, count=args.count)
    seed = args.seed if args.seed is not None else random.randrange(2**31)
    print(f"seed {seed}", file=sys.stderr)
    started = time.perf_counter()
    result = run(settings, seed, args.module, native=not args.no_native and args.module is None)
    result["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print("\n".join([*render(result), f"(run took {result['seconds']} s, loaded wall clock)"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
