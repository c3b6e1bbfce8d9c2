"""genspec.spark with 2 local workers against `genspec validate --jobs 2`, on the same file.

Run: python bench/bench_spark.py [--bodies N]   (needs pyspark and Java 17: pip install '.[spark]')
(bench/bench_cli.py runs it too, as its spark part.)

The file is N bodies of the bench mix (bench/payloads.py) as JSON Lines in a temporary
directory. Both count the same findings (checked); the Spark time includes its session start.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_cli import clean_env, tool, write_mix


def spark_against_cli(bodies: int) -> bool:
    """Both on one file of `bodies` bodies; False when their findings differ."""
    from pyspark.sql import SparkSession

    from genspec.spark import check_json_lines

    with tempfile.TemporaryDirectory(prefix="genspec-bench-spark-") as tmp:
        path = Path(tmp) / "mix.jsonl"
        size = write_mix(path, bodies)
        print(f"bodies: {bodies:,} ({size / 1e6:.0f} MB)")

        start = time.perf_counter()
        done = subprocess.run(
            [tool("genspec"), "validate", "--quiet", "--jobs", "2", "--format", "jsonl", str(path)],
            capture_output=True,
            env=clean_env(),
        )
        cli_wall = time.perf_counter() - start
        cli_count = len(done.stdout.splitlines())
        print(f"genspec validate --jobs 2:        {cli_wall:7.1f} s, {cli_count:,} findings")

        start = time.perf_counter()
        spark = (
            SparkSession.builder.master("local[2]")
            .appName("genspec-bench")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        ready = time.perf_counter()
        spark_count = check_json_lines(spark, [str(path)]).count()
        spark_wall = time.perf_counter() - start
        spark.stop()
        print(
            f"genspec.spark local[2]:          {spark_wall:7.1f} s "
            f"({ready - start:.1f} s session start), {spark_count:,} findings"
        )
        print(f"ratio spark/cli:                 {spark_wall / cli_wall:7.2f}x")
        if spark_count != cli_count:
            print(json.dumps({"cli": cli_count, "spark": spark_count}))
            print("FINDINGS DIFFER")
            return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bodies", type=int, default=200_000)
    args = parser.parse_args()
    try:
        import pyspark  # noqa: F401
    except ImportError:
        sys.exit("pyspark is not installed: pip install '.[spark]'")
    return 0 if spark_against_cli(args.bodies) else 1


if __name__ == "__main__":
    raise SystemExit(main())
