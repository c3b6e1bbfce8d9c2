"""Mutation check: sabotage the compiled request validator and show that the tests fail.

    python bench/sabotage.py                      # every sabotage, the default test selection
    python bench/sabotage.py --only reject-seed   # one (comma-separated names)
    python bench/sabotage.py -- tests/properties/test_examples.py   # other pytest arguments

Each sabotage runs pytest in a fresh subprocess with this file loaded as a pytest plugin
(`-p sabotage`): it patches `genspec.compiler.compile_schema` so that the validator compiled
from the spec is wrong in one way, either in behaviour (source appended to the compiled module
that wraps `is_valid` and `validate`) or by compiling it from a subtly altered spec (a bound
flipped, as an off-by-one emitter would). The oracle (python-jsonschema) and the strategies
still read the real spec. A sabotage the selected tests do not fail is reported as SURVIVED
and the script exits 1. Failures are not shrunk and the hypothesis example database is off,
so nothing leaks into later runs.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VARIABLE = "GENSPEC_SABOTAGE"
DEFAULT_TESTS = [
    "tests/properties/test_differential.py",
    "tests/properties/test_examples.py",
    "tests/regressions",
]


def _rejecting(member: str) -> str:
    """Source that makes the compiled module reject every object body holding `member`."""
    return f"""
def _sabotaged(instance: Any) -> bool:
    return isinstance(instance, dict) and {member!r} in instance


_real_is_valid, _real_validate = is_valid, validate


def is_valid(instance: Any) -> bool:
    return False if _sabotaged(instance) else _real_is_valid(instance)


def validate(instance: Any) -> list[Error]:
    found = _real_validate(instance)
    if _sabotaged(instance) and not found:
        found = [Error("", "", "sabotage", "sabotaged")]
    return found
"""


ACCEPT_WITHOUT_PROMPT = """
_real_is_valid, _real_validate = is_valid, validate


def is_valid(instance: Any) -> bool:
    return not (isinstance(instance, dict) and "prompt" in instance) or _real_is_valid(instance)


def validate(instance: Any) -> list[Error]:
    if not (isinstance(instance, dict) and "prompt" in instance):
        return []
    return _real_validate(instance)
"""


def _member(name: str, keyword: str, change: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def alter(schema: Any) -> Any:
        altered = copy.deepcopy(schema)
        place = altered["properties"][name]
        place[keyword] = change(place[keyword])
        return altered

    return alter


def _rule_maximum(rule_id: str, change: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Change the first `maximum` inside the then-branch of the rule `rule_id`."""

    def alter(schema: Any) -> Any:
        altered = copy.deepcopy(schema)
        for entry in altered.get("allOf", []):
            if entry.get("x-rule", {}).get("id") == rule_id:
                for place in entry["then"]["properties"].values():
                    if "maximum" in place:
                        place["maximum"] = change(place["maximum"])
                        return altered
        raise LookupError(f"rule {rule_id!r} has no maximum to change")

    return alter


def _exclusive(name: str) -> Callable[[Any], Any]:
    """`minimum` of a member read as `exclusiveMinimum` (an inverted comparison)."""

    def alter(schema: Any) -> Any:
        altered = copy.deepcopy(schema)
        place = altered["properties"][name]
        place["exclusiveMinimum"] = place.pop("minimum")
        return altered

    return alter


@dataclass(frozen=True)
class Sabotage:
    name: str
    what: str
    appended: str = ""  # source appended to the compiled module
    alter: Callable[[Any], Any] | None = None  # compile from this altered spec instead


SABOTAGES = [
    Sabotage("reject-seed", "reject every body holding seed", _rejecting("seed")),
    Sabotage("reject-controlnets", "reject every body with controlnets", _rejecting("controlnets")),
    Sabotage("reject-width", "reject every body holding width", _rejecting("width")),
    Sabotage("accept-without-prompt", "accept every body without prompt", ACCEPT_WITHOUT_PROMPT),
    Sabotage(
        "num-images-max-9",
        "num_images maximum 8 read as 9",
        alter=_member("num_images", "maximum", lambda limit: limit + 1),
    ),
    Sabotage(
        "width-minimum-exclusive",
        "width minimum 32 read as exclusive (> instead of >=)",
        alter=_exclusive("width"),
    ),
    Sabotage(
        "rule-bound-plus-one",
        "num-images-max-4-when-large allows 5",
        alter=_rule_maximum("num-images-max-4-when-large", lambda limit: limit + 1),
    ),
]
BY_NAME = {sabotage.name: sabotage for sabotage in SABOTAGES}


# ---- the pytest plugin side (inside the subprocess) ---------------------------------------


def pytest_configure(config: Any) -> None:
    from hypothesis import Phase, settings

    import genspec.compiler
    from genspec.spec import load_schema

    sabotage = BY_NAME[os.environ[VARIABLE]]
    spec = load_schema()
    real = genspec.compiler.compile_schema

    def compile_schema(schema: Any, **options: Any) -> str:
        if schema != spec:
            return real(schema, **options)
        if sabotage.alter is not None:
            return real(sabotage.alter(schema), **options)
        return real(schema, **options) + sabotage.appended

    genspec.compiler.compile_schema = compile_schema
    import genspec.strategies  # it holds its own reference to compile_schema

    genspec.strategies.compile_schema = compile_schema
    # A failure is all we need to know: no shrinking, and nothing saved for later runs.
    phases = [Phase.explicit, Phase.reuse, Phase.generate]
    settings.register_profile("sabotage", settings.default, database=None, phases=phases)
    settings.load_profile("sabotage")


# ---- the driver ---------------------------------------------------------------------------


def run(sabotage: Sabotage, tests: list[str]) -> list[str]:
    """The tests that failed under `sabotage` (empty: it survived)."""
    path = [str(ROOT / "bench"), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, VARIABLE: sabotage.name, "PYTHONPATH": os.pathsep.join(path)}
    command = [sys.executable, "-m", "pytest", "-p", "sabotage", "-p", "no:cacheprovider"]
    command += ["-q", "-rf", "--no-header", *tests]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    failed = re.findall(r"^FAILED (.+?)(?: - .*)?$", done.stdout, flags=re.MULTILINE)
    if done.returncode not in (0, 1) or (done.returncode == 1 and not failed):
        raise RuntimeError(f"pytest did not run under {sabotage.name}:\n{done.stdout}{done.stderr}")
    return failed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated sabotage names: " + ", ".join(BY_NAME))
    parser.add_argument("tests", nargs="*", help=f"pytest arguments (default: {DEFAULT_TESTS})")
    args = parser.parse_args(argv)
    chosen = [BY_NAME[name] for name in args.only.split(",")] if args.only else SABOTAGES
    survived = []
    for sabotage in chosen:
        failed = run(sabotage, args.tests or DEFAULT_TESTS)
        verdict = f"caught by {len(failed)} test(s)" if failed else "SURVIVED"
        print(f"{sabotage.name} ({sabotage.what}): {verdict}", flush=True)
        for test in failed:
            print(f"    {test}", flush=True)
        if not failed:
            survived.append(sabotage.name)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
