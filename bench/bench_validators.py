"""Time genspec's compiled validator against jsonschema-rs, fastjsonschema and python-jsonschema.

Run: python bench/bench_validators.py [--quick] [--json]

Every engine checks the same payload list (bench/payloads.py: the spec's example bodies plus
generated realistic ones) in one process against spec/generation-request.schema.json. Verdicts
are compared with python-jsonschema before anything is timed. Each figure is the best of N
repeats (timeit style: one warm-up pass, then a loop count sized to a time budget, measured with
time.perf_counter_ns) divided by the number of payloads checked. Goal: compiled `validate` <=
1.0x jsonschema-rs `iter_errors`. Timings are machine-dependent: quote the ratios.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import math
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import fastjsonschema
import jsonschema
import jsonschema_rs

from genspec.compiler import compile_schema, load_module
from genspec.keywords import KEYWORDS
from genspec.keywords import subschemas as immediate_subschemas
from payloads import Payload, payload_mix

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "spec" / "generation-request.schema.json"
GOAL_VALIDATE_RATIO = 1.0
WORST_SHOWN = 8


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    generated: int  # generated bodies added to the example files
    repeat: int  # best of this many timed repeats
    budget_ns: int  # each repeat loops over the payloads until it lasts about this long
    profile_number: int  # calls per payload per repeat in the per-payload profile


DEFAULT = Settings(generated=350, repeat=7, budget_ns=40_000_000, profile_number=20)
QUICK = Settings(generated=100, repeat=3, budget_ns=10_000_000, profile_number=5)


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    key: str  # short id used in ratios and --json
    engine: str
    api: str
    run: Callable[[Any], object]  # what is timed
    verdict: Callable[[Any], bool]
    findings: Callable[[Any], int] | None = None  # errors reported, for all-errors APIs


# Keywords of drafts 2019-09/2020-12 that change a verdict and that fastjsonschema (draft-07
# keyword set, even for a 2020-12 `$schema`) does not know, so it skips them silently.
NEWER_KEYWORDS = {
    "dependentRequired",
    "dependentSchemas",
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "minContains",
    "maxContains",
    "$dynamicRef",
    "$recursiveRef",
}


def subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    """Every schema object in `schema`, the root included (where subschemas sit is
    genspec.keywords' business)."""
    stack = [schema]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(reversed([sub for _, _, sub in immediate_subschemas(current)]))


def asserts(keyword: str) -> bool:
    """Whether `keyword` can change a verdict (an assertion or an applicator, per the table)."""
    info = KEYWORDS.get(keyword)
    return info is not None and info.role in ("assertion", "applicator")


def fastjsonschema_caveats(schema: Any) -> list[str]:
    """What fastjsonschema reads differently from 2020-12 in this particular schema."""
    generator = fastjsonschema._get_code_generator_class(schema).__name__
    used = {keyword for node in subschemas(schema) for keyword in node}
    ignored = sorted(used & NEWER_KEYWORDS)
    ref_siblings = sum(
        1
        for node in subschemas(schema)
        if "$ref" in node and any(asserts(k) for k in node if k != "$ref")
    )
    notes = [
        f"fastjsonschema compiles this 2020-12 schema with {generator} (draft-07 keywords)"
        " and use_default=False (its default fills in `default` values, mutating the payload).",
        "It ignores 2019-09/2020-12 keywords (dependentRequired, dependentSchemas, prefixItems,"
        " unevaluated*, min/maxContains, $dynamicRef); used by this spec: "
        + (", ".join(ignored) if ignored else "none")
        + ".",
        "It skips keywords beside a $ref (draft-07 rule); $ref with sibling assertions here: "
        f"{ref_siblings}.",
    ]
    if "format" in used:
        notes.append("It asserts `format`, which 2020-12 treats as an annotation.")
    notes.append("So its verdicts may differ from python-jsonschema's; differences are listed.")
    return notes


def build_calls(schema: Any) -> tuple[list[Call], Call]:
    """(every timed call, the reference call) for the same schema document."""
    compiled = load_module(compile_schema(schema, source=str(SCHEMA.relative_to(ROOT))))
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

    def fast_all_errors(body: Any) -> int:
        try:
            fast_all(body)
        except fastjsonschema.JsonSchemaValuesException as failure:
            return len(failure.errors)
        return 0

    def rust_errors(body: Any) -> list[Any]:
        return list(rust.iter_errors(body))

    def python_errors(body: Any) -> list[Any]:
        return list(python.iter_errors(body))

    reference = Call(
        "py.is_valid", "python-jsonschema", "is_valid", python.is_valid, python.is_valid
    )
    calls = [
        Call(
            "genspec.is_valid",
            "genspec (compiled)",
            "is_valid",
            compiled.is_valid,
            compiled.is_valid,
        ),
        Call(
            "genspec.validate",
            "genspec (compiled)",
            "validate",
            compiled.validate,
            # validity is "no error": the advice's warnings never decide it
            lambda b: not any(e.severity == "error" for e in compiled.validate(b)),
            lambda b: len(compiled.validate(b)),
        ),
        Call("rs.is_valid", "jsonschema-rs", "is_valid", rust.is_valid, rust.is_valid),
        Call(
            "rs.iter_errors",
            "jsonschema-rs",
            "list(iter_errors)",
            rust_errors,
            lambda b: not rust_errors(b),
            lambda b: len(rust_errors(b)),
        ),
        Call(
            "fjs.first",
            "fastjsonschema",
            "validate (first error)",
            fast_first_valid,
            fast_first_valid,
        ),
        Call(
            "fjs.all",
            "fastjsonschema",
            "validate (fast_fail=False)",
            fast_all_errors,
            lambda b: fast_all_errors(b) == 0,
            fast_all_errors,
        ),
        reference,
        Call(
            "py.iter_errors",
            "python-jsonschema",
            "list(iter_errors)",
            python_errors,
            lambda b: not python_errors(b),
            lambda b: len(python_errors(b)),
        ),
    ]
    return calls, reference


def loop_ns(run: Callable[[Any], object], bodies: Sequence[Any], number: int) -> int:
    start = time.perf_counter_ns()
    for _ in range(number):
        for body in bodies:
            run(body)
    return time.perf_counter_ns() - start


def best_us(
    runs: dict[str, Callable[[Any], object]],
    bodies: Sequence[Any],
    settings: Settings,
    number: int | None = None,
) -> dict[str, float]:
    """Best per-payload microseconds of each call on the same bodies.

    A first pass warms each call up and sizes its loop to the budget (unless `number` is
    given); repeats then take turns across calls, so a burst of load from elsewhere on the
    machine hits every engine alike. The garbage collector is off while timing, as in timeit.
    """
    if not bodies:
        return {key: math.nan for key in runs}
    numbers = {}
    for key, run in runs.items():
        first = loop_ns(run, bodies, 1)
        numbers[key] = number or max(1, math.ceil(settings.budget_ns / max(first, 1)))
    best = dict.fromkeys(runs, math.inf)
    collecting = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(settings.repeat):
            for key, run in runs.items():
                best[key] = min(best[key], loop_ns(run, bodies, numbers[key]))
    finally:
        if collecting:
            gc.enable()
    return {key: best[key] / (numbers[key] * len(bodies)) / 1000 for key in runs}


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def fmt_us(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}" if value < 100 else f"{value:.0f}"


def fmt_ratio(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}x"


def markdown(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def disagreements(
    calls: Sequence[Call], payloads: Sequence[Payload], expected: dict[str, bool]
) -> dict[str, list[str]]:
    """Per call, the payloads whose verdict differs from the reference's."""
    found: dict[str, list[str]] = {}
    for call in calls:
        found[call.key] = [
            f"{p.name} ({p.recipe}): python-jsonschema "
            f"{'valid' if expected[p.name] else 'invalid'}, {call.engine} {call.api} "
            f"{'valid' if call.verdict(p.body) else 'invalid'}"
            for p in payloads
            if call.verdict(p.body) != expected[p.name]
        ]
    return found


def versions() -> dict[str, str]:
    found = {"python": f"{platform.python_implementation()} {platform.python_version()}"}
    for name in ("genspec", "jsonschema-rs", "fastjsonschema", "jsonschema"):
        found[name] = version(name)
    found["platform"] = platform.platform()
    return found


def run(settings: Settings) -> dict[str, Any]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    calls, reference = build_calls(schema)
    by_key = {call.key: call for call in calls}
    payloads = payload_mix(settings.generated)
    before = json.dumps([p.body for p in payloads])
    expected = {p.name: reference.verdict(p.body) for p in payloads}

    mislabelled = [
        f"{p.name} ({p.recipe}): intended {'valid' if p.intended_valid else 'invalid'}"
        for p in payloads
        if p.intended_valid != expected[p.name]
    ]
    disagree = disagreements([c for c in calls if c is not reference], payloads, expected)

    groups: dict[str, list[Payload]] = {
        "valid": [p for p in payloads if expected[p.name]],
        "invalid": [p for p in payloads if not expected[p.name]],
        "mixed": list(payloads),
    }
    timings: dict[str, dict[str, float]] = {call.key: {} for call in calls}
    for group, members in groups.items():
        bodies = [p.body for p in members]
        for key, us in best_us({c.key: c.run for c in calls}, bodies, settings).items():
            timings[key][group] = us
    findings = {
        call.key: statistics.fmean(call.findings(p.body) for p in groups["invalid"])
        for call in calls
        if call.findings is not None
    }

    buckets: dict[str, list[Payload]] = {}
    for label, has in (("no controlnets", False), ("with controlnets", True)):
        part = [p for p in payloads if (p.controlnets > 0) == has]
        buckets[label] = part
        buckets[f"{label}, valid"] = [p for p in part if expected[p.name]]
        buckets[f"{label}, invalid"] = [p for p in part if not expected[p.name]]
    for count in sorted({p.controlnets for p in payloads} - {0}):
        buckets[f"{count} controlnet(s)"] = [p for p in payloads if p.controlnets == count]
    nested_keys = ("genspec.is_valid", "rs.is_valid", "genspec.validate", "rs.iter_errors")
    nested_runs = {key: by_key[key].run for key in nested_keys}
    split = dataclasses.replace(settings, budget_ns=settings.budget_ns // 2)  # ten small splits
    nested = {
        bucket: best_us(nested_runs, [p.body for p in ps], split)
        | {"payloads": len(ps), "invalid": sum(not expected[p.name] for p in ps)}
        for bucket, ps in buckets.items()
    }

    single: dict[str, dict[str, float]] = {
        p.name: best_us(nested_runs, [p.body], settings, number=settings.profile_number)
        for p in payloads
    }

    if json.dumps([p.body for p in payloads]) != before:
        sys.exit("an engine changed the payloads: timings are not comparable")
    return {
        "versions": versions(),
        "settings": {
            "generated": settings.generated,
            "repeat": settings.repeat,
            "budget_ms": settings.budget_ns / 1e6,
        },
        "rust_validator": "Draft202012Validator",
        "mix": mix_summary(payloads, expected),
        "fastjsonschema_caveats": fastjsonschema_caveats(schema),
        "mislabelled": mislabelled,
        "disagreements": disagree,
        "calls": {c.key: {"engine": c.engine, "api": c.api} for c in calls},
        "timings_us": timings,
        "findings_per_invalid": findings,
        "ratios": ratios(timings),
        "noise": noise(timings, len(groups["valid"]), len(groups["invalid"])),
        "controlnets": nested,
        "profile": profile(payloads, expected, single),
    }


def mix_summary(payloads: Sequence[Payload], expected: dict[str, bool]) -> dict[str, Any]:
    generated = [p for p in payloads if p.recipe != "example"]
    sizes = [len(p.body) for p in generated]
    return {
        "payloads": len(payloads),
        "examples": len(payloads) - len(generated),
        "generated": len(generated),
        "valid": sum(expected.values()),
        "invalid": len(payloads) - sum(expected.values()),
        "with_controlnets": sum(p.controlnets > 0 for p in payloads),
        "controlnet_entries": sum(p.controlnets for p in payloads),
        "generated_fields": [
            min(sizes, default=0),
            statistics.median(sizes or [0]),
            max(sizes, default=0),
        ],
    }


NOISE_TOLERANCE = 0.10


def noise(timings: dict[str, dict[str, float]], valid: int, invalid: int) -> dict[str, float]:
    """Calls whose mixed time strays from the count-weighted valid and invalid times.

    The mixed list is the union of the other two, so a gap above NOISE_TOLERANCE means the
    machine was busy during some repeats: rerun before quoting those figures.
    """
    strays = {}
    for key, t in timings.items():
        weighted = (t["valid"] * valid + t["invalid"] * invalid) / (valid + invalid)
        gap = t["mixed"] / weighted - 1
        if abs(gap) > NOISE_TOLERANCE:
            strays[key] = gap
    return strays


RATIOS = [
    ("genspec.is_valid", "rs.is_valid", "compiled is_valid / jsonschema-rs is_valid"),
    (
        "genspec.validate",
        "rs.iter_errors",
        "compiled validate / jsonschema-rs iter_errors (goal <= 1.0)",
    ),
    ("genspec.is_valid", "py.is_valid", "compiled is_valid / python-jsonschema is_valid"),
    ("genspec.validate", "py.iter_errors", "compiled validate / python-jsonschema iter_errors"),
    ("rs.is_valid", "py.is_valid", "jsonschema-rs is_valid / python-jsonschema is_valid"),
    (
        "rs.iter_errors",
        "py.iter_errors",
        "jsonschema-rs iter_errors / python-jsonschema iter_errors",
    ),
    ("fjs.first", "py.is_valid", "fastjsonschema first error / python-jsonschema is_valid"),
    ("fjs.all", "py.iter_errors", "fastjsonschema fast_fail=False / python-jsonschema iter_errors"),
]


def ratios(timings: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    return {
        label: {g: ratio(timings[a][g], timings[b][g]) for g in ("valid", "invalid", "mixed")}
        for a, b, label in RATIOS
    }


def profile(
    payloads: Sequence[Payload], expected: dict[str, bool], single: dict[str, dict[str, float]]
) -> dict[str, Any]:
    """Compiled vs jsonschema-rs per payload family and for the worst single payloads."""
    families: dict[str, list[Payload]] = defaultdict(list)
    for p in payloads:
        if p.recipe == "example":
            family = f"example {'valid' if expected[p.name] else 'invalid'}"
        elif "+" in p.recipe:
            family = "mistake: " + p.recipe.split("+", 1)[1]
        else:
            family = f"valid {p.recipe}" + (" + controlnets" if p.controlnets else "")
        families[family].append(p)

    def summed(ps: Sequence[Payload], key: str) -> float:
        return sum(single[p.name][key] for p in ps)

    by_family = {
        family: {
            "payloads": len(ps),
            "is_valid_ratio": ratio(summed(ps, "genspec.is_valid"), summed(ps, "rs.is_valid")),
            "validate_ratio": ratio(summed(ps, "genspec.validate"), summed(ps, "rs.iter_errors")),
            "validate_us": summed(ps, "genspec.validate") / len(ps),
        }
        for family, ps in sorted(families.items())
    }
    worst: dict[str, list[dict[str, Any]]] = {}
    for ours, theirs in (
        ("genspec.is_valid", "rs.is_valid"),
        ("genspec.validate", "rs.iter_errors"),
    ):
        ranked = sorted(
            payloads, key=lambda p: -ratio(single[p.name][ours], single[p.name][theirs])
        )
        worst[ours] = [
            {
                "payload": p.name,
                "recipe": p.recipe,
                "valid": expected[p.name],
                "fields": len(p.body) if isinstance(p.body, dict) else 0,
                "controlnets": p.controlnets,
                "ours_us": single[p.name][ours],
                "theirs_us": single[p.name][theirs],
                "ratio": ratio(single[p.name][ours], single[p.name][theirs]),
            }
            for p in ranked[:WORST_SHOWN]
        ]
    slower = {
        ours: sum(single[p.name][ours] > single[p.name][theirs] for p in payloads)
        for ours, theirs in (
            ("genspec.is_valid", "rs.is_valid"),
            ("genspec.validate", "rs.iter_errors"),
        )
    }
    return {"families": by_family, "worst": worst, "slower_than_rs": slower}


def render(result: dict[str, Any]) -> list[str]:
    mix = result["mix"]
    lines = ["# genspec validator benchmark", ""]
    lines += [f"- {name}: {value}" for name, value in result["versions"].items()]
    lines += [
        f"- schema: {SCHEMA.relative_to(ROOT)}; jsonschema_rs.validator_for -> "
        f"{result['rust_validator']}; genspec compiled in-process by compile_schema",
        f"- settings: best of {result['settings']['repeat']} repeats,"
        f" ~{result['settings']['budget_ms']:.0f} ms per repeat, after one warm-up pass",
        "",
        "## Payload mix (bench/payloads.py)",
        f"{mix['payloads']} bodies: {mix['examples']} spec example files +"
        f" {mix['generated']} generated (fields per generated body: min/median/max"
        f" {'/'.join(str(n) for n in mix['generated_fields'])}); python-jsonschema verdicts:"
        f" {mix['valid']} valid, {mix['invalid']} invalid; {mix['with_controlnets']} carry"
        f" controlnets ({mix['controlnet_entries']} entries).",
        "",
        "## Verdict agreement (before timing; reference: python-jsonschema)",
    ]
    if result["mislabelled"]:
        lines.append("Payload labels that differ from the reference (fix bench/payloads.py):")
        lines += [f"  {line}" for line in result["mislabelled"]]
    calls = result["calls"]
    for key, found in result["disagreements"].items():
        lines.append(f"- {calls[key]['engine']} {calls[key]['api']}: {len(found)} disagreement(s)")
        lines += [f"  - {line}" for line in found]
    lines += ["", "fastjsonschema caveats:"] + [
        f"- {note}" for note in result["fastjsonschema_caveats"]
    ]

    timings, findings = result["timings_us"], result["findings_per_invalid"]
    rows = [
        [
            calls[key]["engine"],
            f"`{calls[key]['api']}`",
            *(fmt_us(timings[key][g]) for g in ("valid", "invalid", "mixed")),
            f"{findings[key]:.2f}" if key in findings else "-",
        ]
        for key in timings
    ]
    lines += ["", "## us per payload", ""]
    lines += markdown(
        ["engine", "call", "valid us", "invalid us", "mixed us", "findings / invalid body"], rows
    )
    lines.append("")
    if result["noise"]:
        strays = ", ".join(f"{key} {gap:+.0%}" for key, gap in result["noise"].items())
        lines.append(f"Noise check: mixed vs weighted valid+invalid differs for {strays}; rerun.")
    else:
        lines.append(
            f"Noise check: every mixed time is within {NOISE_TOLERANCE:.0%} of the"
            " count-weighted valid and invalid times."
        )
    lines += ["", "## Ratios (lower is faster for the first engine)", ""]
    lines += markdown(
        ["ratio", "valid", "invalid", "mixed"],
        [
            [label, *(fmt_ratio(v) for v in by_group.values())]
            for label, by_group in result["ratios"].items()
        ],
    )

    lines += ["", "## Nested arrays: payloads split by controlnets (us per payload)", ""]
    rows = []
    for label, t in result["controlnets"].items():
        rows.append(
            [
                label,
                f"{t['payloads']} ({t['invalid']})",
                fmt_us(t["genspec.is_valid"]),
                fmt_us(t["rs.is_valid"]),
                fmt_ratio(ratio(t["genspec.is_valid"], t["rs.is_valid"])),
                fmt_us(t["genspec.validate"]),
                fmt_us(t["rs.iter_errors"]),
                fmt_ratio(ratio(t["genspec.validate"], t["rs.iter_errors"])),
            ]
        )
    lines += markdown(
        [
            "payloads",
            "n (invalid)",
            "compiled is_valid",
            "rs is_valid",
            "ratio",
            "compiled validate",
            "rs iter_errors",
            "ratio",
        ],
        rows,
    )

    prof = result["profile"]
    lines += [
        "",
        "## Profile: compiled / jsonschema-rs by payload family (per-payload timings)",
        "",
    ]
    lines += markdown(
        ["family", "n", "is_valid ratio", "validate ratio", "compiled validate us"],
        [
            [
                family,
                str(f["payloads"]),
                fmt_ratio(f["is_valid_ratio"]),
                fmt_ratio(f["validate_ratio"]),
                fmt_us(f["validate_us"]),
            ]
            for family, f in prof["families"].items()
        ],
    )
    for ours, rows_ in prof["worst"].items():
        theirs = (
            "jsonschema-rs is_valid" if ours.endswith("is_valid") else "jsonschema-rs iter_errors"
        )
        lines += [
            "",
            f"Compiled `{ours.split('.')[1]}` slower than {theirs} on"
            f" {prof['slower_than_rs'][ours]} of {mix['payloads']} payloads; worst {WORST_SHOWN}:",
            "",
        ]
        lines += markdown(
            [
                "payload",
                "recipe",
                "verdict",
                "fields",
                "controlnets",
                "compiled us",
                "rs us",
                "ratio",
            ],
            [
                [
                    w["payload"],
                    w["recipe"],
                    "valid" if w["valid"] else "invalid",
                    str(w["fields"]),
                    str(w["controlnets"]),
                    fmt_us(w["ours_us"]),
                    fmt_us(w["theirs_us"]),
                    fmt_ratio(w["ratio"]),
                ]
                for w in rows_
            ],
        )
    goal = result["ratios"][RATIOS[1][2]]["mixed"]
    verdict = "meets" if goal <= GOAL_VALIDATE_RATIO else "misses"
    lines += [
        "",
        f"compiled validate / jsonschema-rs iter_errors on the mix: {goal:.2f}x"
        f" ({verdict} the <= {GOAL_VALIDATE_RATIO}x goal)",
    ]
    return lines


def finite(value: Any) -> Any:
    """`value` with NaN (an empty split) as null, so the JSON is standard."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer payloads and repeats (< 10 s)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(QUICK if args.quick else DEFAULT)
    result["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(finite(result), indent=2, allow_nan=False))
    else:
        print("\n".join([*render(result), f"(run took {result['seconds']} s)"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
