"""The JavaScript validators side by side: `python bench/bench_js.py` (needs node and bench/js).

Draws the bench mixes (bench/mixes.py, the Python bench's) with `--seed` (default random,
printed), writes them with python-jsonschema's verdicts to a temporary folder, compiles the
request validator with the JS target in process, then runs bench/js/bench.mjs, which times
every engine on the same bodies in one node process (CPU time) and prints one table per mix
(isValid and all-errors, genspec's ratio to the fastest other engine), the worst ratio as the
headline, cold start and minified+gzipped size.
Install the engines first: `npm ci --prefix bench/js`.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jsonschema import Draft202012Validator

from genspec.compiler import compile_schema, load_module
from genspec.compiler_js import compile_schema_js
from genspec.spec import REQUEST_SCHEMA, load_schema
from mixes import draw_mixes

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer bodies and repeats")
    parser.add_argument("--count", type=int, help="bodies per mix (default 200, quick 60)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--seed", type=int, help="the mixes' seed (default: random, printed)")
    parser.add_argument("--keep", type=Path, help="also copy the bench's inputs to this folder")
    args = parser.parse_args(argv)
    node = shutil.which("node")
    if node is None or not (HERE / "js" / "node_modules").is_dir():
        print("bench_js: needs node and `npm ci --prefix bench/js`", file=sys.stderr)
        return 2
    seed = args.seed if args.seed is not None else random.randrange(1 << 31)
    count = args.count or (60 if args.quick else 200)
    schema = load_schema()
    oracle = Draft202012Validator(schema)
    # `valid`: python-jsonschema on the schema as written, the verdict the other engines give;
    # `accepted`: no error-severity finding of the compiled Python validator (isValid's).
    accepted = load_module(compile_schema(schema))
    mixes = [
        {
            "name": name,
            "bodies": [
                {
                    "body": body,
                    "valid": oracle.is_valid(body),
                    "accepted": not any(e.severity == "error" for e in accepted.validate(body)),
                }
                for body in bodies
            ],
        }
        for name, bodies in draw_mixes(seed, count).items()
    ]
    with tempfile.TemporaryDirectory(prefix="genspec-bench-js-") as folder:
        work = Path(folder)
        (work / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
        (work / "mixes.json").write_text(json.dumps({"seed": seed, "mixes": mixes}), "utf-8")
        # Compiled in process, so emitter changes show without `genspec generate`.
        source = compile_schema_js(schema, source=f"spec/{REQUEST_SCHEMA}")
        (work / "genspec.mjs").write_text(source, encoding="utf-8")
        if args.keep:
            shutil.copytree(work, args.keep, dirs_exist_ok=True)
        command = [node, str(HERE / "js" / "bench.mjs"), str(work)]
        command += ["--quick"] if args.quick else []
        command += ["--json"] if args.json else []
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
