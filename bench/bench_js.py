"""The JavaScript validators side by side: `python bench/bench_js.py` (needs node and bench/js).

Writes the bench body mix (bench/payloads.py, the same bodies as bench_validators.py) with
python-jsonschema's verdicts to a temporary folder, compiles the request validator with the JS
target in process (so compiler changes show without `genspec generate`), then runs
bench/js/bench.mjs, which times every engine on the same bodies in one node process and prints
the table: ns per body for isValid and all-errors, cold start and minified+gzipped size.
Install the engines first: `npm ci --prefix bench/js`.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jsonschema import Draft202012Validator

from genspec.compiler import compile_schema, load_module
from genspec.compiler_js import compile_schema_js
from genspec.spec import REQUEST_SCHEMA, load_schema
from payloads import payload_mix

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer bodies and repeats")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    node = shutil.which("node")
    if node is None or not (HERE / "js" / "node_modules").is_dir():
        print("bench_js: needs node and `npm ci --prefix bench/js`", file=sys.stderr)
        return 2
    schema = load_schema()
    oracle = Draft202012Validator(schema)
    payloads = payload_mix(100 if args.quick else 350)
    with tempfile.TemporaryDirectory(prefix="genspec-bench-js-") as folder:
        work = Path(folder)
        (work / "schema.json").write_text(json.dumps(schema), encoding="utf-8")
        # `valid`: python-jsonschema on the schema as written (warning rules included), the
        # verdict the other engines give; `accepted`: no error-severity finding (isValid's).
        accepted = load_module(compile_schema(schema))
        data = [
            {
                "name": p.name,
                "body": p.body,
                "valid": oracle.is_valid(p.body),
                "accepted": not any(e.severity == "error" for e in accepted.validate(p.body)),
            }
            for p in payloads
        ]
        (work / "bodies.json").write_text(json.dumps(data), encoding="utf-8")
        source = compile_schema_js(schema, source=f"spec/{REQUEST_SCHEMA}")
        (work / "genspec.mjs").write_text(source, encoding="utf-8")
        command = [node, str(HERE / "js" / "bench.mjs"), str(work)]
        command += ["--quick"] if args.quick else []
        command += ["--json"] if args.json else []
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    raise SystemExit(main())
